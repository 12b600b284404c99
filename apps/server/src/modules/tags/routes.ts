import { z } from "zod";
import type { AppContext } from "../../context";
import { mustHold } from "../../domain/permissions";
import { type App, actorOf } from "../../http/types";
import { createTag } from "./commands/create-tag";
import { deleteTag } from "./commands/delete-tag";
import { editTag } from "./commands/edit-tag";
import { mergeTags } from "./commands/merge-tags";
import { listTags } from "./queries/tags";

const Tag = z.object({ id: z.string(), name: z.string(), color: z.string(), contactCount: z.number() });
const TagName = z.string().trim().min(1).max(64);
const TagColor = z.string().regex(/^#[0-9a-fA-F]{6}$/, "must be a colour like #1c7ed6");
const TagInput = z.object({ name: TagName, color: TagColor.default("#868e96") });
// No default here: a rename must not reset the colour.
const TagPatch = z.object({ name: TagName, color: TagColor }).partial();
const IdParams = z.object({ id: z.uuid() });
const tags = ["tags"];

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
    async (req) => ({ tags: await listTags(ctx.db, actorOf(req).workspaceId) }),
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
      mustHold(actor, "content.manage");
      return reply.code(201).send({ tag: await createTag(ctx, actor.workspaceId, req.body) });
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
      mustHold(actor, "content.manage");
      return { tag: await editTag(ctx, actor.workspaceId, req.params.id, req.body) };
    },
  );

  app.post(
    "/api/tags/:id/merge",
    {
      schema: {
        tags,
        summary: "Merge this tag into another: its contacts get the other tag, and this one is deleted",
        params: IdParams,
        body: z.object({ into: z.uuid() }),
        response: { 200: z.object({ tag: Tag }) },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      mustHold(actor, "content.manage");
      return { tag: await mergeTags(ctx, actor.workspaceId, req.params.id, req.body.into) };
    },
  );

  app.delete(
    "/api/tags/:id",
    { schema: { tags, summary: "Delete a tag (removes it from every contact)", params: IdParams } },
    async (req, reply) => {
      const actor = actorOf(req);
      mustHold(actor, "content.manage");
      await deleteTag(ctx, actor.workspaceId, req.params.id);
      return reply.code(204).send();
    },
  );
}
