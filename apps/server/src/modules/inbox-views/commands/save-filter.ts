import type { AppContext } from "../../../context";
import { uniqueViolation } from "../../../db/errors";
import type { Actor } from "../../../domain/permissions";
import { AppError } from "../../../lib/errors";
import { presentSavedFilter, type SavedFilterRow } from "../present";
import type { SavedFilterParams } from "../schema";

/** How many saved filters one person keeps: the views column stays a list one can scan. */
export const SAVED_FILTERS_MAX = 30;

/** Saves the current filter set under a name, for the caller alone; a name they already use is a 409. */
export async function saveFilter(
  ctx: AppContext,
  actor: Actor,
  input: { name: string; params: SavedFilterParams },
) {
  const [count] = await ctx.db.query<{ n: number }>(
    "select count(*)::int as n from saved_filters where user_id = $1",
    [actor.userId],
  );
  if ((count?.n ?? 0) >= SAVED_FILTERS_MAX)
    throw new AppError(
      "conflict",
      `You have ${SAVED_FILTERS_MAX} saved filters: delete one to save another.`,
    );
  const now = ctx.clock.now();
  const [row] = await ctx.db
    .query<SavedFilterRow>(
      `insert into saved_filters (workspace_id, user_id, name, params, created_at, updated_at)
       values ($1, $2, $3, $4, $5, $5) returning id, name, params`,
      [actor.workspaceId, actor.userId, input.name, JSON.stringify(input.params), now],
    )
    .catch(uniqueViolation(`You already have a saved filter named “${input.name}”.`));
  return presentSavedFilter(row!);
}
