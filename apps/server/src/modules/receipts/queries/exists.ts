import type { Queryable } from "../../../db/client";
import { notFound } from "../../../lib/errors";

/**
 * 404 unless the workspace holds this connection or contact: checked before the caller's role, so another
 * workspace's record looks the same as a missing one.
 */
export async function mustExist(
  q: Queryable,
  what: "Connection" | "Contact",
  workspaceId: string,
  id: string,
) {
  const table = what === "Connection" ? "channel_connections" : "contacts";
  const rows = await q.query(`select 1 from ${table} where id = $1 and workspace_id = $2`, [id, workspaceId]);
  if (!rows.length) throw notFound(what);
}
