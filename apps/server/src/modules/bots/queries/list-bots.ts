import type { Queryable } from "../../../db/client";

/** The workspace's bots, by name. */
export async function listBots(q: Queryable, workspaceId: string) {
  return q.query<{ id: string; name: string }>(
    "select id, name from bots where workspace_id = $1 order by lower(name), id",
    [workspaceId],
  );
}
