import type { Task } from "@parley/protocol";
import { iso } from "../../lib/time";

export interface TaskRow {
  id: string;
  workspace_id: string;
  kind: Task["kind"];
  title: string;
  notes: string | null;
  conversation_id: string | null;
  contact_id: string | null;
  assignee_id: string;
  created_by: string | null;
  due_at: Date | null;
  ends_at: Date | null;
  remind_at: Date | null;
  reminded_at: Date | null;
  done_at: Date | null;
  created_at: Date;
}

export const TASK_COLUMNS =
  "id, workspace_id, kind, title, notes, conversation_id, contact_id, assignee_id, created_by, due_at, ends_at, remind_at, reminded_at, done_at, created_at";

export const presentTask = (r: TaskRow): Task => ({
  id: r.id,
  kind: r.kind,
  title: r.title,
  notes: r.notes,
  conversationId: r.conversation_id,
  contactId: r.contact_id,
  assigneeId: r.assignee_id,
  createdBy: r.created_by,
  dueAt: iso(r.due_at),
  endsAt: iso(r.ends_at),
  remindAt: iso(r.remind_at),
  remindedAt: iso(r.reminded_at),
  doneAt: iso(r.done_at),
  createdAt: iso(r.created_at)!,
});
