import { type AppContext, transact } from "../../../context";
import { notFound } from "../../../lib/errors";
import { recordAudit } from "../../audit/record";
import { findConnectionWithCredentials } from "../queries/connections";
import { CONNECTION_COLUMNS, type ConnectionRow } from "../schemas";
import type { WebhookTargetCache } from "../webhook-cache";
import { activateConnection, type ConnectionActor, validSettings } from "./activate";

export interface ConnectionChanges {
  name?: string | undefined;
  enabled?: boolean | undefined;
  settings?: Record<string, unknown> | undefined;
}

/** Renames, enables/disables, or changes the settings (checked with the adapter, then with the provider). */
export async function updateConnection(
  ctx: AppContext,
  webhookTargets: WebhookTargetCache,
  actor: ConnectionActor,
  id: string,
  changes: ConnectionChanges,
): Promise<ConnectionRow> {
  const existing = await findConnectionWithCredentials(ctx.db, actor.workspaceId, id);
  if (!existing) throw notFound("Channel connection");
  let settings: unknown = null;
  if (changes.settings) {
    const adapter = ctx.channels.get(existing.type);
    settings = validSettings(adapter, changes.settings);
    await activateConnection(ctx, adapter, {
      id: existing.id,
      workspaceId: actor.workspaceId,
      type: existing.type,
      credentials: ctx.secrets.open(existing.credentials_enc),
      settings,
    });
  }
  const row = await transact(ctx, async (tx) => {
    const [row] = await tx.q.query<ConnectionRow>(
      `update channel_connections set name = coalesce($3, name), enabled = coalesce($4, enabled),
       settings = coalesce($5::jsonb, settings), updated_at = now()
     where workspace_id = $1 and id = $2 returning ${CONNECTION_COLUMNS}`,
      [
        actor.workspaceId,
        id,
        changes.name ?? null,
        changes.enabled ?? null,
        settings ? JSON.stringify(settings) : null,
      ],
    );
    // Before and after of what changed (settings hold no secrets: credentials are kept apart).
    const before: Record<string, unknown> = {};
    const after: Record<string, unknown> = {};
    for (const key of ["name", "enabled", "settings"] as const)
      if (changes[key] !== undefined && JSON.stringify(existing[key]) !== JSON.stringify(row![key])) {
        before[key] = existing[key];
        after[key] = row![key];
      }
    if (Object.keys(after).length)
      await recordAudit(tx.q, {
        workspaceId: actor.workspaceId,
        userId: actor.userId,
        action: "connection.settings_changed",
        targetType: "connection",
        targetId: id,
        data: { before, after },
        ip: actor.ip,
        userAgent: actor.userAgent,
        at: tx.now,
      });
    return row!;
  });
  webhookTargets.invalidate(id);
  return row;
}
