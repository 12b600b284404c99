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
  const recorded: { d: NotificationDraft; row: NotificationRow; notification: AgentNotification }[] = [];
  for (const d of drafts) {
    const row = inserted.get(keyOf(d.userId, d.dedupeKey));
    // A draft repeating an earlier one of the batch was inserted (and is answered) once.
    inserted.delete(keyOf(d.userId, d.dedupeKey));
    const notification = row ? presentNotification(row) : null;
    if (row && notification) recorded.push({ d, row, notification });
    out.push(notification);
  }
  await deliver(ctx, tx, recorded);
  return out;
}

/** A delivery a recorded notification asks for: by push (one per subscription), email or SMS. */
interface Wanted {
  d: NotificationDraft;
  row: NotificationRow;
  means: "push" | "email" | "sms";
  mode: "push" | "batched" | "daily" | "weekly";
}

/**
 * Sends recorded notifications to their agents' sockets (an event each, addressed to the agent alone) and
 * writes their email, SMS and browser deliveries with one statement and the jobs that send them with one
 * more, however many notifications there are.
 */
async function deliver(
  ctx: AppContext,
  tx: Tx,
  recorded: { d: NotificationDraft; row: NotificationRow; notification: AgentNotification }[],
) {
  const wanted: Wanted[] = [];
  for (const { d, row, notification } of recorded) {
    tx.emit(d.workspaceId, {
      type: "notification.created",
      notification,
      audience: { userIds: [d.userId] },
    });
    const silenced = silencedBy(d.settings, tx.now);
    if (d.means.push && !silenced) wanted.push({ d, row, means: "push", mode: "push" });
    const mode = d.emailMode ?? d.settings.emailMode;
    const paused = silenced === "paused";
    // Batched emails are held back while silenced; digests are sent at their hour anyway (not while paused).
    const sendable = d.conversationId && !paused && (mode !== "batched" || !silenced);
    if (d.means.email && ctx.config.SMTP_HOST && sendable) wanted.push({ d, row, means: "email", mode });
    // SMS: the same modes and silences as email, to a verified number only (a row only when there is one).
    if (d.means.sms && sendable) wanted.push({ d, row, means: "sms", mode });
  }
  if (!wanted.length) return;
  // Push: a row per subscription of the agent; SMS: a row only with a verified number; email: a row each.
  const written = await tx.q.query<{ id: number; notification_id: string; means: Wanted["means"] }>(
    `insert into notification_deliveries (notification_id, user_id, conversation_id, means, mode, subscription_id, created_at)
     select w.notification_id, w.user_id, w.conversation_id, w.means, w.mode, s.id, $6
     from unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[])
       with ordinality as w(notification_id, user_id, conversation_id, means, mode, n)
     left join push_subscriptions s on w.means = 'push' and s.user_id = w.user_id
     where w.means = 'email'
       or (w.means = 'push' and s.id is not null)
       or (w.means = 'sms' and exists (select 1 from agent_phones p where p.user_id = w.user_id and p.phone is not null))
     order by w.n, s.id
     returning id, notification_id, means`,
    [
      wanted.map((w) => w.row.id),
      wanted.map((w) => w.d.userId),
      wanted.map((w) => w.d.conversationId),
      wanted.map((w) => w.means),
      wanted.map((w) => w.mode),
      tx.now,
    ],
  );
  // A notification asks for each means once: its rows are found by notification and means.
  const byKey = new Map(wanted.map((w) => [`${w.row.id}:${w.means}`, w]));
  const attempts = ctx.config.NOTIFY_ATTEMPTS;
  const jobs: Parameters<Tx["enqueueMany"]>[0] = [];
  for (const { id, notification_id, means: m } of written.sort((a, b) => Number(a.id) - Number(b.id))) {
    const { d, row, means, mode } = byKey.get(`${notification_id}:${m}`)!;
    const base = { workspaceId: d.workspaceId, maxAttempts: attempts };
    if (means === "push") {
      jobs.push({ type: JOB_PUSH, payload: { deliveryId: Number(id) }, opts: base });
    } else if (mode === "batched") {
      jobs.push({
        type: means === "email" ? JOB_EMAIL : JOB_SMS,
        payload: { userId: d.userId, conversationId: d.conversationId },
        opts: { ...base, idempotencyKey: `notify-${means}:${row.id}` },
      });
    } else {
      const runAt = nextDigestAt(d.settings, mode as "daily" | "weekly", tx.now);
      jobs.push({
        type: means === "email" ? JOB_DIGEST : JOB_SMS_DIGEST,
        payload: { userId: d.userId, mode },
        opts: {
          ...base,
          runAt,
          idempotencyKey: `notify-${means === "email" ? "digest" : "sms-digest"}:${d.userId}:${mode}:${runAt.toISOString()}`,
        },
      });
    }
  }
  await tx.enqueueMany(jobs);
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
