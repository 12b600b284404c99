import type { Queryable } from "../../../db/client";
import { notFound } from "../../../lib/errors";
import { BOT_COLUMNS, type BotRow } from "../present";

/** The workspace's bots, by name. */
export async function listBots(q: Queryable, workspaceId: string) {
  return q.query<BotRow>(`select ${BOT_COLUMNS} from bots where workspace_id = $1 order by lower(name), id`, [
    workspaceId,
  ]);
}

/** One bot of the workspace, or 404. */
export async function findBot(q: Queryable, workspaceId: string, id: string, lock = false) {
  const [row] = await q.query<BotRow>(
    `select ${BOT_COLUMNS} from bots where workspace_id = $1 and id = $2${lock ? " for update" : ""}`,
    [workspaceId, id],
  );
  if (!row) throw notFound("Bot");
  return row;
}
