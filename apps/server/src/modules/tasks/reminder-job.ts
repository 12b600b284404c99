import { z } from "zod";
import { type AppContext, transact } from "../../context";
import { presentTask, TASK_COLUMNS, type TaskRow } from "./present";

export const TASK_REMINDER_JOB = "task.reminder";

const Payload = z.object({ taskId: z.uuid(), workspaceId: z.uuid(), remindAt: z.string() });

/**
 * Runs at a task's reminder time: tells its assignee (a `task.reminder` event on their sockets, which the
 * app shows as a notification). A reminder moved, done or deleted since the job was scheduled does nothing.
 */
export function registerTaskReminderJob(ctx: AppContext) {
  ctx.jobs.register({
    type: TASK_REMINDER_JOB,
    payload: Payload,
    maxAttempts: 5,
    async run(p) {
      await transact(ctx, async (tx) => {
        const [row] = await tx.q.query<TaskRow>(
          `update tasks set reminded_at = $4, updated_at = $4
           where id = $1 and workspace_id = $2 and remind_at = $3 and reminded_at is null and done_at is null
           returning ${TASK_COLUMNS}`,
          [p.taskId, p.workspaceId, p.remindAt, tx.now],
        );
        if (!row) return;
        tx.emit(p.workspaceId, {
          type: "task.reminder",
          task: presentTask(row),
          audience: { userIds: [row.assignee_id] },
        });
      });
    },
  });
}
