import type { Queryable } from "../../../db/client";
import { notFound } from "../../../lib/errors";

/** One of the workspace's channel connections, with what its adapter needs (404 for another's). */
export async function templateConnection(db: Queryable, workspaceId: string, id: string) {
  const [row] = await db.query<{ id: string; type: string; credentials_enc: string; settings: unknown }>(
    "select id, type, credentials_enc, settings from channel_connections where workspace_id = $1 and id = $2",
    [workspaceId, id],
  );
  if (!row) throw notFound("Channel connection");
  return row;
}
