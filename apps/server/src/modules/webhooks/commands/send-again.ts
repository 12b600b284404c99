import crypto from "node:crypto";
import { type AppContext, transact } from "../../../context";
import { notFound } from "../../../lib/errors";
import { payloadBody } from "../events";
import { DELIVERY_COLUMNS, type DeliveryRow } from "../present";
import { wakeDispatcher } from "../wake";
import type { WebhookActor } from "./actor";

/**
 * Sends a delivery's event again, as a new delivery with the same event id and body (a receiver that
 * deduplicates by event id sees a repeat). It is ordered on its own: it neither waits for nor holds the
 * conversation's other deliveries.
 */
export async function sendAgain(
  ctx: AppContext,
  actor: WebhookActor,
  endpointId: string,
  deliveryId: string,
): Promise<DeliveryRow> {
  const row = await transact(ctx, async (tx) => {
    const [r] = await tx.q.query<DeliveryRow>(
      `insert into webhook_deliveries (endpoint_id, workspace_id, event_id, event_type, event_seq, ordering_key, body,
         next_attempt_at, resent_from, created_at)
       select d.endpoint_id, d.workspace_id, d.event_id, d.event_type, d.event_seq, $4::text, d.body, $5, d.id, $5
       from webhook_deliveries d
       where d.workspace_id = $1 and d.endpoint_id = $2 and d.id = $3
       returning ${DELIVERY_COLUMNS}`,
      [actor.workspaceId, endpointId, deliveryId, `again:${crypto.randomUUID()}`, tx.now],
    );
    if (!r) throw notFound("Webhook delivery");
    return r;
  });
  await wakeDispatcher(ctx);
  return row;
}

/** Queues a `webhook.test` event for one endpoint (whether it is on or not, it is sent when it is on). */
export async function sendTest(
  ctx: AppContext,
  actor: WebhookActor,
  endpointId: string,
): Promise<DeliveryRow> {
  const row = await transact(ctx, async (tx) => {
    const eventId = crypto.randomUUID();
    const body = payloadBody({
      id: eventId,
      type: "webhook.test",
      createdAt: tx.now.toISOString(),
      workspaceId: actor.workspaceId,
      data: { endpointId, message: "A test event from Parley: your endpoint is reachable." },
    });
    const [r] = await tx.q.query<DeliveryRow>(
      `insert into webhook_deliveries (endpoint_id, workspace_id, event_id, event_type, event_seq, ordering_key, body,
         next_attempt_at, created_at)
       select e.id, e.workspace_id, $3::uuid, 'webhook.test', 0, $6::text, $4, $5, $5
       from webhook_endpoints e where e.workspace_id = $1 and e.id = $2
       returning ${DELIVERY_COLUMNS}`,
      [actor.workspaceId, endpointId, eventId, body, tx.now, `test:${eventId}`],
    );
    if (!r) throw notFound("Webhook endpoint");
    return r;
  });
  await wakeDispatcher(ctx);
  return row;
}
