import crypto from "node:crypto";
import { ChannelType, LIMITS } from "@parley/protocol";
import { z } from "zod";
import { adapterContext } from "../../channels/context";
import { ChannelSetupError } from "../../channels/types";
import { type AppContext, transact } from "../../context";
import { isAdmin } from "../../domain/permissions";
import { type App, actorOf } from "../../http/types";
import { AppError, forbidden, notFound } from "../../lib/errors";
import { iso } from "../../lib/time";
import { WebhookTargetCache } from "./webhook-cache";

const Connection = z.object({
  id: z.string(),
  type: ChannelType,
  name: z.string(),
  enabled: z.boolean(),
  settings: z.record(z.string(), z.unknown()),
  capabilities: z.record(z.string(), z.unknown()),
  health: z.object({
    lastWebhookAt: z.string().nullable(),
    lastStatusAt: z.string().nullable(),
    lastError: z.string().nullable(),
    lastErrorAt: z.string().nullable(),
    errorCount: z.number(),
  }),
  createdAt: z.string(),
});

interface Row {
  id: string;
  type: z.infer<typeof ChannelType>;
  name: string;
  enabled: boolean;
  settings: Record<string, unknown>;
  last_webhook_at: Date | null;
  last_status_at: Date | null;
  last_error: string | null;
  last_error_at: Date | null;
  error_count: number;
  created_at: Date;
}
const COLS =
  "id, type, name, enabled, settings, last_webhook_at, last_status_at, last_error, last_error_at, error_count, created_at";
const IdParams = z.object({ id: z.uuid() });
const tags = ["channel connections"];

export async function connectionRoutes(app: App, ctx: AppContext) {
  const webhookTargets = new WebhookTargetCache(ctx.db, ctx.secrets);
  const present = (r: Row) => ({
    id: r.id,
    type: r.type,
    name: r.name,
    enabled: r.enabled,
    settings: r.settings,
    capabilities: { ...ctx.channels.get(r.type).capabilities },
    health: {
      lastWebhookAt: iso(r.last_webhook_at),
      lastStatusAt: iso(r.last_status_at),
      lastError: r.last_error,
      lastErrorAt: iso(r.last_error_at),
      errorCount: r.error_count,
    },
    createdAt: iso(r.created_at)!,
  });
  /** Runs the adapter's set-up with the provider; its refusal becomes a 422 the admin can act on. */
  const activate = async (
    adapter: ReturnType<typeof ctx.channels.get>,
    c: { id: string; workspaceId: string; type: string; credentials: unknown; settings: unknown },
  ) => {
    if (!adapter.activate) return;
    try {
      await adapter.activate(c, adapterContext(ctx, c));
    } catch (err) {
      if (err instanceof ChannelSetupError) throw new AppError("unprocessable", err.message);
      throw err;
    }
  };
  const requireAdmin = (role: Parameters<typeof isAdmin>[0]) => {
    if (!isAdmin(role)) throw forbidden("Only owners and admins manage channel connections.");
  };

  app.get(
    "/api/connections",
    {
      schema: {
        tags,
        summary: "Channel connections of the workspace (credentials are never returned)",
        response: { 200: z.object({ connections: z.array(Connection) }) },
      },
    },
    async (req) => {
      const rows = await ctx.db.query<Row>(
        `select ${COLS} from channel_connections where workspace_id = $1 order by created_at`,
        [actorOf(req).workspaceId],
      );
      return { connections: rows.map(present) };
    },
  );

  app.get(
    "/api/connections/:id",
    {
      schema: {
        tags,
        summary: "One connection with its health",
        params: IdParams,
        response: { 200: z.object({ connection: Connection }) },
      },
    },
    async (req) => {
      const [row] = await ctx.db.query<Row>(
        `select ${COLS} from channel_connections where workspace_id = $1 and id = $2`,
        [actorOf(req).workspaceId, req.params.id],
      );
      if (!row) throw notFound("Channel connection");
      return { connection: present(row) };
    },
  );

  app.post(
    "/api/connections",
    {
      schema: {
        tags,
        summary: "Connect a channel (admins). Generated secrets are shown once, in this response.",
        body: z.object({
          type: ChannelType,
          name: z.string().trim().min(1).max(120),
          settings: z.record(z.string(), z.unknown()).default({}),
          credentials: z.record(z.string(), z.unknown()).default({}),
        }),
        response: { 201: z.object({ connection: Connection, reveal: z.record(z.string(), z.string()) }) },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      requireAdmin(actor.role);
      const adapter = ctx.channels.get(req.body.type);
      const settings = adapter.settingsSchema.safeParse(req.body.settings);
      if (!settings.success)
        throw new AppError(
          "validation_failed",
          `Invalid settings for a ${req.body.type} connection.`,
          settings.error.issues,
        );
      const credentials = adapter.createCredentials(req.body.credentials);
      const id = crypto.randomUUID();
      // Stored first, then checked with the provider and its webhook registered: Viber's set_webhook calls
      // the webhook URL at once and fails unless it answers 200, so the connection must already exist. A
      // refused activation removes it again.
      const row = await transact(ctx, async (tx) => {
        const [r] = await tx.q.query<Row>(
          `insert into channel_connections (id, workspace_id, type, name, credentials_enc, settings, created_at, updated_at)
           values ($7, $1, $2, $3, $4, $5, $6, $6) returning ${COLS}`,
          [
            actor.workspaceId,
            req.body.type,
            req.body.name,
            ctx.secrets.seal(credentials),
            JSON.stringify(settings.data),
            tx.now,
            id,
          ],
        );
        return r!;
      });
      try {
        await activate(adapter, {
          id,
          workspaceId: actor.workspaceId,
          type: req.body.type,
          credentials,
          settings: settings.data,
        });
      } catch (err) {
        await ctx.db.query("delete from channel_connections where id = $1", [id]);
        webhookTargets.invalidate(id);
        throw err;
      }
      await ctx.db.query(
        "insert into audit_log (workspace_id, user_id, action, target_type, target_id, data, ip, created_at) values ($1, $2, 'connection.created', 'connection', $3, $4, $5, $6)",
        [
          actor.workspaceId,
          actor.userId,
          row.id,
          JSON.stringify({ type: req.body.type, name: req.body.name }),
          req.ip,
          ctx.clock.now(),
        ],
      );
      const reveal = adapter.revealOnCreate?.(credentials, row.id, ctx.config.publicUrl) ?? {};
      return reply.code(201).send({ connection: present(row), reveal });
    },
  );

  app.patch(
    "/api/connections/:id",
    {
      schema: {
        tags,
        summary: "Rename, enable/disable, or change settings (admins)",
        params: IdParams,
        body: z
          .object({
            name: z.string().trim().min(1).max(120),
            enabled: z.boolean(),
            settings: z.record(z.string(), z.unknown()),
          })
          .partial(),
        response: { 200: z.object({ connection: Connection }) },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      requireAdmin(actor.role);
      const [existing] = await ctx.db.query<Row>(
        `select ${COLS} from channel_connections where workspace_id = $1 and id = $2`,
        [actor.workspaceId, req.params.id],
      );
      if (!existing) throw notFound("Channel connection");
      let settings: unknown = null;
      if (req.body.settings) {
        const parsed = ctx.channels.get(existing.type).settingsSchema.safeParse(req.body.settings);
        if (!parsed.success)
          throw new AppError(
            "validation_failed",
            `Invalid settings for a ${existing.type} connection.`,
            parsed.error.issues,
          );
        settings = parsed.data;
        const [enc] = await ctx.db.query<{ credentials_enc: string }>(
          "select credentials_enc from channel_connections where id = $1",
          [existing.id],
        );
        await activate(ctx.channels.get(existing.type), {
          id: existing.id,
          workspaceId: actor.workspaceId,
          type: existing.type,
          credentials: ctx.secrets.open(enc!.credentials_enc),
          settings,
        });
      }
      const [row] = await ctx.db.query<Row>(
        `update channel_connections set name = coalesce($3, name), enabled = coalesce($4, enabled),
           settings = coalesce($5::jsonb, settings), updated_at = now()
         where workspace_id = $1 and id = $2 returning ${COLS}`,
        [
          actor.workspaceId,
          req.params.id,
          req.body.name ?? null,
          req.body.enabled ?? null,
          settings ? JSON.stringify(settings) : null,
        ],
      );
      webhookTargets.invalidate(req.params.id);
      return { connection: present(row!) };
    },
  );

  /**
   * Re-validates credentials (the stored ones merged with `changes`), checks them with the provider, stores
   * them encrypted. Secrets Parley generates itself (webhook secrets) are generated anew.
   */
  const replaceCredentials = async (
    actor: ReturnType<typeof actorOf>,
    id: string,
    changes: Record<string, unknown>,
  ) => {
    const [existing] = await ctx.db.query<Row & { credentials_enc: string }>(
      `select ${COLS}, credentials_enc from channel_connections where workspace_id = $1 and id = $2`,
      [actor.workspaceId, id],
    );
    if (!existing) throw notFound("Channel connection");
    const adapter = ctx.channels.get(existing.type);
    const current = ctx.secrets.open<Record<string, unknown>>(existing.credentials_enc);
    const credentials = adapter.createCredentials({ ...current, ...changes });
    await activate(adapter, {
      id,
      workspaceId: actor.workspaceId,
      type: existing.type,
      credentials,
      settings: existing.settings,
    });
    await transact(ctx, async (tx) => {
      await tx.q.query("update channel_connections set credentials_enc = $2, updated_at = $3 where id = $1", [
        id,
        ctx.secrets.seal(credentials),
        tx.now,
      ]);
      await tx.q.query(
        "insert into audit_log (workspace_id, user_id, action, target_type, target_id, ip, created_at) values ($1, $2, 'connection.credentials_changed', 'connection', $3, $4, $5)",
        [actor.workspaceId, actor.userId, id, null, tx.now],
      );
    });
    webhookTargets.invalidate(id);
    return { reveal: adapter.revealOnCreate?.(credentials, id, ctx.config.publicUrl) ?? {} };
  };

  app.post(
    "/api/connections/:id/rotate-secret",
    {
      schema: {
        tags,
        summary:
          "Replace the secrets Parley generated for the connection (admins); the new ones are shown once",
        params: IdParams,
        response: { 200: z.object({ reveal: z.record(z.string(), z.string()) }) },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      requireAdmin(actor.role);
      return replaceCredentials(actor, req.params.id, {});
    },
  );

  app.put(
    "/api/connections/:id/credentials",
    {
      schema: {
        tags,
        summary:
          "Change the provider credentials (e.g. a new bot token); checked with the provider first (admins)",
        params: IdParams,
        body: z.record(z.string(), z.unknown()),
        response: { 200: z.object({ reveal: z.record(z.string(), z.string()) }) },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      requireAdmin(actor.role);
      return replaceCredentials(actor, req.params.id, req.body);
    },
  );

  app.delete(
    "/api/connections/:id",
    { schema: { tags, summary: "Remove a connection and its conversations (admins)", params: IdParams } },
    async (req, reply) => {
      const actor = actorOf(req);
      requireAdmin(actor.role);
      await transact(ctx, async (tx) => {
        const r = await tx.q.query(
          "delete from channel_connections where workspace_id = $1 and id = $2 returning id",
          [actor.workspaceId, req.params.id],
        );
        if (!r.length) throw notFound("Channel connection");
        await tx.q.query(
          "insert into audit_log (workspace_id, user_id, action, target_type, target_id, ip, created_at) values ($1, $2, 'connection.deleted', 'connection', $3, $4, $5)",
          [actor.workspaceId, actor.userId, req.params.id, req.ip, tx.now],
        );
      });
      webhookTargets.invalidate(req.params.id);
      return reply.code(204).send();
    },
  );

  // Provider webhooks: verify the signature over the raw bytes, store durably, then acknowledge.
  app.post(
    "/api/webhooks/:type/:connectionId",
    {
      bodyLimit: LIMITS.webhookBodyBytes,
      config: { auth: false },
      schema: {
        tags: ["webhooks"],
        summary: "Inbound webhook of a channel connection (signed by the provider or integrator)",
        params: z.object({ type: ChannelType, connectionId: z.uuid() }),
      },
    },
    async (req) => {
      const conn = await webhookTargets.get(req.params.connectionId);
      if (!conn || conn.type !== req.params.type) throw notFound("Channel connection");
      if (!conn.enabled) throw new AppError("forbidden", "This channel connection is disabled.");
      const raw = req.rawBody;
      if (!raw || raw.length === 0) throw new AppError("bad_request", "The webhook body is empty.");
      const adapter = ctx.channels.get(conn.type);
      if (!adapter.verify(raw, req.headers, conn.credentials)) {
        throw new AppError(
          "invalid_signature",
          "The webhook signature does not match the body: check the connection's secret.",
        );
      }
      const events = await adapter.parse(raw, conn, adapterContext(ctx, conn));
      const results = await ctx.ingest.submit(
        { id: conn.id, workspaceId: conn.workspaceId, type: conn.type },
        events,
      );
      return adapter.answer?.(events, conn) ?? { ok: true, results };
    },
  );

  // A provider's verification handshake on the same URL (Meta: hub.mode / hub.verify_token / hub.challenge).
  app.get(
    "/api/webhooks/:type/:connectionId",
    {
      config: { auth: false },
      schema: {
        tags: ["webhooks"],
        summary: "Webhook verification handshake of a channel connection",
        params: z.object({ type: ChannelType, connectionId: z.uuid() }),
        querystring: z.record(z.string(), z.string()),
      },
    },
    async (req, reply) => {
      const conn = await webhookTargets.get(req.params.connectionId);
      if (!conn || conn.type !== req.params.type) throw notFound("Channel connection");
      const adapter = ctx.channels.get(conn.type);
      const answer = adapter.verifyChallenge?.(req.query, conn) ?? null;
      if (answer === null)
        throw new AppError("forbidden", "The verification token does not match this connection.");
      return reply.header("content-type", "text/plain").send(answer);
    },
  );
}
