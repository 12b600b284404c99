import { Message } from "@parley/protocol";
import { z } from "zod";
import { adapterContext } from "../../channels/context";
import { ChannelSendError, ChannelSetupError, type ProviderTemplate } from "../../channels/types";
import { type AppContext, transact } from "../../context";
import { isAdmin } from "../../domain/permissions";
import { type App, actorOf } from "../../http/types";
import { AppError, forbidden, notFound } from "../../lib/errors";
import { iso } from "../../lib/time";
import { conversationForActor } from "../conversations/access";
import { sendMessage } from "../messages/send-message";
import { renderTemplate, shapeOf, VARIABLE_MAX_CHARS, variableCounts } from "./render";

/**
 * Provider message templates (R502, R503; CHANNELS.md §2.3, §2.5): admins sync a connection's templates
 * from the provider, agents list the approved ones and send one with its variables filled in — the only
 * kind of message WhatsApp accepts outside its 24-hour window.
 */

const IdParams = z.object({ id: z.uuid() });
const tags = ["message templates"];

interface TemplateRow {
  id: string;
  connection_id: string;
  provider_template_id: string | null;
  name: string;
  language: string;
  category: string | null;
  status: ProviderTemplate["status"];
  components: unknown[];
  synced_at: Date;
}
const COLS =
  "id, connection_id, provider_template_id, name, language, category, status, components, synced_at";

const Template = z.object({
  id: z.string(),
  providerTemplateId: z.string().nullable(),
  name: z.string(),
  language: z.string(),
  category: z.string().nullable(),
  status: z.string(),
  components: z.array(z.unknown()),
  /** How many values each component needs. */
  variables: z.object({ header: z.number(), body: z.number(), buttons: z.number() }),
  /** false when Parley cannot send it yet (e.g. a media header); `unsupported` says why. */
  sendable: z.boolean(),
  unsupported: z.string().nullable(),
  syncedAt: z.string(),
});

function present(r: TemplateRow): z.infer<typeof Template> {
  const shape = shapeOf(r.components);
  return {
    id: r.id,
    providerTemplateId: r.provider_template_id,
    name: r.name,
    language: r.language,
    category: r.category,
    status: r.status,
    components: r.components,
    variables: variableCounts(shape),
    sendable: !shape.unsupported,
    unsupported: shape.unsupported,
    syncedAt: iso(r.synced_at)!,
  };
}

const Value = z.string().max(VARIABLE_MAX_CHARS * 4);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function templateRoutes(app: App, ctx: AppContext) {
  const connectionOf = async (workspaceId: string, id: string) => {
    const [row] = await ctx.db.query<{
      id: string;
      type: string;
      credentials_enc: string;
      settings: unknown;
    }>(
      "select id, type, credentials_enc, settings from channel_connections where workspace_id = $1 and id = $2",
      [workspaceId, id],
    );
    if (!row) throw notFound("Channel connection");
    return row;
  };

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
      if (!isAdmin(actor.role)) throw forbidden("Only owners and admins sync message templates.");
      const conn = await connectionOf(actor.workspaceId, req.params.id);
      const adapter = ctx.channels.get(conn.type);
      if (!adapter.templates)
        throw new AppError("unprocessable", `${conn.type} connections have no message templates.`);
      let list: ProviderTemplate[];
      try {
        list = await adapter.templates(
          {
            id: conn.id,
            workspaceId: actor.workspaceId,
            credentials: ctx.secrets.open(conn.credentials_enc),
            settings: conn.settings,
          },
          adapterContext(ctx, { id: conn.id, workspaceId: actor.workspaceId, type: conn.type }),
        );
      } catch (err) {
        if (err instanceof ChannelSetupError) throw new AppError("unprocessable", err.message);
        if (err instanceof ChannelSendError)
          throw new AppError(err.retryable ? "unavailable" : "unprocessable", err.detail);
        throw err;
      }
      return transact(ctx, async (tx) => {
        for (const t of list) {
          await tx.q.query(
            `insert into message_templates (workspace_id, connection_id, provider_template_id, name, language, category,
               status, components, synced_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             on conflict (connection_id, name, language) do update set provider_template_id = excluded.provider_template_id,
               category = excluded.category, status = excluded.status, components = excluded.components,
               synced_at = excluded.synced_at`,
            [
              actor.workspaceId,
              conn.id,
              t.providerId,
              t.name,
              t.language,
              t.category,
              t.status,
              JSON.stringify(t.components),
              tx.now,
            ],
          );
        }
        // Templates deleted at the provider are gone from the list: forget them.
        const removed = await tx.q.query(
          "delete from message_templates where connection_id = $1 and synced_at < $2 returning id",
          [conn.id, tx.now],
        );
        const rows = await tx.q.query<TemplateRow>(
          `select ${COLS} from message_templates where connection_id = $1 order by name, language`,
          [conn.id],
        );
        return { synced: list.length, removed: removed.length, templates: rows.map(present) };
      });
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
    async (req) => {
      const actor = actorOf(req);
      await connectionOf(actor.workspaceId, req.params.id);
      const rows = await ctx.db.query<TemplateRow>(
        `select ${COLS} from message_templates
         where workspace_id = $1 and connection_id = $2 and status = 'APPROVED' order by name, language`,
        [actor.workspaceId, req.params.id],
      );
      return { templates: rows.map(present) };
    },
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
          clientId: z.string().min(1).max(100).nullish(),
        }),
        response: { 201: z.object({ message: Message }), 200: z.object({ message: Message }) },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      const { row: conv } = await conversationForActor(ctx.db, actor, req.params.id);
      const [tpl] = UUID.test(req.body.templateId)
        ? await ctx.db.query<TemplateRow>(
            `select ${COLS} from message_templates where workspace_id = $1 and id = $2`,
            [actor.workspaceId, req.body.templateId],
          )
        : [];
      if (!tpl || tpl.connection_id !== conv.connection_id)
        throw new AppError(
          "unprocessable",
          "This template is not one of the conversation's channel connection: sync the templates and choose one from the list.",
        );
      if (tpl.status !== "APPROVED")
        throw new AppError(
          "unprocessable",
          `The template "${tpl.name}" (${tpl.language}) is ${tpl.status.toLowerCase()}: only approved templates can be sent.`,
          { status: tpl.status },
        );
      const rendered = renderTemplate(tpl.components, req.body.variables);
      const r = await sendMessage(ctx, actor, {
        conversationId: conv.id,
        text: rendered.text,
        attachments: [],
        quotedMessageId: null,
        clientId: req.body.clientId ?? null,
        note: false,
        template: {
          templateId: tpl.id,
          name: tpl.name,
          language: tpl.language,
          category: tpl.category,
          variables: rendered.variables,
          components: rendered.components,
        },
      });
      return reply.code(r.duplicate ? 200 : 201).send({ message: r.message });
    },
  );
}
