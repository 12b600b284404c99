import { type AppContext, transact } from "../../../context";
import { notFound } from "../../../lib/errors";
import { recordAudit } from "../../audit/record";
import { CONFIG_COLUMNS, type ConfigRow } from "../present";
import type { ConfigBody } from "../schema";

/** Who manages automation (`automation.manage`) and where their request came from, for the audit log. */
export interface Manager {
  workspaceId: string;
  userId: string;
  ip: string | null;
  userAgent: string | null;
  tokenId: string | null;
}

export type Scope = { connectionId: string } | { teamId: string };
const column = (s: Scope) => ("connectionId" in s ? "connection_id" : "team_id");
const scopeId = (s: Scope) => ("connectionId" in s ? s.connectionId : s.teamId);

/**
 * Saves the linked-record template of a connection or a team (`automation.manage`). Header values are sealed
 * with the workspace's secret box like channel credentials; omitted headers keep the saved ones. The audit
 * entry names the headers, never their values.
 */
export async function saveConfig(ctx: AppContext, m: Manager, scope: Scope, body: ConfigBody) {
  return transact(ctx, async (tx) => {
    const table = "connectionId" in scope ? "channel_connections" : "teams";
    const [owner] = await tx.q.query(`select 1 from ${table} where workspace_id = $1 and id = $2`, [
      m.workspaceId,
      scopeId(scope),
    ]);
    if (!owner) throw notFound("connectionId" in scope ? "Connection" : "Team");
    const headers = body.headers;
    const [row] = await tx.q.query<ConfigRow>(
      `insert into linked_record_configs (workspace_id, ${column(scope)}, enabled, method, url, header_names, headers_enc,
         body_template, id_path, url_path, created_at, updated_at)
       values ($1, $2, $3, $4, $5, coalesce($6::text[], '{}'), $7::text, $8, $9, $10, $11, $11)
       on conflict (${column(scope)}) where ${column(scope)} is not null do update set
         enabled = excluded.enabled, method = excluded.method, url = excluded.url,
         header_names = case when $6::text[] is null then linked_record_configs.header_names else excluded.header_names end,
         headers_enc = case when $6::text[] is null then linked_record_configs.headers_enc else excluded.headers_enc end,
         body_template = excluded.body_template, id_path = excluded.id_path, url_path = excluded.url_path,
         updated_at = excluded.updated_at
       returning ${CONFIG_COLUMNS}`,
      [
        m.workspaceId,
        scopeId(scope),
        body.enabled,
        body.method,
        body.url,
        headers ? Object.keys(headers) : null,
        headers ? ctx.secrets.seal(headers) : null,
        body.bodyTemplate,
        body.idPath,
        body.urlPath ?? null,
        tx.now,
      ],
    );
    await recordAudit(tx.q, {
      workspaceId: m.workspaceId,
      userId: m.userId,
      action: "linked_record_config.saved",
      targetType: "linked_record_config",
      targetId: row!.id,
      data: {
        ...scope,
        method: body.method,
        url: body.url,
        headerNames: row!.header_names,
        enabled: body.enabled,
      },
      ip: m.ip,
      userAgent: m.userAgent,
      tokenId: m.tokenId,
      at: tx.now,
    });
    return row!;
  });
}

/** Removes a connection's or team's template; records already made stay. */
export async function deleteConfig(ctx: AppContext, m: Manager, scope: Scope) {
  await transact(ctx, async (tx) => {
    const [row] = await tx.q.query<{ id: string }>(
      `delete from linked_record_configs where workspace_id = $1 and ${column(scope)} = $2 returning id`,
      [m.workspaceId, scopeId(scope)],
    );
    if (!row) throw notFound("Linked record configuration");
    await recordAudit(tx.q, {
      workspaceId: m.workspaceId,
      userId: m.userId,
      action: "linked_record_config.deleted",
      targetType: "linked_record_config",
      targetId: row.id,
      data: scope,
      ip: m.ip,
      userAgent: m.userAgent,
      tokenId: m.tokenId,
      at: tx.now,
    });
  });
}
