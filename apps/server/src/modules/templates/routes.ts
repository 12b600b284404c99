import { Attachment, Message } from "@parley/protocol";
import { z } from "zod";
import type { AppContext } from "../../context";
import { mustHold } from "../../domain/permissions";
import { type App, actorOf } from "../../http/types";
import { sendTemplate } from "./commands/send-template";
import { syncTemplates } from "./commands/sync-templates";
import { Template } from "./present";
import { approvedTemplates } from "./queries/approved-templates";
import { VARIABLE_MAX_CHARS } from "./render";

/**
 * Provider message templates (R502, R503; CHANNELS.md §2.3, §2.5): admins sync a connection's templates
 * from the provider, agents list the approved ones and send one with its variables filled in — the only
 * kind of message WhatsApp accepts outside its 24-hour window.
 */

const IdParams = z.object({ id: z.uuid() });
const tags = ["message templates"];
const Value = z.string().max(VARIABLE_MAX_CHARS * 4);

export async function templateRoutes(app: App, ctx: AppContext) {
  app.post(
    "/api/connections/:id/templates/sync",
    {
      schema: {
        tags,
        summary:
          "Fetch the connection's message templates from the provider, all pages, and store them (admins)",
        params: IdParams,
        response: {
          200: z.object({
            synced: z.number(),
            removed: z.number(),
            templates: z.array(Template),
          }),
        },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      mustHold(actor, "channels.manage");
      return syncTemplates(ctx, actor.workspaceId, req.params.id);
    },
  );

  app.get(
    "/api/connections/:id/templates",
    {
      schema: {
        tags,
        summary: "The connection's approved message templates, with how many variables each component needs",
        params: IdParams,
        response: { 200: z.object({ templates: z.array(Template) }) },
      },
    },
    async (req) => ({ templates: await approvedTemplates(ctx, actorOf(req).workspaceId, req.params.id) }),
  );

  app.post(
    "/api/conversations/:id/template-messages",
    {
      schema: {
        tags,
        summary:
          "Send an approved template with its variables (allowed inside the window and where only templates are)",
        params: IdParams,
        body: z.object({
          templateId: z.string().min(1).max(100),
          variables: z
            .object({
              header: z.array(Value).max(20).optional(),
              body: z.array(Value).max(100).default([]),
              buttons: z.array(Value).max(10).optional(),
            })
            .default({ body: [] }),
          /** The file of a media header (image, video or document): an uploaded file of the workspace. */
          headerFile: Attachment.nullish(),
          clientId: z.string().min(1).max(100).nullish(),
        }),
        response: { 201: z.object({ message: Message }), 200: z.object({ message: Message }) },
      },
    },
    async (req, reply) => {
      const r = await sendTemplate(ctx, actorOf(req), req.params.id, {
        ...req.body,
        headerFile: req.body.headerFile ?? null,
        clientId: req.body.clientId ?? null,
      });
      return reply.code(r.duplicate ? 200 : 201).send({ message: r.message });
    },
  );
}
