import type { Conversation } from "@parley/protocol";
import type { Tx } from "../../../context";
import { addSystemEvent } from "../../messages/system-event";
import { accessOf, type ConversationRow, loadConversationRow, presentConversation } from "../present";

/**
 * After a conversation's important flag or snooze changed in this transaction: the line in the feed (marked
 * important, snoozed, woken …) and `conversation.updated` with the conversation as it is now, so open lists
 * and views move it without a refetch. Returns the conversation.
 */
export async function announceUpdate(
  tx: Tx,
  before: ConversationRow,
  line: {
    kind: "marked_important" | "unmarked_important" | "snoozed" | "unsnoozed";
    byUserId: string | null;
  } & Record<string, unknown>,
): Promise<Conversation> {
  const workspaceId = before.workspace_id;
  const after = (await loadConversationRow(tx.q, workspaceId, before.id))!;
  const conversation = presentConversation(after);
  const audience = { conversation: accessOf(after) };
  await addSystemEvent(
    tx,
    { workspaceId, conversationId: before.id, connectionId: before.connection_id },
    line,
    audience,
  );
  tx.emit(workspaceId, { type: "conversation.updated", conversationId: before.id, conversation, audience });
  return conversation;
}
