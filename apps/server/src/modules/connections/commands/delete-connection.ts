import { type AppContext, transact } from "../../../context";
import { notFound } from "../../../lib/errors";
import { recordAudit } from "../../audit/record";
import type { WebhookTargetCache } from "../webhook-cache";
import type { ConnectionActor } from "./activate";

/** Removes a connection and (by cascade) its conversations. */
export async function deleteConnection(
  ctx: AppContext,
  webhookTargets: WebhookTargetCache,
  actor: ConnectionActor,
  id: string,
): Promise<void> {
  await transact(ctx, async (tx) => {
    const r = await tx.q.query(
      "delete from channel_connections where workspace_id = $1 and id = $2 returning id",
      [actor.workspaceId, id],
    );
    if (!r.length) throw notFound("Channel connection");
    await recordAudit(tx.q, {
      workspaceId: actor.workspaceId,
      userId: actor.userId,
      action: "connection.deleted",
      targetType: "connection",
      targetId: id,
      ip: actor.ip,
      userAgent: actor.userAgent,
      at: tx.now,
    });
  });
  webhookTargets.invalidate(id);
}
