import type { Permission } from "@parley/protocol";
import type { Queryable } from "../../../db/client";
import type { ApiToken } from "../schema";

interface Row {
  id: string;
  name: string;
  prefix: string;
  permissions: string[];
  rate_limit: number;
  created_by: string | null;
  creator_name: string | null;
  created_at: Date;
  expires_at: Date | null;
  last_used_at: Date | null;
  last_used_ip: string | null;
  revoked_at: Date | null;
}

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

const present = (r: Row): ApiToken => ({
  id: r.id,
  name: r.name,
  prefix: r.prefix,
  permissions: r.permissions as Permission[],
  rateLimit: r.rate_limit,
  createdBy: r.created_by ? { id: r.created_by, name: r.creator_name ?? "" } : null,
  createdAt: iso(r.created_at)!,
  expiresAt: iso(r.expires_at),
  lastUsedAt: iso(r.last_used_at),
  lastUsedIp: r.last_used_ip,
  revokedAt: iso(r.revoked_at),
});

const SELECT = `select t.id, t.name, t.prefix, t.permissions, t.rate_limit, t.created_by, u.name as creator_name,
    t.created_at, t.expires_at, t.last_used_at, t.last_used_ip, t.revoked_at
  from api_tokens t left join users u on u.id = t.created_by`;

/** The workspace's tokens, newest first (revoked ones too, marked). */
export async function listTokens(db: Queryable, workspaceId: string): Promise<ApiToken[]> {
  const rows = await db.query<Row>(`${SELECT} where t.workspace_id = $1 order by t.created_at desc, t.id`, [
    workspaceId,
  ]);
  return rows.map(present);
}

/** One token of the workspace, or null. */
export async function loadToken(db: Queryable, workspaceId: string, id: string): Promise<ApiToken | null> {
  const [row] = await db.query<Row>(`${SELECT} where t.workspace_id = $1 and t.id = $2`, [workspaceId, id]);
  return row ? present(row) : null;
}
