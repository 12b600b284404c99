import type { AppContext } from "../../../context";
import { kysely } from "../../../db/kysely";

/** Ends every session of a user but `keep` and closes their sockets in every process; answers how many. */
export async function endSessions(
  ctx: AppContext,
  workspaceId: string,
  userId: string,
  keep: string | null,
): Promise<number> {
  const rows = await kysely(ctx.db)
    .deleteFrom("sessions")
    .where("user_id", "=", userId)
    .where("workspace_id", "=", workspaceId)
    .$if(keep !== null, (qb) => qb.where("id", "<>", keep!))
    .returning("id")
    .execute();
  if (rows.length) ctx.bus.access({ workspaceId, sessionIds: rows.map((r) => r.id) });
  return rows.length;
}
