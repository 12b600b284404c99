import type { Task } from "@parley/protocol";
import type { AppContext } from "../../../context";
import type { Actor } from "../../../domain/permissions";
import { conversationForActor } from "../../conversations/access";
import { canSeeTask } from "../policy";
import { presentTask, TASK_COLUMNS, type TaskRow } from "../present";
import type { ListQuery } from "../schema";

/**
 * Tasks, events and reminders the actor may see: open ones first, by due time. With a period (`from`, `to`):
 * those due in it, events overlapping it and reminders set in it, by their first time in the period.
 */
export async function listTasks(ctx: AppContext, actor: Actor, query: ListQuery): Promise<Task[]> {
  const { scope, status, conversationId, limit } = query;
  if (conversationId) await conversationForActor(ctx.db, actor, conversationId);
  const period = query.from && query.to ? [query.from, query.to] : [null, null];
  const rows = await ctx.db.query<TaskRow>(
    `select ${TASK_COLUMNS} from tasks
     where workspace_id = $1
       and ($2::boolean or assignee_id = $3 or (created_by = $3 and $4::uuid is not null))
       and ($4::uuid is null or conversation_id = $4)
       and ($5 = 'all' or (done_at is not null) = ($5 = 'done'))
       and ($7::timestamptz is null
            or (due_at >= $7 and due_at < $8)
            or (remind_at >= $7 and remind_at < $8)
            or (due_at < $8 and ends_at > $7))
     order by ${
       period[0]
         ? "coalesce(least(case when due_at >= $7 then due_at end, case when remind_at >= $7 then remind_at end), $7)"
         : "(done_at is not null), due_at nulls last"
     }, id limit $6`,
    [actor.workspaceId, scope === "all", actor.userId, conversationId ?? null, status, limit, ...period],
  );
  return rows.filter((r) => canSeeTask(actor, r)).map(presentTask);
}
