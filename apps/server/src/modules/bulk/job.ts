import type { Role } from "@parley/protocol";
import { z } from "zod";
import type { AppContext } from "../../context";
import { type Actor, can, permissionsFor } from "../../domain/permissions";
import { AppError } from "../../lib/errors";
import { tokenActorNow } from "../api-tokens/resolve";
import { recordAudit } from "../audit/record";
import { assignConversation } from "../conversations/assign";
import { changeStatus } from "../conversations/change-status";
import { setImportant } from "../conversations/commands/set-important";
import { snoozeConversation } from "../conversations/commands/snooze";
import { deleteConversation } from "../conversations/delete";
import { markRead, markUnread } from "../conversations/read-state";
import { storedPermissionsSql } from "../users/queries/permissions-sql";
import type { OperationRow } from "./present";

export const BULK_JOB = "conversations.bulk";
/** Progress is saved after each chunk: a retried job resumes where it stopped. */
const CHUNK = 50;

/** The person who started an operation, with their role's permissions as they are now (null once deactivated). */
async function personActor(ctx: AppContext, userId: string): Promise<Actor | null> {
  const [u] = await ctx.db.query<{
    id: string;
    workspace_id: string;
    role: Role;
    team_ids: string[];
    stored_permissions: string[] | null;
  }>(
    `select u.id, u.workspace_id, u.role,
       coalesce((select array_agg(tm.team_id::text) from team_members tm where tm.user_id = u.id), '{}') as team_ids,
       ${storedPermissionsSql("u")} as stored_permissions
     from users u where u.id = $1 and u.status = 'active'`,
    [userId],
  );
  if (!u) return null;
  const permissions = permissionsFor(u.role, u.stored_permissions);
  return { userId: u.id, workspaceId: u.workspace_id, role: u.role, teamIds: u.team_ids, permissions };
}

/**
 * Who an operation acts as, as things stand now: the API token it was started with (the token's permissions
 * that its creator still holds), else the person who started it. Null when they could not make the request
 * now: the token revoked or expired, the person deactivated.
 */
async function actorFor(ctx: AppContext, op: OperationRow): Promise<Actor | null> {
  if (!op.user_id) return null;
  const actor = op.params.tokenId
    ? await tokenActorNow(ctx.db, op.params.tokenId, ctx.clock.now())
    : await personActor(ctx, op.user_id);
  return actor?.userId === op.user_id && actor.workspaceId === op.workspace_id ? actor : null;
}

/** What starting the operation needed (`startBulk`), which running the rest of it still needs. */
const mayRun = (actor: Actor, op: OperationRow) =>
  can(actor, "conversations.bulk") && (op.action !== "delete" || can(actor, "conversations.delete"));

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
    case "mark_important":
    case "unmark_important":
      await setImportant(ctx, actor, id, op.action === "mark_important");
      return;
    case "snooze":
      await snoozeConversation(ctx, actor, id, op.params.snooze ?? {});
      return;
    case "delete":
      await deleteConversation(ctx, actor, id, {
        ip: op.params.ip ?? null,
        userAgent: op.params.userAgent ?? null,
        tokenId: op.params.tokenId ?? null,
      });
      return;
  }
}

/**
 * The job: applies the action to each conversation as the caller is now (`actorFor`: an API token's
 * permissions stay the token's), each its own transaction with its events, so open lists update live, and
 * saves progress after every chunk. A conversation the caller may not see or change is counted as failed
 * with the refusal's code.
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
      let position = op.done + op.failed;
      const errors = [...op.errors];
      while (position < op.conversation_ids.length) {
        // Asked again before every chunk: a token revoked, a person deactivated, or the permission to start
        // the operation taken away meanwhile stops the rest.
        const actor = await actorFor(ctx, op);
        if (!actor || !mayRun(actor, op)) {
          await ctx.db.query("update bulk_operations set status = 'failed', finished_at = $2 where id = $1", [
            op.id,
            ctx.clock.now(),
          ]);
          return;
        }
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
      // The start's entry stays as it was written (the log is append-only): the outcome is an entry of its
      // own, in the transaction that completes the operation.
      await ctx.db.tx(async (q) => {
        const [final] = await q.query<OperationRow>(
          "update bulk_operations set status = 'completed', finished_at = $2 where id = $1 returning *",
          [op.id, now],
        );
        await recordAudit(q, {
          workspaceId: op.workspace_id,
          userId: op.user_id,
          action: `conversations.bulk_${op.action}_completed`,
          targetType: "bulk_operation",
          targetId: op.id,
          data: { count: final!.total, done: final!.done, failed: final!.failed },
          // The API token it was started with, as the entries of its actions carry it.
          tokenId: op.params.tokenId ?? null,
          at: now,
        });
      });
    },
  });
}
