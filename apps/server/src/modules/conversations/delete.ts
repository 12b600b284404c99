import { type AppContext, transact } from "../../context";
import type { Actor } from "../../domain/permissions";
import { conversationForActor } from "./access";

/** Deletes a conversation and its messages (R213; admins), with an audit entry and a realtime event. */
export async function deleteConversation(ctx: AppContext, actor: Actor, id: string, ip: string | null) {
  await transact(ctx, async (tx) => {
    const { row } = await conversationForActor(tx.q, actor, id, {
      lock: true,
      need: "delete",
      why: "Only owners and admins can delete conversations.",
    });
    await tx.q.query("delete from conversations where id = $1", [row.id]);
    await tx.q.query(
      "insert into audit_log (workspace_id, user_id, action, target_type, target_id, data, ip, created_at) values ($1, $2, 'conversation.deleted', 'conversation', $3, $4, $5, $6)",
      [actor.workspaceId, actor.userId, row.id, JSON.stringify({ number: row.number }), ip, tx.now],
    );
    tx.emit(actor.workspaceId, {
      type: "conversation.deleted",
      conversationId: row.id,
      byUserId: actor.userId,
      audience: {
        conversation: {
          workspaceId: row.workspace_id,
          assigneeId: row.assignee_id,
          operatorIds: row.operator_ids,
          teamId: row.team_id,
        },
      },
    });
  });
}
