import { z } from "zod";
import type { AppContext } from "../../context";
import { type App, actorOf } from "../../http/types";
import { createCannedReply } from "./commands/create-canned-reply";
import { deleteCannedReply } from "./commands/delete-canned-reply";
import { editCannedReply } from "./commands/edit-canned-reply";
import { listCannedReplies } from "./queries/list-canned-replies";

const Canned = z.object({
  id: z.string(),
  shortcut: z.string(),
  title: z.string(),
  text: z.string(),
  updatedAt: z.string(),
});
const Input = z.object({
  shortcut: z
    .string()
    .trim()
    .min(1)
    .max(32)
    .regex(/^[\p{L}\p{N}_-]+$/u, "may hold only letters, digits, - and _"),
  title: z.string().trim().min(1).max(120),
  text: z.string().trim().min(1).max(4000),
});
const IdParams = z.object({ id: z.uuid() });
const tags = ["canned replies"];

export async function cannedRoutes(app: App, ctx: AppContext) {
  app.get(
    "/api/canned-replies",
    {
      schema: {
        tags,
        summary: "Canned replies, optionally searched by shortcut, title or text",
        querystring: z.object({ q: z.string().trim().max(100).optional() }),
        response: { 200: z.object({ cannedReplies: z.array(Canned) }) },
      },
    },
    async (req) => ({ cannedReplies: await listCannedReplies(ctx, actorOf(req).workspaceId, req.query.q) }),
  );

  app.post(
    "/api/canned-replies",
    {
      schema: {
        tags,
        summary: "Create a canned reply",
        body: Input,
        response: { 201: z.object({ cannedReply: Canned }) },
      },
    },
    async (req, reply) =>
      reply.code(201).send({ cannedReply: await createCannedReply(ctx, actorOf(req), req.body) }),
  );

  app.patch(
    "/api/canned-replies/:id",
    {
      schema: {
        tags,
        summary: "Edit a canned reply (its author or a supervisor)",
        params: IdParams,
        body: Input.partial(),
        response: { 200: z.object({ cannedReply: Canned }) },
      },
    },
    async (req) => ({ cannedReply: await editCannedReply(ctx, actorOf(req), req.params.id, req.body) }),
  );

  app.delete(
    "/api/canned-replies/:id",
    { schema: { tags, summary: "Delete a canned reply (its author or a supervisor)", params: IdParams } },
    async (req, reply) => {
      await deleteCannedReply(ctx, actorOf(req), req.params.id);
      return reply.code(204).send();
    },
  );
}
