import type { Role } from "@parley/protocol";
import { z } from "zod";
import { type AppContext, transact } from "../../context";
import { type Actor, isAdmin } from "../../domain/permissions";
import { AppError, forbidden } from "../../lib/errors";
import { recordAudit } from "../audit/record";
import { assignConversation } from "../conversations/assign";
import { changeStatus } from "../conversations/change-status";
import { deleteConversation } from "../conversations/delete";
import { ListFilters, ListQuery, listConversationIds } from "../conversations/list";
import { markRead, markUnread } from "../conversations/read-state";

export const BULK_JOB = "conversations.bulk";
/** "Select all" takes the first this many of the current filter (R106). */
export const BULK_MAX = 1000;
/** Progress is saved after each chunk: a retried job resumes where it stopped. */
const CHUNK = 50;

export const BulkAction = z.enum(["close", "reassign", "mark_read", "mark_unread", "delete"]);
export type BulkAction = z.infer<typeof BulkAction>;

export const BulkInput = z
  .object({
    action: BulkAction,
    /** The selected conversations, or `filter` for "select all" (the first 1,000 of the filtered list). */
    ids: z.array(z.uuid()).min(1).max(BULK_MAX).optional(),
    filter: ListFilters.extend({ sort: ListQuery.shape.sort }).optional(),
    /** reassign: the new responsible agent (null: back to the queue) and optionally the team. */
    assigneeId: z.uuid().nullable().optional(),
    teamId: z.uuid().nullable().optional(),
  })
  .refine((b) => (b.ids ? !b.filter : Boolean(b.filter)), {
    message: "Send either the selected ids or the filter to select all, not both.",
    path: ["ids"],
  })
  .refine((b) => b.action !== "reassign" || b.assigneeId !== undefined, {
    message: "Reassigning needs assigneeId (null hands the conversations back to the queue).",
    path: ["assigneeId"],
  });
export type BulkInput = z.infer<typeof BulkInput>;

export const BulkOperation = z.object({
  id: z.string(),
  action: BulkAction,
  status: z.enum(["running", "completed", "failed"]),
  total: z.number(),
  done: z.number(),
  failed: z.number(),
  /** The first failures: which conversation and why (the error's stable code and message). */
  errors: z.array(z.object({ conversationId: z.string(), code: z.string(), message: z.string() })),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
});

interface OperationRow {
  id: string;
  workspace_id: string;
  user_id: string | null;
  action: BulkAction;
  params: { assigneeId?: string | null; teamId?: string | null; ip?: string | null };
  conversation_ids: string[];
  total: number;
  done: number;
  failed: number;
  errors: { conversationId: string; code: string; message: string }[];
  status: "running" | "completed" | "failed";
  audit_id: string | null;
  created_at: Date;
  finished_at: Date | null;
}

export const presentOperation = (r: OperationRow): z.infer<typeof BulkOperation> => ({
  id: r.id,
  action: r.action,
  status: r.status,
  total: r.total,
  done: r.done,
  failed: r.failed,
  errors: r.errors,
  createdAt: r.created_at.toISOString(),
  finishedAt: r.finished_at ? r.finished_at.toISOString() : null,
});

export async function loadOperation(ctx: AppContext, workspaceId: string, id: string) {
  const [row] = await ctx.db.query<OperationRow>(
    "select * from bulk_operations where workspace_id = $1 and id = $2",
    [workspaceId, id],
  );
  return row ?? null;
}

/**
 * Starts a bulk action (R106): resolves the conversations (the selection, or the first 1,000 of the filter
 * the caller sees), stores the operation with an audit entry and hands it to a job, all in one transaction.
 * Deleting needs the delete permission up front; the other actions are checked per conversation.
 */
export async function startBulk(ctx: AppContext, actor: Actor, input: BulkInput, ip: string | null) {
  if (input.action === "delete" && !isAdmin(actor.role))
    throw forbidden("Only owners and admins can delete conversations.");
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

async function actorFor(ctx: AppContext, userId: string | null): Promise<Actor | null> {
  if (!userId) return null;
  const [u] = await ctx.db.query<{ id: string; workspace_id: string; role: Role; team_ids: string[] }>(
    `select u.id, u.workspace_id, u.role,
       coalesce((select array_agg(tm.team_id::text) from team_members tm where tm.user_id = u.id), '{}') as team_ids
     from users u where u.id = $1 and u.status = 'active'`,
    [userId],
  );
  return u ? { userId: u.id, workspaceId: u.workspace_id, role: u.role, teamIds: u.team_ids } : null;
}

async function applyOne(ctx: AppContext, actor: Actor, op: OperationRow, id: string) {
  switch (op.action) {
    case "close":
      await changeStatus(ctx, actor, id, "closed");
      return;
    case "reassign":
      await assignConversation(ctx, actor, id, {
        assigneeId: op.params.assigneeId ?? null,
        ...(op.params.teamId !== undefined ? { teamId: op.params.teamId } : {}),
      });
      return;
    case "mark_read":
      await markRead(ctx, actor, id, null);
      return;
    case "mark_unread":
      await markUnread(ctx, actor, id);
      return;
    case "delete":
      await deleteConversation(ctx, actor, id, op.params.ip ?? null);
      return;
  }
}

/**
 * The job: applies the action to each conversation with the caller's permissions as they are now (each its
 * own transaction with its events, so open lists update live), saving progress after every chunk.
 */
export function registerBulkJob(ctx: AppContext) {
  ctx.jobs.register({
    type: BULK_JOB,
    payload: z.object({ operationId: z.uuid() }),
    maxAttempts: 3,
    async run({ operationId }) {
      const [op] = await ctx.db.query<OperationRow>("select * from bulk_operations where id = $1", [
        operationId,
      ]);
      if (op?.status !== "running") return;
      const actor = await actorFor(ctx, op.user_id);
      if (!actor || actor.workspaceId !== op.workspace_id) {
        await ctx.db.query("update bulk_operations set status = 'failed', finished_at = $2 where id = $1", [
          op.id,
          ctx.clock.now(),
        ]);
        return;
      }
      let position = op.done + op.failed;
      const errors = [...op.errors];
      while (position < op.conversation_ids.length) {
        const chunk = op.conversation_ids.slice(position, position + CHUNK);
        let done = 0;
        let failed = 0;
        for (const id of chunk) {
          try {
            await applyOne(ctx, actor, op, id);
            done++;
          } catch (err) {
            failed++;
            const e =
              err instanceof AppError
                ? { code: err.code, message: err.message }
                : { code: "internal", message: "Unexpected error." };
            if (!(err instanceof AppError))
              ctx.log.error({ err, operationId, conversationId: id }, "bulk action failed");
            if (errors.length < 20) errors.push({ conversationId: id, ...e });
          }
        }
        position += chunk.length;
        await ctx.db.query(
          "update bulk_operations set done = done + $2, failed = failed + $3, errors = $4 where id = $1",
          [op.id, done, failed, JSON.stringify(errors)],
        );
      }
      const now = ctx.clock.now();
      const [final] = await ctx.db.query<OperationRow>(
        "update bulk_operations set status = 'completed', finished_at = $2 where id = $1 returning *",
        [op.id, now],
      );
      if (op.audit_id)
        await ctx.db.query("update audit_log set data = data || $2::jsonb where id = $1", [
          op.audit_id,
          JSON.stringify({ completed: true, done: final!.done, failed: final!.failed }),
        ]);
    },
  });
}
