import { sql } from "kysely";
import type { AppContext } from "../../../context";
import { kysely } from "../../../db/kysely";
import { CANNED_COLUMNS, presentCanned } from "../present";

/** The workspace's canned replies by shortcut, optionally those whose shortcut, title or text holds `search`. */
export async function listCannedReplies(ctx: AppContext, workspaceId: string, search: string | undefined) {
  const pattern = search ? `%${search.replace(/[%_\\]/g, (m) => `\\${m}`)}%` : null;
  const rows = await kysely(ctx.db)
    .selectFrom("canned_replies")
    .select(CANNED_COLUMNS)
    .where("workspace_id", "=", workspaceId)
    .$if(pattern !== null, (qb) =>
      qb.where((eb) =>
        eb.or([
          eb("shortcut", "ilike", pattern!),
          eb("title", "ilike", pattern!),
          eb("text", "ilike", pattern!),
        ]),
      ),
    )
    .orderBy(sql`lower(shortcut)`)
    .limit(500)
    .execute();
  return rows.map(presentCanned);
}
