import { type AppContext, transact } from "../../../context";
import { recordAudit } from "../../audit/record";
import { ENDPOINT_COLUMNS, type EndpointRow } from "../present";
import type { WebhookEventType } from "../schema";
import { newSigningSecret } from "../sign";
import { wakeDispatcher } from "../wake";
import type { WebhookActor } from "./actor";

/**
 * Subscribes a URL to events. It receives what is committed from now on (the log's current number is its
 * starting point). The signing secret is returned once here, and on an explicit reveal.
 */
export async function createEndpoint(
  ctx: AppContext,
  actor: WebhookActor,
  input: { url: string; description: string; events: WebhookEventType[] },
): Promise<{ row: EndpointRow; secret: string }> {
  const secret = newSigningSecret();
  const row = await transact(ctx, async (tx) => {
    const [r] = await tx.q.query<EndpointRow>(
      `insert into webhook_endpoints (workspace_id, url, description, events, secret_enc, cursor_seq, created_by, created_at, updated_at)
       select $1, $2, $3, $4, $5, w.event_seq, $6, $7, $7 from workspaces w where w.id = $1
       returning ${ENDPOINT_COLUMNS}`,
      [
        actor.workspaceId,
        input.url,
        input.description,
        [...new Set(input.events)],
        ctx.secrets.seal(secret),
        actor.userId,
        tx.now,
      ],
    );
    await recordAudit(tx.q, {
      workspaceId: actor.workspaceId,
      userId: actor.userId,
      action: "webhook.created",
      targetType: "webhook",
      targetId: r!.id,
      data: { url: input.url, events: r!.events, description: input.description },
      ip: actor.ip,
      userAgent: actor.userAgent,
      at: tx.now,
    });
    return r!;
  });
  await wakeDispatcher(ctx);
  return { row, secret };
}
