import { Task, TaskKind } from "@parley/protocol";
import { z } from "zod";
import { type AppContext, type Tx, transact } from "../../context";
import type { Queryable } from "../../db/client";
import { type Actor, isManager } from "../../domain/permissions";
import { type App, actorOf } from "../../http/types";
import { AppError, forbidden, notFound } from "../../lib/errors";
import { iso } from "../../lib/time";
import { conversationForActor } from "../conversations/access";

export const TASK_REMINDER_JOB = "task.reminder";

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

const tags = ["tasks"];
const IdParams = z.object({ id: z.uuid() });
const When = z.iso.datetime({ offset: true }).nullable();
const Fields = z.object({
  title: z.string().trim().min(1).max(300),
  notes: z.string().trim().max(4000).nullable(),
  assigneeId: z.uuid(),
  dueAt: When,
  endsAt: When,
  remindAt: When,
});

/** A task is its assignee's and its author's; supervisors and admins see every task of the workspace. */
const canSee = (actor: Actor, r: Pick<TaskRow, "assignee_id" | "created_by">) =>
  isManager(actor.role) || r.assignee_id === actor.userId || r.created_by === actor.userId;

async function checkAssignee(q: Queryable, actor: Actor, assigneeId: string) {
  const [u] = await q.query(
    "select 1 from users where id = $1 and workspace_id = $2 and status <> 'disabled'",
    [assigneeId, actor.workspaceId],
  );
  if (!u) throw new AppError("validation_failed", "The assignee is not an active user of this workspace.");
}

/** Schedules the reminder job for the task's reminder time (a changed time schedules a new one; stale ones do nothing). */
async function scheduleReminder(tx: Tx, row: TaskRow) {
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

function checkTimes(t: { dueAt?: string | null; endsAt?: string | null }) {
  if (t.dueAt && t.endsAt && new Date(t.endsAt) < new Date(t.dueAt))
    throw new AppError("validation_failed", "An event cannot end before it starts.");
}

export async function taskRoutes(app: App, ctx: AppContext) {
  app.get(
    "/api/tasks",
    {
      schema: {
        tags,
        summary:
          "Tasks, events and reminders: mine (default), or everyone's for supervisors; open ones by due time",
        querystring: z.object({
          scope: z.enum(["mine", "all"]).default("mine"),
          status: z.enum(["open", "done", "all"]).default("open"),
          conversationId: z.uuid().optional(),
          limit: z.coerce.number().int().min(1).max(500).default(200),
        }),
        response: { 200: z.object({ tasks: z.array(Task) }) },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      const { scope, status, conversationId, limit } = req.query;
      if (scope === "all" && !isManager(actor.role))
        throw forbidden("Only supervisors and admins can see everyone's tasks.");
      if (conversationId) await conversationForActor(ctx.db, actor, conversationId);
      const rows = await ctx.db.query<TaskRow>(
        `select ${TASK_COLUMNS} from tasks
         where workspace_id = $1
           and ($2::boolean or assignee_id = $3 or (created_by = $3 and $4::uuid is not null))
           and ($4::uuid is null or conversation_id = $4)
           and ($5 = 'all' or (done_at is not null) = ($5 = 'done'))
         order by (done_at is not null), due_at nulls last, id limit $6`,
        [actor.workspaceId, scope === "all", actor.userId, conversationId ?? null, status, limit],
      );
      return { tasks: rows.filter((r) => canSee(actor, r)).map(presentTask) };
    },
  );

  app.post(
    "/api/tasks",
    {
      schema: {
        tags,
        summary: "Create a task, a calendar event or a reminder, optionally from a conversation",
        body: Fields.partial({
          notes: true,
          assigneeId: true,
          dueAt: true,
          endsAt: true,
          remindAt: true,
        }).extend({
          kind: TaskKind.default("task"),
          conversationId: z.uuid().nullish(),
        }),
        response: { 201: z.object({ task: Task }) },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      const b = req.body;
      checkTimes(b);
      if (b.kind === "event" && !b.dueAt)
        throw new AppError("validation_failed", "An event needs a start time.");
      // A reminder reminds at its time unless told otherwise.
      const remindAt = b.remindAt ?? (b.kind === "reminder" ? (b.dueAt ?? null) : null);
      if (b.kind === "reminder" && !remindAt)
        throw new AppError("validation_failed", "A reminder needs a time.");
      const task = await transact(ctx, async (tx) => {
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
      return reply.code(201).send({ task });
    },
  );

  app.patch(
    "/api/tasks/:id",
    {
      schema: {
        tags,
        summary: "Edit a task, mark it done or not done, move its reminder",
        params: IdParams,
        body: Fields.partial().extend({ done: z.boolean().optional() }),
        response: { 200: z.object({ task: Task }) },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      const b = req.body;
      const task = await transact(ctx, async (tx) => {
        const [cur] = await tx.q.query<TaskRow>(
          `select ${TASK_COLUMNS} from tasks where workspace_id = $1 and id = $2 for update`,
          [actor.workspaceId, req.params.id],
        );
        if (!cur || !canSee(actor, cur)) throw notFound("Task");
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
      return { task };
    },
  );

  app.delete(
    "/api/tasks/:id",
    { schema: { tags, summary: "Delete a task", params: IdParams } },
    async (req, reply) => {
      const actor = actorOf(req);
      const [cur] = await ctx.db.query<TaskRow>(
        `select ${TASK_COLUMNS} from tasks where workspace_id = $1 and id = $2`,
        [actor.workspaceId, req.params.id],
      );
      if (!cur || !canSee(actor, cur)) throw notFound("Task");
      await ctx.db.query("delete from tasks where id = $1 and workspace_id = $2", [
        cur.id,
        actor.workspaceId,
      ]);
      return reply.code(204).send();
    },
  );
}
