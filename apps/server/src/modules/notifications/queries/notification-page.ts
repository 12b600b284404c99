import type { Queryable } from "../../../db/client";
import { NOTIFICATION_COLS, presentNotification } from "../create";

export async function unreadCount(q: Queryable, userId: string) {
  const [r] = await q.query<{ n: number }>(
    "select count(*)::int as n from notifications where user_id = $1 and read_at is null",
    [userId],
  );
  return r?.n ?? 0;
}

/** A page of the user's notification centre, newest first, before the notification `before`. */
export async function notificationPage(
  q: Queryable,
  userId: string,
  page: { before?: string | undefined; limit: number },
) {
  const rows = await q.query<Parameters<typeof presentNotification>[0]>(
    `select ${NOTIFICATION_COLS} from notifications n
     where user_id = $1 and ($2::uuid is null or (created_at, id) < (
       select created_at, id from notifications where id = $2 and user_id = $1))
     order by created_at desc, id desc limit $3`,
    [userId, page.before ?? null, page.limit + 1],
  );
  const shown = rows.slice(0, page.limit);
  return {
    notifications: shown.map(presentNotification),
    unread: await unreadCount(q, userId),
    nextBefore: rows.length > page.limit ? (shown.at(-1)?.id ?? null) : null,
  };
}
