import { ChannelType, LIMITS } from "@parley/protocol";
import { z } from "zod";
import { adapterContext } from "../../channels/context";
import type { AppContext } from "../../context";
import type { App } from "../../http/types";
import { AppError, notFound } from "../../lib/errors";
import type { WebhookTargetCache } from "./webhook-cache";

const WebhookParams = z.object({ type: ChannelType, connectionId: z.uuid() });

/**
 * Every channel's webhook endpoint, `/api/webhooks/<type>/<connectionId>`: the adapter checks the signature
 * over the raw bytes and parses; the events are stored durably, then acknowledged.
 */
export function webhookRoutes(app: App, ctx: AppContext, webhookTargets: WebhookTargetCache) {
  app.post(
    "/api/webhooks/:type/:connectionId",
    {
      bodyLimit: LIMITS.webhookBodyBytes,
      config: { auth: false },
      schema: {
        tags: ["webhooks"],
        summary: "Inbound webhook of a channel connection (signed by the provider or integrator)",
        params: WebhookParams,
        querystring: z.record(z.string(), z.string()),
      },
    },
    async (req, reply) => {
      const conn = await webhookTargets.get(req.params.connectionId);
      if (!conn || conn.type !== req.params.type) throw notFound("Channel connection");
      if (!conn.enabled) throw new AppError("forbidden", "This channel connection is disabled.");
      const raw = req.rawBody;
      if (!raw || raw.length === 0) throw new AppError("bad_request", "The webhook body is empty.");
      const adapter = ctx.channels.get(conn.type);
      if (
        !adapter.verify(raw, req.headers, conn.credentials, req.query, {
          url: `${ctx.config.publicUrl}${req.url}`,
        })
      ) {
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
      const answer = adapter.answer?.(events, conn) ?? { ok: true, results };
      if (typeof answer === "string") return reply.header("content-type", "text/plain").send(answer);
      return answer;
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
        params: WebhookParams,
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
