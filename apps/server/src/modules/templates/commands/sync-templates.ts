import { adapterContext } from "../../../channels/context";
import { ChannelSendError, ChannelSetupError, type ProviderTemplate } from "../../../channels/types";
import { type AppContext, transact } from "../../../context";
import { AppError } from "../../../lib/errors";
import { presentTemplate, TEMPLATE_COLUMNS, type TemplateRow } from "../present";
import { templateConnection } from "../queries/connection";

/** The connection's templates as the provider lists them (every page); provider errors become 422 / 503. */
async function fetchTemplates(ctx: AppContext, workspaceId: string, connectionId: string) {
  const conn = await templateConnection(ctx.db, workspaceId, connectionId);
  const adapter = ctx.channels.get(conn.type);
  if (!adapter.templates)
    throw new AppError("unprocessable", `${conn.type} connections have no message templates.`);
  try {
    return await adapter.templates(
      {
        id: conn.id,
        workspaceId,
        credentials: ctx.secrets.open(conn.credentials_enc),
        settings: conn.settings,
      },
      adapterContext(ctx, { id: conn.id, workspaceId, type: conn.type }),
    );
  } catch (err) {
    if (err instanceof ChannelSetupError) throw new AppError("unprocessable", err.message);
    if (err instanceof ChannelSendError)
      throw new AppError(err.retryable ? "unavailable" : "unprocessable", err.detail);
    throw err;
  }
}

/** Fetches the connection's templates from the provider and stores them; those gone at the provider go. */
export async function syncTemplates(ctx: AppContext, workspaceId: string, connectionId: string) {
  const list: ProviderTemplate[] = await fetchTemplates(ctx, workspaceId, connectionId);
  return transact(ctx, async (tx) => {
    for (const t of list) {
      await tx.q.query(
        `insert into message_templates (workspace_id, connection_id, provider_template_id, name, language, category,
           status, components, synced_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         on conflict (connection_id, name, language) do update set provider_template_id = excluded.provider_template_id,
           category = excluded.category, status = excluded.status, components = excluded.components,
           synced_at = excluded.synced_at`,
        [
          workspaceId,
          connectionId,
          t.providerId,
          t.name,
          t.language,
          t.category,
          t.status,
          JSON.stringify(t.components),
          tx.now,
        ],
      );
    }
    // Templates deleted at the provider are gone from the list: forget them.
    const removed = await tx.q.query(
      "delete from message_templates where connection_id = $1 and synced_at < $2 returning id",
      [connectionId, tx.now],
    );
    const rows = await tx.q.query<TemplateRow>(
      `select ${TEMPLATE_COLUMNS} from message_templates where connection_id = $1 order by name, language`,
      [connectionId],
    );
    return { synced: list.length, removed: removed.length, templates: rows.map(presentTemplate) };
  });
}
