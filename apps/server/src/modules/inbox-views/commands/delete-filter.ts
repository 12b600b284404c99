import type { AppContext } from "../../../context";
import type { Actor } from "../../../domain/permissions";
import { notFound } from "../../../lib/errors";

/** Deletes one of the caller's saved filters (another person's is not found). */
export async function deleteFilter(ctx: AppContext, actor: Actor, id: string) {
  const rows = await ctx.db.query(
    "delete from saved_filters where id = $1 and workspace_id = $2 and user_id = $3 returning id",
    [id, actor.workspaceId, actor.userId],
  );
  if (!rows.length) throw notFound("The saved filter");
}
