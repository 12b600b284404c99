import type { Tx } from "../../context";
import { applyDeliveryReport, type DeliveryReport } from "../../domain/delivery-state";
import { accessOf, loadConversationRow } from "../conversations/present";
import { readTrackingOff } from "../receipts/policy";
import { MESSAGE_COLUMNS, type MessageRow, presentMessage } from "./present";

/**
 * Moves a locked outgoing message through the delivery state machine and records `message.updated`.
 * Returns false when the report changes nothing (a duplicate or a step backwards).
 */
export async function updateDelivery(
  tx: Tx,
  workspaceId: string,
  row: MessageRow,
  report: DeliveryReport,
): Promise<boolean> {
  if (!row.delivery_state) return false;
  // Where read receipts are off or the contact has not consented (R305, R307), a read report only says the
  // message arrived: its read time is not kept.
  const effective: DeliveryReport =
    report.state === "read" && (await readTrackingOff(tx.q, row.conversation_id))
      ? { state: "delivered", at: report.at }
      : report;
  const next = applyDeliveryReport(
    {
      state: row.delivery_state,
      sentAt: row.sent_at,
      deliveredAt: row.delivered_at,
      readAt: row.read_at,
      failedAt: row.failed_at,
      failureReason: row.failure_reason,
      failureDetail: row.failure_detail,
    },
    effective,
  );
  if (!next) return false;
  const [updated] = await tx.q.query<MessageRow>(
    `update messages set delivery_state = $2, sent_at = $3, delivered_at = $4, read_at = $5, failed_at = $6,
       failure_reason = $7, failure_detail = $8
     where id = $1 returning ${MESSAGE_COLUMNS}`,
    [
      row.id,
      next.state,
      next.sentAt,
      next.deliveredAt,
      next.readAt,
      next.failedAt,
      next.failureReason,
      next.failureDetail,
    ],
  );
  await tx.q.query(
    "update conversations set last_outbound_state = $2 where id = $1 and last_message_id = $3",
    [row.conversation_id, next.state, row.id],
  );
  const conv = await loadConversationRow(tx.q, workspaceId, row.conversation_id);
  tx.emit(workspaceId, {
    type: "message.updated",
    conversationId: row.conversation_id,
    message: presentMessage(updated!),
    audience: conv ? { conversation: accessOf(conv) } : {},
  });
  return true;
}
