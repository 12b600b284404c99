import { z } from "zod";
import type { AppContext } from "../../context";
import { can } from "../../domain/permissions";
import { type App, actorOf, requestSource } from "../../http/types";
import { forbidden } from "../../lib/errors";
import type { WebhookActor } from "./commands/actor";
import { createEndpoint } from "./commands/create-endpoint";
import { deleteEndpoint } from "./commands/delete-endpoint";
import { sendAgain, sendTest } from "./commands/send-again";
import { updateEndpoint } from "./commands/update-endpoint";
import { presentDelivery, presentEndpoint } from "./present";
import { endpointSecret, findEndpoint, listDeliveries, listEndpoints } from "./queries/endpoints";
import { EndpointChange, NewEndpoint, WebhookDelivery, WebhookEndpoint, WebhookEventType } from "./schema";

const tags = ["webhooks"];
const IdParams = z.object({ id: z.uuid() });
const DeliveryParams = z.object({ id: z.uuid(), deliveryId: z.uuid() });

/** Whoever manages the workspace's API access (`api.manage`), with where the request came from. */
function managerOf(req: Parameters<typeof actorOf>[0] & Parameters<typeof requestSource>[0]): WebhookActor {
  const actor = actorOf(req);
  if (!can(actor, "api.manage"))
    throw forbidden("Managing webhooks needs the permission api.manage (owners and admins hold it).");
  return { workspaceId: actor.workspaceId, userId: actor.userId, ...requestSource(req) };
}

export async function webhookRoutes(app: App, ctx: AppContext) {
  app.get(
    "/api/webhook-endpoints",
    {
      schema: {
        tags,
        summary:
          "Outgoing webhook endpoints of the workspace, and the events one may subscribe to (api.manage)",
        response: {
          200: z.object({ endpoints: z.array(WebhookEndpoint), eventTypes: z.array(WebhookEventType) }),
        },
      },
    },
    async (req) => ({
      endpoints: (await listEndpoints(ctx.db, managerOf(req).workspaceId)).map(presentEndpoint),
      eventTypes: WebhookEventType.options,
    }),
  );

  app.post(
    "/api/webhook-endpoints",
    {
      schema: {
        tags,
        summary: "Subscribe a URL to events (api.manage); the signing secret is in this answer",
        body: NewEndpoint,
        response: { 201: z.object({ endpoint: WebhookEndpoint, secret: z.string() }) },
      },
    },
    async (req, reply) => {
      const { row, secret } = await createEndpoint(ctx, managerOf(req), req.body);
      return reply.code(201).send({ endpoint: presentEndpoint(row), secret });
    },
  );

  app.get(
    "/api/webhook-endpoints/:id",
    {
      schema: {
        tags,
        summary: "One endpoint (api.manage)",
        params: IdParams,
        response: { 200: z.object({ endpoint: WebhookEndpoint }) },
      },
    },
    async (req) => ({
      endpoint: presentEndpoint(await findEndpoint(ctx.db, managerOf(req).workspaceId, req.params.id)),
    }),
  );

  app.patch(
    "/api/webhook-endpoints/:id",
    {
      schema: {
        tags,
        summary: "Change the URL, description or events, or turn the endpoint off and on (api.manage)",
        params: IdParams,
        body: EndpointChange,
        response: { 200: z.object({ endpoint: WebhookEndpoint }) },
      },
    },
    async (req) => ({
      endpoint: presentEndpoint(await updateEndpoint(ctx, managerOf(req), req.params.id, req.body)),
    }),
  );

  app.delete(
    "/api/webhook-endpoints/:id",
    { schema: { tags, summary: "Remove an endpoint and its delivery log (api.manage)", params: IdParams } },
    async (req, reply) => {
      await deleteEndpoint(ctx, managerOf(req), req.params.id);
      return reply.code(204).send();
    },
  );

  app.post(
    "/api/webhook-endpoints/:id/reveal",
    {
      schema: {
        tags,
        summary: "The endpoint's signing secret (api.manage)",
        params: IdParams,
        response: { 200: z.object({ secret: z.string() }) },
      },
    },
    async (req) => ({
      secret: await endpointSecret(ctx.db, ctx.secrets, managerOf(req).workspaceId, req.params.id),
    }),
  );

  app.post(
    "/api/webhook-endpoints/:id/test",
    {
      schema: {
        tags,
        summary: "Send a webhook.test event to the endpoint (api.manage)",
        params: IdParams,
        response: { 201: z.object({ delivery: WebhookDelivery }) },
      },
    },
    async (req, reply) =>
      reply.code(201).send({ delivery: presentDelivery(await sendTest(ctx, managerOf(req), req.params.id)) }),
  );

  app.get(
    "/api/webhook-endpoints/:id/deliveries",
    {
      schema: {
        tags,
        summary: "The endpoint's delivery log, newest first (api.manage)",
        params: IdParams,
        querystring: z.object({
          limit: z.coerce.number().int().min(1).max(200).default(50),
          status: z.enum(["pending", "succeeded", "failed"]).optional(),
          before: z.uuid().optional(),
        }),
        response: { 200: z.object({ deliveries: z.array(WebhookDelivery) }) },
      },
    },
    async (req) => ({
      deliveries: (await listDeliveries(ctx.db, managerOf(req).workspaceId, req.params.id, req.query)).map(
        presentDelivery,
      ),
    }),
  );

  app.post(
    "/api/webhook-endpoints/:id/deliveries/:deliveryId/send-again",
    {
      schema: {
        tags,
        summary: "Send a delivery's event again, as a new delivery (api.manage)",
        params: DeliveryParams,
        response: { 201: z.object({ delivery: WebhookDelivery }) },
      },
    },
    async (req, reply) =>
      reply.code(201).send({
        delivery: presentDelivery(await sendAgain(ctx, managerOf(req), req.params.id, req.params.deliveryId)),
      }),
  );
}
