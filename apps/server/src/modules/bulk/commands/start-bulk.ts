import crypto from "node:crypto";
import { type AppContext, transact } from "../../../context";
import { type Actor, mustHold } from "../../../domain/permissions";
import { AppError } from "../../../lib/errors";
import { type AuditSource, recordAudit } from "../../audit/record";
import { listConversationIds } from "../../conversations/list";
import { BULK_JOB } from "../job";
import type { OperationRow } from "../present";
import { BULK_MAX, type BulkInput } from "../schema";

/**
 * Starts a bulk action (R106): resolves the conversations (the selection, or the first 1,000 of the filter
 * the caller sees), stores the operation with an audit entry and hands it to a job, all in one transaction.
 * Needs `conversations.bulk`, and deleting the delete permission, up front; the other actions are checked per conversation.
 * The operation records the API token it was started with (`tokenId`), so the job acts with that token's permissions.
 */
export async function startBulk(
  ctx: AppContext,
  actor: Actor & { tokenId?: string },
  input: BulkInput,
  source: AuditSource,
) {
  mustHold(actor, "conversations.bulk");
  if (input.action === "delete") mustHold(actor, "conversations.delete");
  const ids = input.ids
    ? [...new Set(input.ids)]
    : await listConversationIds(ctx.db, actor, input.filter!, BULK_MAX);
  if (!ids.length) throw new AppError("validation_failed", "No conversation matches: nothing to do.");
  const params = {
    assigneeId: input.assigneeId ?? null,
    teamId: input.teamId,
    ...(input.action === "snooze" ? { snooze: input.snooze } : {}),
    ...source,
    tokenId: actor.tokenId ?? null,
  };
  // The operation's id is chosen first: the audit entry names it and is never changed afterwards.
  const operationId = crypto.randomUUID();
  return transact(ctx, async (tx) => {
    const audit = await recordAudit(tx.q, {
      workspaceId: actor.workspaceId,
      userId: actor.userId,
      action: `conversations.bulk_${input.action}`,
      targetType: "bulk_operation",
      targetId: operationId,
      data: {
        count: ids.length,
        conversationIds: ids,
        selectAll: !input.ids,
        ...(input.filter ? { filter: input.filter } : {}),
        ...(input.action === "reassign"
          ? { assigneeId: params.assigneeId, teamId: params.teamId ?? null }
          : {}),
        ...(input.action === "snooze" ? { snooze: input.snooze } : {}),
      },
      ...source,
      at: tx.now,
    });
    const [row] = await tx.q.query<OperationRow>(
      `insert into bulk_operations (id, workspace_id, user_id, action, params, conversation_ids, total, audit_id, created_at)
       values ($1, $2, $3, $4, $5, $6::uuid[], $7, $8, $9) returning *`,
      [
        operationId,
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
    await tx.enqueue(BULK_JOB, { operationId: row!.id }, { workspaceId: actor.workspaceId, maxAttempts: 3 });
    return row!;
  });
}
