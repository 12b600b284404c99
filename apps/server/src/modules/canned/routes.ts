import { z } from "zod";
import type { AppContext } from "../../context";
import { uniqueViolation } from "../../db/errors";
import { isManager } from "../../domain/permissions";
import { type App, actorOf } from "../../http/types";
import { forbidden, notFound } from "../../lib/errors";
import { iso } from "../../lib/time";

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

interface Row {
  id: string;
  shortcut: string;
  title: string;
  text: string;
  updated_at: Date;
}
const present = (r: Row) => ({
  id: r.id,
  shortcut: r.shortcut,
  title: r.title,
  text: r.text,
  updatedAt: iso(r.updated_at)!,
});
const COLS = "id, shortcut, title, text, updated_at";

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
    async (req) => {
      const actor = actorOf(req);
      const q = req.query.q ? `%${req.query.q.replace(/[%_\\]/g, (m) => `\\${m}`)}%` : null;
      const rows = await ctx.db.query<Row>(
        `select ${COLS} from canned_replies where workspace_id = $1
           and ($2::text is null or shortcut ilike $2 or title ilike $2 or text ilike $2)
         order by lower(shortcut) limit 500`,
        [actor.workspaceId, q],
      );
      return { cannedReplies: rows.map(present) };
    },
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
    async (req, reply) => {
      const actor = actorOf(req);
      const [row] = await ctx.db
        .query<Row>(
          `insert into canned_replies (workspace_id, shortcut, title, text, created_by) values ($1, $2, $3, $4, $5) returning ${COLS}`,
          [actor.workspaceId, req.body.shortcut, req.body.title, req.body.text, actor.userId],
        )
        .catch(uniqueViolation(`The shortcut /${req.body.shortcut} is taken.`));
      return reply.code(201).send({ cannedReply: present(row!) });
    },
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
    async (req) => {
      const actor = actorOf(req);
      const [existing] = await ctx.db.query<{ created_by: string | null }>(
        "select created_by from canned_replies where workspace_id = $1 and id = $2",
        [actor.workspaceId, req.params.id],
      );
      if (!existing) throw notFound("Canned reply");
      if (!isManager(actor.role) && existing.created_by !== actor.userId)
        throw forbidden("Only its author or a supervisor can edit this canned reply.");
      const [row] = await ctx.db
        .query<Row>(
          `update canned_replies set shortcut = coalesce($3, shortcut), title = coalesce($4, title), text = coalesce($5, text), updated_at = now()
           where workspace_id = $1 and id = $2 returning ${COLS}`,
          [
            actor.workspaceId,
            req.params.id,
            req.body.shortcut ?? null,
            req.body.title ?? null,
            req.body.text ?? null,
          ],
        )
        .catch(uniqueViolation("Another canned reply has this shortcut."));
      return { cannedReply: present(row!) };
    },
  );

  app.delete(
    "/api/canned-replies/:id",
    { schema: { tags, summary: "Delete a canned reply (its author or a supervisor)", params: IdParams } },
    async (req, reply) => {
      const actor = actorOf(req);
      const [existing] = await ctx.db.query<{ created_by: string | null }>(
        "select created_by from canned_replies where workspace_id = $1 and id = $2",
        [actor.workspaceId, req.params.id],
      );
      if (!existing) throw notFound("Canned reply");
      if (!isManager(actor.role) && existing.created_by !== actor.userId)
        throw forbidden("Only its author or a supervisor can delete this canned reply.");
      await ctx.db.query("delete from canned_replies where id = $1", [req.params.id]);
      return reply.code(204).send();
    },
  );
}
