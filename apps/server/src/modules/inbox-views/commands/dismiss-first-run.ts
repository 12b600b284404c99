import type { AppContext } from "../../../context";
import type { Actor } from "../../../domain/permissions";

/** Puts the first-run checklist away for the caller. */
export async function dismissFirstRun(ctx: AppContext, actor: Actor) {
  await ctx.db.query(
    `insert into first_run_dismissals (user_id, dismissed_at) values ($1, $2)
     on conflict (user_id) do nothing`,
    [actor.userId, ctx.clock.now()],
  );
}
