import type { Tx } from "../../../context";
import type { TaskRow } from "../present";
import { TASK_REMINDER_JOB } from "../reminder-job";

/** Schedules the reminder job for the task's reminder time (a changed time schedules a new one; stale ones do nothing). */
export async function scheduleReminder(tx: Tx, row: TaskRow) {
  if (!row.remind_at || row.reminded_at || row.done_at) return;
  await tx.enqueue(
    TASK_REMINDER_JOB,
    { taskId: row.id, workspaceId: row.workspace_id, remindAt: row.remind_at.toISOString() },
    {
      workspaceId: row.workspace_id,
      runAt: row.remind_at,
      idempotencyKey: `task-reminder:${row.id}:${row.remind_at.getTime()}`,
      maxAttempts: 5,
    },
  );
}
