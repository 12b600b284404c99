import { type AppContext, transact } from "../../../context";
import { notFound } from "../../../lib/errors";
import { recordAudit } from "../../audit/record";
import type { WebhookActor } from "./actor";

/** Removes an endpoint with its delivery log; nothing more is sent to it. */
export async function deleteEndpoint(ctx: AppContext, actor: WebhookActor, id: string): Promise<void> {
  await transact(ctx, async (tx) => {
    const [row] = await tx.q.query<{ url: string }>(
      "delete from webhook_endpoints where workspace_id = $1 and id = $2 returning url",
      [actor.workspaceId, id],
    );
    if (!row) throw notFound("Webhook endpoint");
    await recordAudit(tx.q, {
      workspaceId: actor.workspaceId,
      userId: actor.userId,
      action: "webhook.deleted",
      targetType: "webhook",
      targetId: id,
      data: { url: row.url },
      ip: actor.ip,
      userAgent: actor.userAgent,
      at: tx.now,
    });
  });
}
