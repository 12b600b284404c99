import type { AppContext } from "../../../context";
import { unreadCount } from "../queries/notification-page";

/** Marks the given notifications of the user read (all of them when `ids` is null); returns the unread count. */
export async function markNotificationsRead(ctx: AppContext, userId: string, ids: string[] | null) {
  await ctx.db.query(
    `update notifications set read_at = $3 where user_id = $1 and read_at is null
       and ($2::uuid[] is null or id = any($2::uuid[]))`,
    [userId, ids, ctx.clock.now()],
  );
  return { unread: await unreadCount(ctx.db, userId) };
}
