import { Task } from "@parley/protocol";
import { z } from "zod";
import type { AppContext } from "../../context";
import { mustHold } from "../../domain/permissions";
import { type App, actorOf } from "../../http/types";
import { createTask } from "./commands/create-task";
import { deleteTask } from "./commands/delete-task";
import { updateTask } from "./commands/update-task";
import { listTasks } from "./queries/list-tasks";
import { CreateBody, IdParams, ListQuery, UpdateBody } from "./schema";

const tags = ["tasks"];

export async function taskRoutes(app: App, ctx: AppContext) {
  app.get(
    "/api/tasks",
    {
      schema: {
        tags,
        summary:
          "Tasks, events and reminders: mine (default), or everyone's for supervisors; open ones by due time",
        querystring: ListQuery,
        response: { 200: z.object({ tasks: z.array(Task) }) },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      if (req.query.scope === "all") mustHold(actor, "conversations.view_all");
      return { tasks: await listTasks(ctx, actor, req.query) };
    },
  );

  app.post(
    "/api/tasks",
    {
      schema: {
        tags,
        summary: "Create a task, a calendar event or a reminder, optionally from a conversation",
        body: CreateBody,
        response: { 201: z.object({ task: Task }) },
      },
    },
    async (req, reply) => reply.code(201).send({ task: await createTask(ctx, actorOf(req), req.body) }),
  );

  app.patch(
    "/api/tasks/:id",
    {
      schema: {
        tags,
        summary: "Edit a task, mark it done or not done, move its reminder",
        params: IdParams,
        body: UpdateBody,
        response: { 200: z.object({ task: Task }) },
      },
    },
    async (req) => ({ task: await updateTask(ctx, actorOf(req), req.params.id, req.body) }),
  );

  app.delete(
    "/api/tasks/:id",
    { schema: { tags, summary: "Delete a task", params: IdParams } },
    async (req, reply) => {
      await deleteTask(ctx, actorOf(req), req.params.id);
      return reply.code(204).send();
    },
  );
}
