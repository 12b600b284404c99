import { z } from "zod";
import type { AppContext } from "../../context";
import { uniqueViolation } from "../../db/errors";
import { isManager } from "../../domain/permissions";
import { type App, actorOf } from "../../http/types";
import { forbidden, notFound } from "../../lib/errors";

const Tag = z.object({ id: z.string(), name: z.string(), color: z.string(), contactCount: z.number() });
const TagName = z.string().trim().min(1).max(64);
const TagColor = z.string().regex(/^#[0-9a-fA-F]{6}$/, "must be a colour like #1c7ed6");
const TagInput = z.object({ name: TagName, color: TagColor.default("#868e96") });
// No default here: a rename must not reset the colour.
const TagPatch = z.object({ name: TagName, color: TagColor }).partial();
const IdParams = z.object({ id: z.uuid() });
const tags = ["tags"];

interface TagRow {
  id: string;
  name: string;
  color: string;
  contact_count: number;
}
const present = (r: TagRow) => ({ id: r.id, name: r.name, color: r.color, contactCount: r.contact_count });
const SELECT = `select t.id, t.name, t.color, (select count(*) from contact_tags x where x.tag_id = t.id) as contact_count from tags t`;

export async function tagRoutes(app: App, ctx: AppContext) {
  app.get(
    "/api/tags",
    {
      schema: {
        tags,
        summary: "Contact tags with colours and counts, most used first",
        response: { 200: z.object({ tags: z.array(Tag) }) },
      },
    },
    async (req) => {
      const rows = await ctx.db.query<TagRow>(
        `${SELECT} where t.workspace_id = $1 order by contact_count desc, lower(t.name)`,
        [actorOf(req).workspaceId],
      );
      return { tags: rows.map(present) };
    },
  );

  app.post(
    "/api/tags",
    {
      schema: {
        tags,
        summary: "Create a tag (supervisors and admins)",
        body: TagInput,
        response: { 201: z.object({ tag: Tag }) },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      if (!isManager(actor.role)) throw forbidden("Only supervisors and admins manage tags.");
      const [row] = await ctx.db
        .query<{ id: string }>(
          "insert into tags (workspace_id, name, color) values ($1, $2, $3) returning id",
          [actor.workspaceId, req.body.name, req.body.color],
        )
        .catch(uniqueViolation(`A tag named "${req.body.name}" already exists.`));
      const [tag] = await ctx.db.query<TagRow>(`${SELECT} where t.id = $1`, [row!.id]);
      return reply.code(201).send({ tag: present(tag!) });
    },
  );

  app.patch(
    "/api/tags/:id",
    {
      schema: {
        tags,
        summary: "Rename or recolour a tag",
        params: IdParams,
        body: TagPatch,
        response: { 200: z.object({ tag: Tag }) },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      if (!isManager(actor.role)) throw forbidden("Only supervisors and admins manage tags.");
      const r = await ctx.db
        .query(
          "update tags set name = coalesce($3, name), color = coalesce($4, color) where workspace_id = $1 and id = $2 returning id",
          [actor.workspaceId, req.params.id, req.body.name ?? null, req.body.color ?? null],
        )
        .catch(uniqueViolation("Another tag already has this name."));
      if (!r.length) throw notFound("Tag");
      const [tag] = await ctx.db.query<TagRow>(`${SELECT} where t.id = $1`, [req.params.id]);
      return { tag: present(tag!) };
    },
  );

  app.delete(
    "/api/tags/:id",
    { schema: { tags, summary: "Delete a tag (removes it from every contact)", params: IdParams } },
    async (req, reply) => {
      const actor = actorOf(req);
      if (!isManager(actor.role)) throw forbidden("Only supervisors and admins manage tags.");
      const r = await ctx.db.query("delete from tags where workspace_id = $1 and id = $2 returning id", [
        actor.workspaceId,
        req.params.id,
      ]);
      if (!r.length) throw notFound("Tag");
      return reply.code(204).send();
    },
  );
}
