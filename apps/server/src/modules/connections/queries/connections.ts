import type { Queryable } from "../../../db/client";
import { CONNECTION_COLUMNS, type ConnectionRow } from "../schemas";

/** The workspace's connections, oldest first. */
export function listConnections(db: Queryable, workspaceId: string): Promise<ConnectionRow[]> {
  return db.query<ConnectionRow>(
    `select ${CONNECTION_COLUMNS} from channel_connections where workspace_id = $1 order by created_at`,
    [workspaceId],
  );
}

/** One connection of the workspace, or null. */
export async function findConnection(
  db: Queryable,
  workspaceId: string,
  id: string,
): Promise<ConnectionRow | null> {
  const [row] = await db.query<ConnectionRow>(
    `select ${CONNECTION_COLUMNS} from channel_connections where workspace_id = $1 and id = $2`,
    [workspaceId, id],
  );
  return row ?? null;
}

/** One connection of the workspace with its sealed credentials, or null. */
export async function findConnectionWithCredentials(
  db: Queryable,
  workspaceId: string,
  id: string,
): Promise<(ConnectionRow & { credentials_enc: string }) | null> {
  const [row] = await db.query<ConnectionRow & { credentials_enc: string }>(
    `select ${CONNECTION_COLUMNS}, credentials_enc from channel_connections where workspace_id = $1 and id = $2`,
    [workspaceId, id],
  );
  return row ?? null;
}
