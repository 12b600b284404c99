import type { Conversation } from "@parley/protocol";
import type { Tx } from "../../../context";
import { addSystemEvent } from "../../messages/system-event";
import { accessOf, type ConversationRow, loadConversationRow, presentConversation } from "../present";

/**
 * After a conversation's status has changed in this transaction: the system line in the feed (closed,
 * reopened or status changed, with an optional reason), `conversation.assigned` when taking it in
 * progress assigned it, and `conversation.status_changed`. Returns the conversation as it is now.
 */
export async function announceStatusChange(
  tx: Tx,
  before: ConversationRow,
  by: { userId: string | null; reason?: string; took?: boolean },
): Promise<Conversation> {
  const workspaceId = before.workspace_id;
  const after = (await loadConversationRow(tx.q, workspaceId, before.id))!;
  const conversation = presentConversation(after);
  const audience = { conversation: accessOf(after) };
  const kind =
    after.status === "closed" ? "closed" : before.status === "closed" ? "reopened" : "status_changed";
  await addSystemEvent(
    tx,
    { workspaceId, conversationId: before.id, connectionId: before.connection_id },
    {
      kind,
      byUserId: by.userId,
      from: before.status,
      to: after.status,
      ...(by.reason ? { reason: by.reason } : {}),
    },
    audience,
  );
  if (by.took) {
    tx.emit(workspaceId, {
      type: "conversation.assigned",
      conversationId: before.id,
      conversation,
      previousAssigneeId: null,
      byUserId: by.userId,
      audience,
    });
  }
  tx.emit(workspaceId, {
    type: "conversation.status_changed",
    conversationId: before.id,
    conversation,
    previousStatus: before.status,
    byUserId: by.userId,
    audience,
  });
  return conversation;
}
