import { ChannelType } from "@parley/protocol";
import { z } from "zod";
import { ChannelTypeInfo } from "../../channels/forms";
import type { AppContext } from "../../context";
import { mustHold } from "../../domain/permissions";
import { type App, actorOf, requestSource } from "../../http/types";
import { notFound } from "../../lib/errors";
import { requireRecentAuth } from "../auth/step-up";
import type { ConnectionActor } from "./commands/activate";
import { createConnection } from "./commands/create-connection";
import { deleteConnection } from "./commands/delete-connection";
import { replaceCredentials } from "./commands/replace-credentials";
import { updateConnection } from "./commands/update-connection";
import { findConnection, listConnections } from "./queries/connections";
import { Connection, presentConnection, Reveal } from "./schemas";
import { WebhookTargetCache } from "./webhook-cache";
import { webhookRoutes } from "./webhooks";

const IdParams = z.object({ id: z.uuid() });
const tags = ["channel connections"];

/** An admin of the workspace (owners and admins manage connections), with the request's address. */
function adminOf(req: Parameters<typeof actorOf>[0] & Parameters<typeof requestSource>[0]): ConnectionActor {
  const actor = actorOf(req);
  mustHold(actor, "channels.manage");
  return { workspaceId: actor.workspaceId, userId: actor.userId, ...requestSource(req) };
}

export async function connectionRoutes(app: App, ctx: AppContext) {
  const webhookTargets = new WebhookTargetCache(ctx.db, ctx.secrets);
  const present = presentConnection.bind(null, ctx.channels);

  app.get(
    "/api/channel-types",
    {
      schema: {
        tags,
        summary: "The channel types this server can connect, each with the JSON schema of its form",
        response: { 200: z.object({ channelTypes: z.array(ChannelTypeInfo) }) },
      },
    },
    async () => ({ channelTypes: ctx.channels.describe() }),
  );

  app.get(
    "/api/connections",
    {
      schema: {
        tags,
        summary: "Channel connections of the workspace (credentials are never returned)",
        response: { 200: z.object({ connections: z.array(Connection) }) },
      },
    },
    async (req) => ({
      connections: (await listConnections(ctx.db, actorOf(req).workspaceId)).map(present),
    }),
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
      const row = await findConnection(ctx.db, actorOf(req).workspaceId, req.params.id);
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
        response: { 201: z.object({ connection: Connection, reveal: Reveal }) },
      },
    },
    async (req, reply) => {
      const admin = adminOf(req);
      await requireRecentAuth(ctx, actorOf(req));
      const { row, reveal } = await createConnection(ctx, webhookTargets, admin, req.body);
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
    async (req) => ({
      connection: present(await updateConnection(ctx, webhookTargets, adminOf(req), req.params.id, req.body)),
    }),
  );

  app.post(
    "/api/connections/:id/rotate-secret",
    {
      schema: {
        tags,
        summary:
          "Replace the secrets Parley generated for the connection (admins); the new ones are shown once",
        params: IdParams,
        response: { 200: z.object({ reveal: Reveal }) },
      },
    },
    async (req) => {
      const admin = adminOf(req);
      await requireRecentAuth(ctx, actorOf(req));
      return replaceCredentials(ctx, webhookTargets, admin, req.params.id, {});
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
        response: { 200: z.object({ reveal: Reveal }) },
      },
    },
    async (req) => {
      const admin = adminOf(req);
      await requireRecentAuth(ctx, actorOf(req));
      return replaceCredentials(ctx, webhookTargets, admin, req.params.id, req.body);
    },
  );

  app.delete(
    "/api/connections/:id",
    { schema: { tags, summary: "Remove a connection and its conversations (admins)", params: IdParams } },
    async (req, reply) => {
      await deleteConnection(ctx, webhookTargets, adminOf(req), req.params.id);
      return reply.code(204).send();
    },
  );

  webhookRoutes(app, ctx, webhookTargets);
}
