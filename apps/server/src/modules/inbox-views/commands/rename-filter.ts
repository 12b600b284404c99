import type { AppContext } from "../../../context";
import { uniqueViolation } from "../../../db/errors";
import type { Actor } from "../../../domain/permissions";
import { notFound } from "../../../lib/errors";
import { presentSavedFilter, type SavedFilterRow } from "../present";

/** Renames one of the caller's saved filters (another person's is not found). */
export async function renameFilter(ctx: AppContext, actor: Actor, id: string, name: string) {
  const [row] = await ctx.db
    .query<SavedFilterRow>(
      `update saved_filters set name = $4, updated_at = $5
       where id = $1 and workspace_id = $2 and user_id = $3 returning id, name, params`,
      [id, actor.workspaceId, actor.userId, name, ctx.clock.now()],
    )
    .catch(uniqueViolation(`You already have a saved filter named “${name}”.`));
  if (!row) throw notFound("The saved filter");
  return presentSavedFilter(row);
}
