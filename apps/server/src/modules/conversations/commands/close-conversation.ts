import type { Tx } from "../../../context";
import { enqueueDrain } from "../../distribution/jobs";
import type { ConversationRow } from "../present";
import { announceStatusChange } from "./announce-status";

/**
 * Closes a conversation whose row the transaction has locked (R206; R603 when a widget visitor left):
 * its status and close time, the "closed" system line (with the reason, if any) and
 * `conversation.status_changed`. `by.userId` is null when the system closes it.
 */
export async function closeConversation(
  tx: Tx,
  row: ConversationRow,
  by: { userId: string | null; reason?: "visitor_left" },
) {
  await tx.q.query(
    // A snooze ends with the conversation: a closed one is in no inbox view to come back to.
    "update conversations set status = 'closed', closed_at = $2, updated_at = $2, snoozed_until = null, snoozed_by = null where id = $1",
    [row.id, tx.now],
  );
  // The agent has room for one more: distribution hands them a waiting conversation.
  if (row.assignee_id) await enqueueDrain(tx, row.workspace_id);
  return announceStatusChange(tx, row, by);
}
