import type { Message, ReadCursor } from "@parley/protocol";
import { type QueryClient, useQuery } from "@tanstack/react-query";
import { get } from "./client";

/** Receipts API (R301–R309): policy, "seen by", diagnostics and reports. */

export type ReadTrackingOff = "conversation" | "connection" | "workspace" | "no_consent";

export interface SeenByData {
  readTrackingOff: ReadTrackingOff | null;
  override: boolean | null;
  cursors: {
    userId: string;
    name: string;
    avatarUrl: string | null;
    lastReadSeq: number;
    markedUnread: boolean;
    readAt: string;
  }[];
  marks: { userId: string; seq: number; at: string }[];
}

export interface ReceiptSettingsView {
  settings: {
    readReceipts: boolean;
    consentMode: boolean;
    retentionDays: number | null;
    anonymiseReports: boolean;
  };
  connections: {
    id: string;
    name: string;
    type: string;
    readReceipts: boolean | null;
    reportsRead: boolean;
    markSeen: boolean;
  }[];
}

export interface Diagnostics {
  connection: {
    id: string;
    type: string;
    name: string;
    enabled: boolean;
    readReceipts: boolean | null;
    reportsDelivered: boolean;
    reportsRead: boolean;
    markSeen: boolean;
  };
  lastWebhookAt: string | null;
  lastStatusAt: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
  errorCount: number;
  pendingEarlyReceipts: number;
  /** Account- or number-level problems the provider reported (WhatsApp `errors[]`), newest first. */
  accountErrors: {
    code: string;
    title: string;
    detail: string | null;
    at: string | null;
    lastAt: string | null;
    occurrences: number;
  }[];
  last24h: Record<string, number>;
  recentFailures: {
    messageId: string;
    conversationId: string;
    conversationNumber: number;
    failedAt: string | null;
    reason: string | null;
    detail: string | null;
    text: string | null;
  }[];
  conversations: { id: string; number: number; contactName: string | null; externalId: string }[];
}

export interface ReportRow {
  key: string;
  label: string;
  channel: string | null;
  replies: number;
  sent: number;
  delivered: number;
  read: number;
  failed: number;
  readRate: number | null;
  avgDeliverSeconds: number | null;
  p50DeliverSeconds: number | null;
  avgReadSeconds: number | null;
  p50ReadSeconds: number | null;
  repliedAfterRead: number;
  unansweredAfterRead: number;
}

export interface ReceiptReport {
  period: { from: string; to: string; tz: string };
  groupBy: "channel" | "agent" | "day";
  anonymised: boolean;
  total: ReportRow;
  rows: ReportRow[];
}

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
    queryFn: () => get<SeenByData>(`/api/conversations/${conversationId}/seen-by`),
    staleTime: 5 * 60_000,
  });

export const useReceiptSettings = () =>
  useQuery({
    queryKey: receiptKeys.settings,
    queryFn: () => get<ReceiptSettingsView>("/api/receipts/settings"),
  });

/** A cursor moved (realtime `read_cursor.updated`): "seen by" follows without a refetch. */
export function applyCursorToSeenBy(qc: QueryClient, cursor: ReadCursor, name?: string) {
  qc.setQueryData<SeenByData>(receiptKeys.seenBy(cursor.conversationId), (data) => {
    if (!data) return data;
    const known = data.cursors.find((c) => c.userId === cursor.userId);
    const advanced = !known || cursor.lastReadSeq > known.lastReadSeq;
    if (!known && !name) {
      // A user this tab has not seen in the list yet: their name comes with the next fetch.
      return data;
    }
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
