import type { AgentNotification } from "@parley/protocol";
import type { AppContext, Tx } from "../../context";
import { iso } from "../../lib/time";
import { type Means, nextDigestAt, type Settings, silencedBy } from "./settings";

export const JOB_EMAIL = "notify.email";
export const JOB_DIGEST = "notify.digest";
export const JOB_PUSH = "notify.push";
export const JOB_SMS = "notify.sms";
export const JOB_SMS_DIGEST = "notify.sms-digest";

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
  return (await createNotifications(ctx, tx, [d]))[0] ?? null;
}

/**
 * Records many notifications as createNotification does each, with one INSERT for all of them (a batch of
 * read reports or messages notifies many agents at once); the answer is in the drafts' order, null for a
 * draft whose user already has its key (or that repeats an earlier draft's).
 */
export async function createNotifications(
  ctx: AppContext,
  tx: Tx,
  drafts: NotificationDraft[],
): Promise<(AgentNotification | null)[]> {
  if (!drafts.length) return [];
  const keyOf = (userId: string, dedupeKey: string) => `${userId}\u0000${dedupeKey}`;
  const alerts = drafts.map((d) => d.means.inApp && !silencedBy(d.settings, tx.now));
  const rows = await tx.q.query<NotificationRow & { user_id: string; dedupe_key: string }>(
    `insert into notifications (workspace_id, user_id, kind, conversation_id, message_id, title, body, alert, dedupe_key, created_at, read_at)
     select u.workspace_id, u.user_id, u.kind, u.conversation_id, u.message_id, u.title, u.body, u.alert, u.dedupe_key,
       $10::timestamptz, case when u.in_app then null else $10::timestamptz end
     from unnest($1::uuid[], $2::uuid[], $3::text[], $4::uuid[], $5::uuid[], $6::text[], $7::text[], $8::boolean[],
                 $9::text[], $11::boolean[])
       with ordinality as u(workspace_id, user_id, kind, conversation_id, message_id, title, body, alert, dedupe_key, in_app, n)
     order by u.n
     on conflict (user_id, dedupe_key) do nothing
     returning ${NOTIFICATION_COLS}, user_id, dedupe_key`,
    [
      drafts.map((d) => d.workspaceId),
      drafts.map((d) => d.userId),
      drafts.map((d) => d.kind),
      drafts.map((d) => d.conversationId),
      drafts.map((d) => d.messageId),
      drafts.map((d) => d.title.slice(0, 200)),
      drafts.map((d) => d.body.slice(0, 1000)),
      alerts,
      drafts.map((d) => d.dedupeKey),
      tx.now,
      drafts.map((d) => d.means.inApp),
    ],
  );
  const inserted = new Map(rows.map((r) => [keyOf(r.user_id, r.dedupe_key), r]));
  const out: (AgentNotification | null)[] = [];
  for (const d of drafts) {
    const row = inserted.get(keyOf(d.userId, d.dedupeKey));
    // A draft repeating an earlier one of the batch was inserted (and is answered) once.
    inserted.delete(keyOf(d.userId, d.dedupeKey));
    out.push(row ? await deliver(ctx, tx, d, row) : null);
  }
  return out;
}

/** Sends a recorded notification to the agent's sockets and enqueues its email and browser deliveries. */
async function deliver(ctx: AppContext, tx: Tx, d: NotificationDraft, row: NotificationRow) {
  const silenced = silencedBy(d.settings, tx.now);
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
  // SMS: the same modes and silences as email, to a verified number only (a row only when there is one).
  if (d.means.sms && d.conversationId && !paused && (mode !== "batched" || !silenced)) {
    const [sms] = await tx.q.query<{ id: number }>(
      `insert into notification_deliveries (notification_id, user_id, conversation_id, means, mode, created_at)
       select $1, $2, $3, 'sms', $4, $5 from agent_phones p where p.user_id = $2 and p.phone is not null
       returning id`,
      [row.id, d.userId, d.conversationId, mode, tx.now],
    );
    if (sms && mode === "batched")
      await tx.enqueue(
        JOB_SMS,
        { userId: d.userId, conversationId: d.conversationId },
        { workspaceId: d.workspaceId, maxAttempts: attempts, idempotencyKey: `notify-sms:${row.id}` },
      );
    else if (sms) {
      const runAt = nextDigestAt(d.settings, mode as "daily" | "weekly", tx.now);
      await tx.enqueue(
        JOB_SMS_DIGEST,
        { userId: d.userId, mode },
        {
          workspaceId: d.workspaceId,
          maxAttempts: attempts,
          runAt,
          idempotencyKey: `notify-sms-digest:${d.userId}:${mode}:${runAt.toISOString()}`,
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
  n: { workspaceId: string; userId: string; means: "email" | "push" | "sms"; error: string; key: string },
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
    means: { inApp: true, push: false, email: false, sms: false },
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
