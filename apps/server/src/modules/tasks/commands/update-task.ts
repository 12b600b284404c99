import type { Task } from "@parley/protocol";
import { type AppContext, transact } from "../../../context";
import type { Actor } from "../../../domain/permissions";
import { notFound } from "../../../lib/errors";
import { iso } from "../../../lib/time";
import { canSeeTask } from "../policy";
import { presentTask, TASK_COLUMNS, type TaskRow } from "../present";
import type { UpdateBody } from "../schema";
import { checkAssignee, checkTimes } from "./checks";
import { scheduleReminder } from "./schedule-reminder";

/** Edits a task, marks it done or not done, moves its reminder (a moved one is scheduled anew). */
export async function updateTask(ctx: AppContext, actor: Actor, id: string, b: UpdateBody): Promise<Task> {
  return transact(ctx, async (tx) => {
    const [cur] = await tx.q.query<TaskRow>(
      `select ${TASK_COLUMNS} from tasks where workspace_id = $1 and id = $2 for update`,
      [actor.workspaceId, id],
    );
    if (!cur || !canSeeTask(actor, cur)) throw notFound("Task");
    if (b.assigneeId && b.assigneeId !== cur.assignee_id) await checkAssignee(tx.q, actor, b.assigneeId);
    const dueAt = b.dueAt !== undefined ? b.dueAt : iso(cur.due_at);
    const endsAt = b.endsAt !== undefined ? b.endsAt : iso(cur.ends_at);
    checkTimes({ dueAt, endsAt });
    const remindMoved =
      b.remindAt !== undefined &&
      (b.remindAt ? new Date(b.remindAt).getTime() : null) !== (cur.remind_at?.getTime() ?? null);
    const [row] = await tx.q.query<TaskRow>(
      `update tasks set title = $3, notes = $4, assignee_id = $5, due_at = $6, ends_at = $7, remind_at = $8,
         reminded_at = case when $9 then null else reminded_at end,
         done_at = case when $10::boolean is null then done_at when $10 then coalesce(done_at, $11) else null end,
         updated_at = $11
       where id = $1 and workspace_id = $2 returning ${TASK_COLUMNS}`,
      [
        cur.id,
        actor.workspaceId,
        b.title ?? cur.title,
        b.notes !== undefined ? b.notes : cur.notes,
        b.assigneeId ?? cur.assignee_id,
        dueAt,
        endsAt,
        b.remindAt !== undefined ? b.remindAt : cur.remind_at,
        remindMoved,
        b.done ?? null,
        tx.now,
      ],
    );
    if (remindMoved || b.done === false) await scheduleReminder(tx, row!);
    return presentTask(row!);
  });
}
