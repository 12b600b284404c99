import { type AppContext, transact } from "../../../context";
import { type Actor, mustHold } from "../../../domain/permissions";
import { AppError } from "../../../lib/errors";
import { recordAudit } from "../../audit/record";
import { listConversationIds } from "../../conversations/list";
import { BULK_JOB } from "../job";
import type { OperationRow } from "../present";
import { BULK_MAX, type BulkInput } from "../schema";

/**
 * Starts a bulk action (R106): resolves the conversations (the selection, or the first 1,000 of the filter
 * the caller sees), stores the operation with an audit entry and hands it to a job, all in one transaction.
 * Needs `conversations.bulk`, and deleting the delete permission, up front; the other actions are checked per conversation.
 */
export async function startBulk(ctx: AppContext, actor: Actor, input: BulkInput, ip: string | null) {
  mustHold(actor, "conversations.bulk");
  if (input.action === "delete") mustHold(actor, "conversations.delete");
  const ids = input.ids
    ? [...new Set(input.ids)]
    : await listConversationIds(ctx.db, actor, input.filter!, BULK_MAX);
  if (!ids.length) throw new AppError("validation_failed", "No conversation matches: nothing to do.");
  const params = { assigneeId: input.assigneeId ?? null, teamId: input.teamId, ip };
  return transact(ctx, async (tx) => {
    const audit = await recordAudit(tx.q, {
      workspaceId: actor.workspaceId,
      userId: actor.userId,
      action: `conversations.bulk_${input.action}`,
      targetType: "conversations",
      data: {
        count: ids.length,
        conversationIds: ids,
        selectAll: !input.ids,
        ...(input.filter ? { filter: input.filter } : {}),
        ...(input.action === "reassign"
          ? { assigneeId: params.assigneeId, teamId: params.teamId ?? null }
          : {}),
      },
      ip,
      at: tx.now,
    });
    const [row] = await tx.q.query<OperationRow>(
      `insert into bulk_operations (workspace_id, user_id, action, params, conversation_ids, total, audit_id, created_at)
       values ($1, $2, $3, $4, $5::uuid[], $6, $7, $8) returning *`,
      [
        actor.workspaceId,
        actor.userId,
        input.action,
        JSON.stringify(params),
        ids,
        ids.length,
        audit.id,
        tx.now,
      ],
    );
    await tx.q.query("update audit_log set target_id = $2 where id = $1", [audit.id, row!.id]);
    await tx.enqueue(BULK_JOB, { operationId: row!.id }, { workspaceId: actor.workspaceId, maxAttempts: 3 });
    return row!;
  });
}
