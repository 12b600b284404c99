import type { ConversationStatus } from "@parley/protocol";
import { type AppContext, transact } from "../../context";
import type { Actor } from "../../domain/permissions";
import { addSystemEvent } from "../messages/system-event";
import { conversationForActor } from "./access";
import { accessOf, loadConversationRow, presentConversation } from "./present";

/** Open, take in progress, or close a conversation (R206, R208), with a system line in the feed. */
export async function changeStatus(ctx: AppContext, actor: Actor, id: string, status: ConversationStatus) {
  return transact(ctx, async (tx) => {
    const { row } = await conversationForActor(tx.q, actor, id, {
      lock: true,
      need: "changeStatus",
      why: "Only the agent responsible for this conversation can change its status.",
    });
    if (row.status === status) return presentConversation(row);
    // Taking a queued conversation in progress assigns it to whoever took it.
    const takes = status === "in_progress" && row.assignee_id === null;
    await tx.q.query(
      `update conversations set status = $2, updated_at = $3,
         closed_at = case when $2 = 'closed' then $3::timestamptz else null end,
         assignee_id = case when $4 then $5::uuid else assignee_id end
       where id = $1`,
      [id, status, tx.now, takes, actor.userId],
    );
    const after = (await loadConversationRow(tx.q, actor.workspaceId, id))!;
    const conversation = presentConversation(after);
    const audience = { conversation: accessOf(after) };
    await addSystemEvent(
      tx,
      { workspaceId: actor.workspaceId, conversationId: id, connectionId: row.connection_id },
      {
        kind: status === "closed" ? "closed" : row.status === "closed" ? "reopened" : "status_changed",
        byUserId: actor.userId,
        from: row.status,
        to: status,
      },
      audience,
    );
    if (takes) {
      tx.emit(actor.workspaceId, {
        type: "conversation.assigned",
        conversationId: id,
        conversation,
        previousAssigneeId: null,
        byUserId: actor.userId,
        audience,
      });
    }
    tx.emit(actor.workspaceId, {
      type: "conversation.status_changed",
      conversationId: id,
      conversation,
      previousStatus: row.status,
      byUserId: actor.userId,
      audience,
    });
    return conversation;
  });
}
