import type { AgentNotification } from "@parley/protocol";
import type { AppContext, Tx } from "../../context";
import { iso } from "../../lib/time";
import { type Means, nextDigestAt, type Settings, silencedBy } from "./settings";

export const JOB_EMAIL = "notify.email";
export const JOB_DIGEST = "notify.digest";
export const JOB_PUSH = "notify.push";

export interface NotificationDraft {
  workspaceId: string;
  userId: string;
  kind: string;
  conversationId: string | null;
  messageId: string | null;
  title: string;
  body: string;
  /** One notification per user and key: a trigger seen twice (a job run again) notifies once. */
  dedupeKey: string;
  means: Means;
  /** For email: batched (default from the settings) or into a digest. */
  emailMode?: "batched" | "daily" | "weekly";
  settings: Settings;
}

interface NotificationRow {
  id: string;
  kind: string;
  conversation_id: string | null;
  message_id: string | null;
  title: string;
  body: string;
  alert: boolean;
  created_at: Date;
  read_at: Date | null;
}
export const NOTIFICATION_COLS =
  "id, kind, conversation_id, message_id, title, body, alert, created_at, read_at";

export const presentNotification = (r: NotificationRow): AgentNotification => ({
  id: r.id,
  kind: r.kind,
  conversationId: r.conversation_id,
  messageId: r.message_id,
  title: r.title,
  body: r.body,
  alert: r.alert,
  createdAt: iso(r.created_at)!,
  readAt: iso(r.read_at),
});

/**
 * Records one notification in the agent's centre, sends it to their sockets (an event addressed to them
 * alone), and enqueues its email and browser deliveries, all in the caller's transaction: nothing is sent
 * before the trigger commits, and nothing is lost once it has.
 */
export async function createNotification(
  ctx: AppContext,
  tx: Tx,
  d: NotificationDraft,
): Promise<AgentNotification | null> {
  const silenced = silencedBy(d.settings, tx.now);
  const alert = d.means.inApp && !silenced;
  // In-app off: kept in the centre as history, but already read (no badge, no toast).
  const [row] = await tx.q.query<NotificationRow>(
    `insert into notifications (workspace_id, user_id, kind, conversation_id, message_id, title, body, alert, dedupe_key, created_at, read_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
     on conflict (user_id, dedupe_key) do nothing
     returning ${NOTIFICATION_COLS}`,
    [
      d.workspaceId,
      d.userId,
      d.kind,
      d.conversationId,
      d.messageId,
      d.title.slice(0, 200),
      d.body.slice(0, 1000),
      alert,
      d.dedupeKey,
      tx.now,
      d.means.inApp ? null : tx.now,
    ],
  );
  if (!row) return null;
  const notification = presentNotification(row);
  tx.emit(d.workspaceId, {
    type: "notification.created",
    notification,
    audience: { userIds: [d.userId] },
  });
  const attempts = ctx.config.NOTIFY_ATTEMPTS;

  if (d.means.push && !silenced) {
    const deliveries = await tx.q.query<{ id: number }>(
      `insert into notification_deliveries (notification_id, user_id, conversation_id, means, mode, subscription_id, created_at)
       select $1, $2, $3, 'push', 'push', s.id, $4 from push_subscriptions s where s.user_id = $2
       returning id`,
      [row.id, d.userId, d.conversationId, tx.now],
    );
    for (const { id } of deliveries) {
      await tx.enqueue(
        JOB_PUSH,
        { deliveryId: Number(id) },
        { workspaceId: d.workspaceId, maxAttempts: attempts },
      );
    }
  }

  const mode = d.emailMode ?? d.settings.emailMode;
  const paused = silenced === "paused";
  // Batched emails are held back while silenced; digests are sent at their hour anyway (not while paused).
  if (
    d.means.email &&
    ctx.config.SMTP_HOST &&
    d.conversationId &&
    !paused &&
    (mode !== "batched" || !silenced)
  ) {
    await tx.q.query(
      `insert into notification_deliveries (notification_id, user_id, conversation_id, means, mode, created_at)
       values ($1, $2, $3, 'email', $4, $5)`,
      [row.id, d.userId, d.conversationId, mode, tx.now],
    );
    if (mode === "batched") {
      await tx.enqueue(
        JOB_EMAIL,
        { userId: d.userId, conversationId: d.conversationId },
        { workspaceId: d.workspaceId, maxAttempts: attempts, idempotencyKey: `notify-email:${row.id}` },
      );
    } else {
      const runAt = nextDigestAt(d.settings, mode, tx.now);
      await tx.enqueue(
        JOB_DIGEST,
        { userId: d.userId, mode },
        {
          workspaceId: d.workspaceId,
          maxAttempts: attempts,
          runAt,
          idempotencyKey: `notify-digest:${d.userId}:${mode}:${runAt.toISOString()}`,
        },
      );
    }
  }
  return notification;
}

/** Tells an agent in the app that an email or browser notification could not be delivered. */
export async function createFailureNotice(
  ctx: AppContext,
  tx: Tx,
  n: { workspaceId: string; userId: string; means: "email" | "push"; error: string; key: string },
) {
  const [s] = await tx.q.query<{ one: number }>("select 1 as one from users where id = $1", [n.userId]);
  if (!s) return null;
  return createNotification(ctx, tx, {
    workspaceId: n.workspaceId,
    userId: n.userId,
    kind: "delivery_failed",
    conversationId: null,
    messageId: null,
    title: n.means,
    body: n.error,
    dedupeKey: `failed:${n.means}:${n.key}`,
    means: { inApp: true, push: false, email: false },
    settings: {
      matrix: {} as Settings["matrix"],
      sound: true,
      dnd: false,
      quietHours: null,
      timeZone: "UTC",
      pausedUntil: null,
      emailMode: "batched",
      digestHour: 8,
    },
  });
}
