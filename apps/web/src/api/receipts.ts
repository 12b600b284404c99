import type { Message, ReadCursor } from "@parley/protocol";
import { type QueryClient, useQuery } from "@tanstack/react-query";
import { client, data } from "./client";
import { patchQueries, readAgain } from "./patch";
import type { Answer } from "./types";

/** Receipts API (R301–R309): policy, "seen by", diagnostics and reports. */

export type SeenByData = Answer<"/api/conversations/{id}/seen-by">;
export type ReadTrackingOff = NonNullable<SeenByData["readTrackingOff"]>;
export type ReceiptSettingsView = Answer<"/api/receipts/settings">;
export type Diagnostics = Answer<"/api/connections/{id}/diagnostics">;
export type ReceiptReport = Answer<"/api/receipts/report">;
export type ReportRow = ReceiptReport["rows"][number];

export const receiptKeys = {
  settings: ["receipts", "settings"] as const,
  seenBy: (conversationId: string) => ["receipts", "seen-by", conversationId] as const,
  diagnostics: (connectionId: string) => ["receipts", "diagnostics", connectionId] as const,
  trail: (messageId: string) => ["receipts", "trail", messageId] as const,
  report: (query: string) => ["receipts", "report", query] as const,
};

export const useSeenBy = (conversationId: string) =>
  useQuery({
    queryKey: receiptKeys.seenBy(conversationId),
    queryFn: () =>
      data(client.GET("/api/conversations/{id}/seen-by", { params: { path: { id: conversationId } } })),
    staleTime: 5 * 60_000,
  });

export const useReceiptSettings = () =>
  useQuery({
    queryKey: receiptKeys.settings,
    queryFn: () => data(client.GET("/api/receipts/settings")),
  });

/**
 * After this tab stored a read: "seen by" is read again (the read's live event may go out before the tab's
 * socket is connected), also when its first fetch, answered before the read was stored, is still under way.
 */
export function refetchSeenBy(qc: QueryClient, conversationId: string) {
  return readAgain(qc, { queryKey: receiptKeys.seenBy(conversationId) });
}

/**
 * A cursor moved (realtime `read_cursor.updated`): "seen by" follows without a refetch, also in the answer of
 * a fetch under way, which may have been read before it (see patchQueries; applying it twice changes nothing).
 */
export function applyCursorToSeenBy(qc: QueryClient, cursor: ReadCursor, name?: string) {
  const queryKey = receiptKeys.seenBy(cursor.conversationId);
  // A reader this tab has no name for (not in its users list yet): their name comes with a new read.
  const shown = qc.getQueryData<SeenByData>(queryKey);
  if (!name && shown && !shown.cursors.some((c) => c.userId === cursor.userId))
    void readAgain(qc, { queryKey, exact: true });
  patchQueries<SeenByData>(qc, { queryKey, exact: true }, (data) => {
    const known = data.cursors.find((c) => c.userId === cursor.userId);
    const advanced = !known || cursor.lastReadSeq > known.lastReadSeq;
    if (!known && !name) return data;
    const cursors = known
      ? data.cursors.map((c) =>
          c.userId === cursor.userId
            ? {
                ...c,
                lastReadSeq: Math.max(c.lastReadSeq, cursor.lastReadSeq),
                markedUnread: cursor.markedUnread,
                readAt: advanced ? cursor.readAt : c.readAt,
              }
            : c,
        )
      : [
          ...data.cursors,
          {
            userId: cursor.userId,
            name: name ?? "",
            avatarUrl: null,
            lastReadSeq: cursor.lastReadSeq,
            markedUnread: cursor.markedUnread,
            readAt: cursor.readAt,
          },
        ];
    const marks =
      advanced && cursor.lastReadSeq > 0
        ? [...data.marks, { userId: cursor.userId, seq: cursor.lastReadSeq, at: cursor.readAt }]
        : data.marks;
    return { ...data, cursors, marks };
  });
}

/** A message changed (realtime `message.updated`): a test message's receipt trail follows it. */
export function applyMessageToTrail(qc: QueryClient, m: Message) {
  qc.setQueryData<Message>(receiptKeys.trail(m.id), (cur) => (cur ? m : cur));
}

/**
 * When each user saw a message at `seq`: the first time their cursor reached it or beyond. Users whose
 * cursor never reached it are left out.
 */
export function seenAt(data: SeenByData, seq: number) {
  const out: { userId: string; name: string; avatarUrl: string | null; at: string | null }[] = [];
  for (const c of data.cursors) {
    if (c.lastReadSeq < seq) continue;
    let at: string | null = null;
    for (const m of data.marks) {
      if (m.userId === c.userId && m.seq >= seq && (at === null || m.at < at)) at = m.at;
    }
    out.push({ userId: c.userId, name: c.name, avatarUrl: c.avatarUrl, at });
  }
  return out.sort((a, b) => (a.at ?? "").localeCompare(b.at ?? ""));
}
