import type { InboundEvent } from "../../channels/types";
import type { Tx } from "../../context";
import { applyDeliveryReport, type DeliveryReport, type DeliverySnapshot } from "../../domain/delivery-state";
import {
  accessOf,
  CONVERSATION_FROM,
  CONVERSATION_SELECT,
  type ConversationRow,
} from "../conversations/present";
import { MESSAGE_COLUMNS, type MessageRow, presentMessage } from "../messages/present";
import { READ_TRACKING_JOINS, READ_TRACKING_OFF_SQL } from "../receipts/policy";
import type { ConnectionRef } from "./ingest-messages";

type StatusEvent = Extract<InboundEvent, { kind: "status" }>;
export type StatusOutcome = {
  kind: "status";
  status: "updated" | "unchanged" | "unknown_message";
  messageId: string | null;
};

const M_COLUMNS = MESSAGE_COLUMNS.split(",")
  .map((c) => `m.${c.trim()}`)
  .join(", ");

const snapshotOf = (r: MessageRow): DeliverySnapshot => ({
  state: r.delivery_state!,
  sentAt: r.sent_at,
  deliveredAt: r.delivered_at,
  readAt: r.read_at,
  failedAt: r.failed_at,
  failureReason: r.failure_reason,
  failureDetail: r.failure_detail,
});

/**
 * Applies a batch's per-message delivery reports with a few set-based statements whatever its size (the
 * status webhooks of a busy number arrive by the thousand): one locks every reported message (in id order,
 * so concurrent batches lock alike), one reads the read-tracking policy of their conversations, the state
 * machine runs in memory (several reports of one message apply in the order they came), then one UPDATE
 * writes the messages, one the conversations' last-message state, one reads the conversations for the
 * events' audiences. Reports for an unknown provider id are kept for when the send is recorded.
 */
export async function ingestStatuses(
  tx: Tx,
  items: { connection: ConnectionRef; event: StatusEvent }[],
): Promise<StatusOutcome[]> {
  if (!items.length) return [];
  const rows = await tx.q.query<MessageRow & { connection_id: string }>(
    `select ${M_COLUMNS}, m.connection_id from messages m
     join unnest($1::uuid[], $2::text[]) as k(cid, pid) on m.connection_id = k.cid and m.provider_message_id = k.pid
     where m.direction = 'outbound'
     order by m.id for update of m`,
    [items.map((i) => i.connection.id), items.map((i) => i.event.providerMessageId)],
  );
  const byKey = new Map(rows.map((r) => [`${r.connection_id}\u0000${r.provider_message_id}`, r]));
  const readConversations = [
    ...new Set(
      items
        .filter((i) => i.event.state === "read")
        .map((i) => byKey.get(`${i.connection.id}\u0000${i.event.providerMessageId}`)?.conversation_id)
        .filter((id): id is string => !!id),
    ),
  ];
  const trackingOff = new Set(
    readConversations.length
      ? (
          await tx.q.query<{ id: string }>(
            `select c.id from conversations c ${READ_TRACKING_JOINS}
             where c.id = any($1::uuid[]) and (${READ_TRACKING_OFF_SQL}) is not null`,
            [readConversations],
          )
        ).map((r) => r.id)
      : [],
  );

  const out: StatusOutcome[] = [];
  const next = new Map<string, { row: MessageRow; snap: DeliverySnapshot; workspaceId: string }>();
  for (const { connection, event: e } of items) {
    const row = byKey.get(`${connection.id}\u0000${e.providerMessageId}`);
    if (!row) {
      // Perhaps the send that produced this id is still being recorded: keep the report to apply it then.
      // Reports nobody claims are dropped after a week (see applyEarlyReceipts).
      await tx.q.query(
        `insert into early_receipts (connection_id, provider_message_id, state, at, reason, detail, received_at)
         values ($1, $2, $3, $4, $5, $6, $7)`,
        [
          connection.id,
          e.providerMessageId,
          e.state,
          e.at,
          e.state === "failed" ? (e.reason ?? "provider_error") : null,
          e.detail ?? null,
          tx.now,
        ],
      );
      out.push({ kind: "status", status: "unknown_message", messageId: null });
      continue;
    }
    if (!row.delivery_state) {
      out.push({ kind: "status", status: "unchanged", messageId: row.id });
      continue;
    }
    const current = next.get(row.id)?.snap ?? snapshotOf(row);
    // Where read receipts are off or the contact has not consented (R305, R307), a read report only says
    // the message arrived: its read time is not kept.
    const report: DeliveryReport =
      e.state === "failed"
        ? { state: "failed", at: e.at, reason: e.reason ?? "provider_error", detail: e.detail ?? null }
        : e.state === "read" && trackingOff.has(row.conversation_id)
          ? { state: "delivered", at: e.at }
          : { state: e.state, at: e.at };
    const applied = applyDeliveryReport(current, report);
    if (applied) next.set(row.id, { row, snap: applied, workspaceId: connection.workspaceId });
    out.push({ kind: "status", status: applied ? "updated" : "unchanged", messageId: row.id });
  }
  if (!next.size) return out;

  const changed = [...next.values()];
  const updated = await tx.q.query<MessageRow>(
    `update messages m set delivery_state = u.state, sent_at = u.sent_at, delivered_at = u.delivered_at,
       read_at = u.read_at, failed_at = u.failed_at, failure_reason = u.reason, failure_detail = u.detail
     from unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::timestamptz[],
                 $6::timestamptz[], $7::text[], $8::text[])
       as u(id, state, sent_at, delivered_at, read_at, failed_at, reason, detail)
     where m.id = u.id
     returning ${M_COLUMNS}`,
    [
      changed.map((c) => c.row.id),
      changed.map((c) => c.snap.state),
      changed.map((c) => c.snap.sentAt),
      changed.map((c) => c.snap.deliveredAt),
      changed.map((c) => c.snap.readAt),
      changed.map((c) => c.snap.failedAt),
      changed.map((c) => c.snap.failureReason),
      changed.map((c) => c.snap.failureDetail),
    ],
  );
  // The list row shows the state of the conversation's last message; conversations in id order.
  const byConversation = [...changed].sort((a, b) =>
    a.row.conversation_id.localeCompare(b.row.conversation_id),
  );
  await tx.q.query(
    `update conversations c set last_outbound_state = u.state
     from unnest($1::uuid[], $2::uuid[], $3::text[]) as u(cid, mid, state)
     where c.id = u.cid and c.last_message_id = u.mid`,
    [
      byConversation.map((c) => c.row.conversation_id),
      byConversation.map((c) => c.row.id),
      byConversation.map((c) => c.snap.state),
    ],
  );
  const conversations = new Map<string, ConversationRow>();
  const byWorkspace = new Map<string, string[]>();
  for (const c of changed) {
    const ids = byWorkspace.get(c.workspaceId) ?? [];
    if (!ids.includes(c.row.conversation_id)) ids.push(c.row.conversation_id);
    byWorkspace.set(c.workspaceId, ids);
  }
  for (const [workspaceId, ids] of byWorkspace) {
    const convRows = await tx.q.query<ConversationRow>(
      `${CONVERSATION_SELECT} ${CONVERSATION_FROM} where c.workspace_id = $1 and c.id = any($2::uuid[])`,
      [workspaceId, ids],
    );
    for (const r of convRows) conversations.set(r.id, r);
  }
  const workspaceOf = new Map(changed.map((c) => [c.row.id, c.workspaceId]));
  for (const m of updated.sort((a, b) => Number(a.seq) - Number(b.seq))) {
    const conv = conversations.get(m.conversation_id);
    tx.emit(workspaceOf.get(m.id)!, {
      type: "message.updated",
      conversationId: m.conversation_id,
      message: presentMessage(m),
      audience: conv ? { conversation: accessOf(conv) } : {},
    });
  }
  return out;
}
