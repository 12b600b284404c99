import crypto from "node:crypto";
import type { ChannelType } from "@parley/protocol";
import { type AppContext, transact } from "../../../context";
import { recordAudit } from "../../audit/record";
import { CONNECTION_COLUMNS, type ConnectionRow } from "../schemas";
import type { WebhookTargetCache } from "../webhook-cache";
import { activateConnection, type ConnectionActor, validSettings } from "./activate";

export interface NewConnection {
  type: ChannelType;
  name: string;
  settings: Record<string, unknown>;
  credentials: Record<string, unknown>;
}

/**
 * Connects a channel: its settings and credentials checked with the adapter's schemas, stored sealed, then
 * checked with the provider (webhook registered). Returns the new row and what is shown once.
 */
export async function createConnection(
  ctx: AppContext,
  webhookTargets: WebhookTargetCache,
  actor: ConnectionActor,
  input: NewConnection,
): Promise<{ row: ConnectionRow; reveal: Record<string, string> }> {
  const adapter = ctx.channels.get(input.type);
  const settings = validSettings(adapter, input.settings);
  const credentials = adapter.createCredentials(input.credentials);
  const id = crypto.randomUUID();
  // Stored first, then checked with the provider and its webhook registered: Viber's set_webhook calls
  // the webhook URL at once and fails unless it answers 200, so the connection must already exist. A
  // refused activation removes it again.
  const row = await transact(ctx, async (tx) => {
    const [r] = await tx.q.query<ConnectionRow>(
      `insert into channel_connections (id, workspace_id, type, name, credentials_enc, settings, created_at, updated_at)
       values ($7, $1, $2, $3, $4, $5, $6, $6) returning ${CONNECTION_COLUMNS}`,
      [
        actor.workspaceId,
        input.type,
        input.name,
        ctx.secrets.seal(credentials),
        JSON.stringify(settings),
        tx.now,
        id,
      ],
    );
    return r!;
  });
  try {
    await activateConnection(ctx, adapter, {
      id,
      workspaceId: actor.workspaceId,
      type: input.type,
      credentials,
      settings,
    });
  } catch (err) {
    await ctx.db.query("delete from channel_connections where id = $1", [id]);
    webhookTargets.invalidate(id);
    throw err;
  }
  await recordAudit(ctx.db, {
    workspaceId: actor.workspaceId,
    userId: actor.userId,
    action: "connection.created",
    targetType: "connection",
    targetId: row.id,
    data: { type: input.type, name: input.name },
    ip: actor.ip,
    userAgent: actor.userAgent,
    at: ctx.clock.now(),
  });
  const reveal = adapter.revealOnCreate?.(credentials, row.id, ctx.config.publicUrl) ?? {};
  return { row, reveal };
}
