import { z } from "zod";

/** A task, a calendar event or a reminder, usually created from a conversation (R212). */
export const TaskKind = z.enum(["task", "event", "reminder"]);
export type TaskKind = z.infer<typeof TaskKind>;

export const Task = z.object({
  id: z.string(),
  kind: TaskKind,
  title: z.string(),
  notes: z.string().nullable(),
  conversationId: z.string().nullable(),
  contactId: z.string().nullable(),
  assigneeId: z.string(),
  createdBy: z.string().nullable(),
  dueAt: z.string().nullable(),
  /** The end of a calendar event. */
  endsAt: z.string().nullable(),
  /** When the assignee is reminded (an in-app notification), once. */
  remindAt: z.string().nullable(),
  remindedAt: z.string().nullable(),
  doneAt: z.string().nullable(),
  createdAt: z.string(),
});
export type Task = z.infer<typeof Task>;
