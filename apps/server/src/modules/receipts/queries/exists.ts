import type { Queryable } from "../../../db/client";
import { existInWorkspace } from "../../../db/exists";
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
  const { row } = await existInWorkspace(q, workspaceId, { row: [table, id] });
  if (!row) throw notFound(what);
}
