import type { Db } from "../db/client";
import type { Clock } from "../lib/time";
import { pruneAuditLog } from "../modules/audit/retention";
import { purgeReadTracking } from "../modules/receipts/privacy";

const DAY = 86400_000;

/**
 * Housekeeping the worker role runs every hour: finished jobs are kept a week (dead ones a month, for
 * admins to look at), domain events a month (reconnecting sockets replay at most a few thousand; older
 * clients resync), expired sessions and invitations are removed; read-tracking times older than a
 * workspace's retention period are forgotten (R307), audit entries older than its audit retention too
 * (R803). Agents' notifications go once read for 90 days, unread ones after a year (nobody scrolls that
 * far back); their sent or failed deliveries after 30 days (a notification's deliveries also go with it).
 * Outgoing webhook deliveries made or given up go after 30 days.
 */
export async function pruneOldRows(db: Db, clock: Clock): Promise<Record<string, number>> {
  const now = clock.now().getTime();
  const before = (days: number) => new Date(now - days * DAY);
  const count = async (sql: string, params: unknown[]) =>
    (await db.query(`${sql} returning 1`, params)).length;
  const readTracking = await purgeReadTracking(db, new Date(now));
  return {
    readTimes: readTracking.messages,
    readMarks: readTracking.marks,
    jobs: await count("delete from jobs where status = 'done' and updated_at < $1", [before(7)]),
    deadJobs: await count("delete from jobs where status = 'dead' and updated_at < $1", [before(30)]),
    events: await count("delete from events where created_at < $1", [before(30)]),
    sessions: await count("delete from sessions where expires_at < $1", [new Date(now)]),
    notificationDeliveries: await count(
      "delete from notification_deliveries where status in ('sent', 'failed') and created_at < $1",
      [before(30)],
    ),
    notifications: await count(
      "delete from notifications where (read_at is not null and read_at < $1) or created_at < $2",
      [before(90), before(365)],
    ),
    webhookDeliveries: await count(
      "delete from webhook_deliveries where status in ('succeeded', 'failed') and created_at < $1",
      [before(30)],
    ),
    auditEntries: await pruneAuditLog(db, new Date(now)),
    invitations: await count("delete from invitations where accepted_at is null and expires_at < $1", [
      before(30),
    ]),
  };
}
