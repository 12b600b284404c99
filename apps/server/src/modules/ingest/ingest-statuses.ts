import type { InboundEvent } from "../../channels/types";
import type { Tx } from "../../context";
import { applyDeliveryReport, type DeliveryReport, type DeliverySnapshot } from "../../domain/delivery-state";
import { accessOf } from "../conversations/present";
import { MESSAGE_COLUMNS, type MessageRow, presentMessage } from "../messages/present";
import { lockProviderIds } from "../messages/provider-id-lock";
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

export const snapshotOf = (r: MessageRow): DeliverySnapshot => ({
  state: r.delivery_state!,
  sentAt: r.sent_at,
  deliveredAt: r.delivered_at,
  readAt: r.read_at,
  failedAt: r.failed_at,
  failureReason: r.failure_reason,
  failureDetail: r.failure_detail,
});

/**
 * What a reported message is locked with (over `m` messages, `c` its conversation and READ_TRACKING_JOINS):
 * whether read tracking is off there, and who may see the conversation (the event's audience).
 */
export const LOCKED_COLUMNS = `${M_COLUMNS}, m.connection_id, (${READ_TRACKING_OFF_SQL}) is not null as tracking_off,
  c.workspace_id, c.assignee_id, c.team_id,
  coalesce((select array_agg(o.user_id::text order by o.added_at) from conversation_operators o
    where o.conversation_id = c.id), '{}') as operator_ids`;

/** A reported message, locked, with what deciding its report needs: read tracking and the event's audience. */
export type LockedRow = MessageRow & {
  connection_id: string;
  tracking_off: boolean;
  workspace_id: string;
  assignee_id: string | null;
  team_id: string | null;
  operator_ids: string[];
};

/**
 * Applies a batch's per-message delivery reports with the same few statements whatever its size (the
 * status webhooks of a busy number arrive by the thousand, and a read report costs no more statements than
 * a delivered one): one locks every reported message (in id order, so concurrent batches lock alike) and
 * reads, with it, the read-tracking policy of its conversation and who may see it (the events' audience);
 * the state machine runs in memory (several reports of one message apply in the order they came); one
 * statement then writes the messages and the conversations' last-message state, and one keeps the reports
 * for unknown provider ids for when the send is recorded.
 */
export async function ingestStatuses(
  tx: Tx,
  items: { connection: ConnectionRef; event: StatusEvent }[],
): Promise<StatusOutcome[]> {
  if (!items.length) return [];
  const lockRows = (list: typeof items) =>
    tx.q.query<LockedRow>(
      `select ${LOCKED_COLUMNS}
       from messages m
       join unnest($1::uuid[], $2::text[]) as k(cid, pid) on m.connection_id = k.cid and m.provider_message_id = k.pid
       join conversations c on c.id = m.conversation_id
       ${READ_TRACKING_JOINS}
       where m.direction = 'outbound'
       order by m.id for update of m`,
      [list.map((i) => i.connection.id), list.map((i) => i.event.providerMessageId)],
    );
  const keyOf = (connectionId: string, providerId: string | null) => `${connectionId}\u0000${providerId}`;
  const byKey = new Map(
    (await lockRows(items)).map((r) => [keyOf(r.connection_id, r.provider_message_id), r]),
  );
  // Ids no message has yet: perhaps a send is recording one now. Wait for it (provider-id-lock.ts), then look
  // again, so a report is either applied or kept where the send will find it.
  const missing = items.filter((i) => !byKey.has(keyOf(i.connection.id, i.event.providerMessageId)));
  if (missing.length) {
    await lockProviderIds(
      tx.q,
      missing.map((i) => ({ connectionId: i.connection.id, providerId: i.event.providerMessageId })),
    );
    for (const r of await lockRows(missing)) byKey.set(keyOf(r.connection_id, r.provider_message_id), r);
  }
  const out: StatusOutcome[] = [];
  const unknown: { connection: ConnectionRef; event: StatusEvent }[] = [];
  const next = new Map<string, { row: LockedRow; snap: DeliverySnapshot; workspaceId: string }>();
  for (const item of items) {
    const { connection, event: e } = item;
    const row = byKey.get(keyOf(connection.id, e.providerMessageId));
    if (!row) {
      // Perhaps the send that produced this id is still being recorded: keep the report to apply it then.
      // Reports nobody claims are dropped after a week (see applyEarlyReceipts).
      unknown.push(item);
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
        : e.state === "read" && row.tracking_off
          ? { state: "delivered", at: e.at }
          : { state: e.state, at: e.at };
    const applied = applyDeliveryReport(current, report);
    if (applied) next.set(row.id, { row, snap: applied, workspaceId: connection.workspaceId });
    out.push({ kind: "status", status: applied ? "updated" : "unchanged", messageId: row.id });
  }
  if (unknown.length)
    await tx.q.query(
      `insert into early_receipts (connection_id, provider_message_id, state, at, reason, detail, received_at)
       select u.cid, u.pid, u.state, u.at, u.reason, u.detail, $7
       from unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::text[])
         with ordinality as u(cid, pid, state, at, reason, detail, n)
       order by u.n`,
      [
        unknown.map((u) => u.connection.id),
        unknown.map((u) => u.event.providerMessageId),
        unknown.map((u) => u.event.state),
        unknown.map((u) => u.event.at),
        unknown.map((u) => (u.event.state === "failed" ? (u.event.reason ?? "provider_error") : null)),
        unknown.map((u) => u.event.detail ?? null),
        tx.now,
      ],
    );
  await applyReports(tx, [...next.values()]);
  return out;
}

/**
 * Writes reports the state machine accepted: one statement for the messages and the list row's state of
 * the conversations whose last message they are (conversations in id order), then a `message.updated`
 * event each, in the messages' order.
 */
export async function applyReports(
  tx: Tx,
  reports: { row: LockedRow; snap: DeliverySnapshot; workspaceId: string }[],
) {
  if (!reports.length) return;
  const changed = [...reports].sort((a, b) => a.row.conversation_id.localeCompare(b.row.conversation_id));
  const updated = await tx.q.query<MessageRow>(
    `with lists as (
       update conversations c set last_outbound_state = u.state
       from unnest($9::uuid[], $1::uuid[], $2::text[]) as u(cid, mid, state)
       where c.id = u.cid and c.last_message_id = u.mid)
     update messages m set delivery_state = u.state, sent_at = u.sent_at, delivered_at = u.delivered_at,
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
      changed.map((c) => c.row.conversation_id),
    ],
  );
  const byId = new Map(changed.map((c) => [c.row.id, c]));
  for (const m of updated.sort((a, b) => Number(a.seq) - Number(b.seq))) {
    const { row, workspaceId } = byId.get(m.id)!;
    tx.emit(workspaceId, {
      type: "message.updated",
      conversationId: m.conversation_id,
      message: presentMessage(m),
      audience: row.workspace_id === workspaceId ? { conversation: accessOf(row) } : {},
    });
  }
}
