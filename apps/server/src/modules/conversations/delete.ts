import { type AppContext, transact } from "../../context";
import type { Actor } from "../../domain/permissions";
import { type AuditSource, recordAudit } from "../audit/record";
import { forgetWords, heldWords } from "../search/vocabulary";
import { conversationForActor } from "./access";

/** Deletes a conversation and its messages (R213; admins), with an audit entry and a realtime event. */
export async function deleteConversation(ctx: AppContext, actor: Actor, id: string, source: AuditSource) {
  await transact(ctx, async (tx) => {
    const { row } = await conversationForActor(tx.q, actor, id, {
      lock: true,
      need: "delete",
      why: "Only owners and admins can delete conversations.",
    });
    const held = await heldWords(tx.q, row.workspace_id, [row.id]);
    await tx.q.query("delete from conversations where id = $1", [row.id]);
    await forgetWords(tx.q, row.workspace_id, held);
    await recordAudit(tx.q, {
      workspaceId: actor.workspaceId,
      userId: actor.userId,
      action: "conversation.deleted",
      targetType: "conversation",
      targetId: row.id,
      data: { number: row.number, count: 1 },
      ...source,
      at: tx.now,
    });
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
