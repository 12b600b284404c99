import type { Queryable } from "../../db/client";

/** How often a session's last use and address are written: at most once a minute. */
export const TOUCH_EVERY_MS = 60_000;

/**
 * Keeps a session's "last used" and address current cheaply: a request writes only when the stored time is
 * a minute old or more (the condition is in the statement, so concurrent requests write once).
 */
export async function touchSession(
  q: Queryable,
  session: { sessionId: string; lastSeenAt?: Date },
  ip: string,
  now: Date,
) {
  if (session.lastSeenAt && now.getTime() - session.lastSeenAt.getTime() < TOUCH_EVERY_MS) return;
  await q.query("update sessions set last_seen_at = $2, ip = $3 where id = $1 and last_seen_at <= $4", [
    session.sessionId,
    now,
    ip,
    new Date(now.getTime() - TOUCH_EVERY_MS),
  ]);
}
