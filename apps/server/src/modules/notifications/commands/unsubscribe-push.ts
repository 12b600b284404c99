import type { AppContext } from "../../../context";

/** Forgets one of the user's push subscriptions; says whether there was one. */
export async function unsubscribePush(ctx: AppContext, userId: string, endpoint: string) {
  const rows = await ctx.db.query(
    "delete from push_subscriptions where user_id = $1 and endpoint = $2 returning id",
    [userId, endpoint],
  );
  return { removed: rows.length > 0 };
}
