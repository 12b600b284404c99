import type { Task } from "@parley/protocol";
import { type AppContext, transact } from "../../../context";
import type { Actor } from "../../../domain/permissions";
import { AppError } from "../../../lib/errors";
import { conversationForActor } from "../../conversations/access";
import { presentTask, TASK_COLUMNS, type TaskRow } from "../present";
import type { CreateBody } from "../schema";
import { checkAssignee, checkTimes } from "./checks";
import { scheduleReminder } from "./schedule-reminder";

/** Creates a task, a calendar event or a reminder, optionally from a conversation (its contact is kept). */
export async function createTask(ctx: AppContext, actor: Actor, b: CreateBody): Promise<Task> {
  checkTimes(b);
  if (b.kind === "event" && !b.dueAt) throw new AppError("validation_failed", "An event needs a start time.");
  // A reminder reminds at its time unless told otherwise.
  const remindAt = b.remindAt ?? (b.kind === "reminder" ? (b.dueAt ?? null) : null);
  if (b.kind === "reminder" && !remindAt) throw new AppError("validation_failed", "A reminder needs a time.");
  return transact(ctx, async (tx) => {
    const assigneeId = b.assigneeId ?? actor.userId;
    if (assigneeId !== actor.userId) await checkAssignee(tx.q, actor, assigneeId);
    let contactId: string | null = null;
    if (b.conversationId)
      contactId = (await conversationForActor(tx.q, actor, b.conversationId)).row.contact_id;
    const [row] = await tx.q.query<TaskRow>(
      `insert into tasks (workspace_id, kind, title, notes, conversation_id, contact_id, assignee_id, created_by,
         due_at, ends_at, remind_at, created_at, updated_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) returning ${TASK_COLUMNS}`,
      [
        actor.workspaceId,
        b.kind,
        b.title,
        b.notes ?? null,
        b.conversationId ?? null,
        contactId,
        assigneeId,
        actor.userId,
        b.dueAt ?? null,
        b.endsAt ?? null,
        remindAt,
        tx.now,
      ],
    );
    await scheduleReminder(tx, row!);
    return presentTask(row!);
  });
}
