import type { AppContext } from "../../../context";
import { kysely } from "../../../db/kysely";
import type { RealtimeHub } from "../../../realtime/hub";

/** Ends every session of a user but `keep` (and closes their sockets on this process); answers how many. */
export async function endSessions(
  ctx: AppContext,
  hub: RealtimeHub,
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
  for (const r of rows) hub.closeSession(workspaceId, r.id);
  return rows.length;
}
