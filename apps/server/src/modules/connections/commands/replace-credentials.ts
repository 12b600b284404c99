import { type AppContext, transact } from "../../../context";
import { notFound } from "../../../lib/errors";
import { recordAudit } from "../../audit/record";
import { findConnectionWithCredentials } from "../queries/connections";
import type { WebhookTargetCache } from "../webhook-cache";
import { activateConnection, type ConnectionActor } from "./activate";

/**
 * Re-validates credentials (the stored ones merged with `changes`), checks them with the provider, stores
 * them encrypted. Secrets Parley generates itself (webhook secrets) are generated anew.
 */
export async function replaceCredentials(
  ctx: AppContext,
  webhookTargets: WebhookTargetCache,
  actor: ConnectionActor,
  id: string,
  changes: Record<string, unknown>,
): Promise<{ reveal: Record<string, string> }> {
  const existing = await findConnectionWithCredentials(ctx.db, actor.workspaceId, id);
  if (!existing) throw notFound("Channel connection");
  const adapter = ctx.channels.get(existing.type);
  const current = ctx.secrets.open<Record<string, unknown>>(existing.credentials_enc);
  const credentials = adapter.createCredentials({ ...current, ...changes });
  await activateConnection(ctx, adapter, {
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
    await recordAudit(tx.q, {
      workspaceId: actor.workspaceId,
      userId: actor.userId,
      action: "connection.credentials_changed",
      targetType: "connection",
      targetId: id,
      ip: actor.ip,
      userAgent: actor.userAgent,
      at: tx.now,
    });
  });
  webhookTargets.invalidate(id);
  return { reveal: adapter.revealOnCreate?.(credentials, id, ctx.config.publicUrl) ?? {} };
}
