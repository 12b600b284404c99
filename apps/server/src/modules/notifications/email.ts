import nodemailer from "nodemailer";
import { z } from "zod";
import type { Config } from "../../config";
import type { AppContext } from "../../context";
import { transact } from "../../context";
import { RetryLater } from "../../jobs/queue";
import { createFailureNotice, JOB_DIGEST, JOB_EMAIL } from "./create";

/** The notification mailer from SMTP_* (null when no SMTP server is configured). */
export function notificationMailer(config: Config) {
  if (!config.SMTP_HOST) return null;
  const timeout = config.OUTBOUND_TIMEOUT_MS;
  return nodemailer.createTransport({
    host: config.SMTP_HOST,
    port: config.SMTP_PORT,
    secure: config.SMTP_SECURE ?? config.SMTP_PORT === 465,
    ...(config.SMTP_USER ? { auth: { user: config.SMTP_USER, pass: config.SMTP_PASSWORD } } : {}),
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: Math.max(timeout, 30_000),
  });
}

/** The few words of a notification email, in the agent's language. */
const WORDS = {
  en: {
    subject: (n: number, who: string) =>
      n === 1 ? `Parley: ${who}` : `Parley: ${n} notifications about ${who}`,
    digest: (n: number) => `Parley digest: ${n} notifications`,
    open: "Open in Parley",
    kinds: {
      new_conversation: "New conversation",
      new_message: "New message",
      assigned: "Assigned to you",
      mention: "You were mentioned",
      customer_read: "Read by the customer",
      time_limit: "Time limit",
      security_alert: "Security alert",
    } as Record<string, string>,
  },
  ru: {
    subject: (n: number, who: string) => (n === 1 ? `Parley: ${who}` : `Parley: уведомлений — ${n} (${who})`),
    digest: (n: number) => `Сводка Parley: уведомлений — ${n}`,
    open: "Открыть в Parley",
    kinds: {
      new_conversation: "Новый диалог",
      new_message: "Новое сообщение",
      assigned: "Назначено вам",
      mention: "Вас упомянули",
      customer_read: "Прочитано клиентом",
      time_limit: "Срок ответа",
      security_alert: "Предупреждение безопасности",
    } as Record<string, string>,
  },
  uk: {
    subject: (n: number, who: string) => (n === 1 ? `Parley: ${who}` : `Parley: сповіщень — ${n} (${who})`),
    digest: (n: number) => `Зведення Parley: сповіщень — ${n}`,
    open: "Відкрити в Parley",
    kinds: {
      new_conversation: "Нова розмова",
      new_message: "Нове повідомлення",
      assigned: "Призначено вам",
      mention: "Вас згадали",
      customer_read: "Прочитано клієнтом",
      time_limit: "Термін відповіді",
      security_alert: "Попередження безпеки",
    } as Record<string, string>,
  },
};
export const words = (locale: string) =>
  WORDS[(locale.slice(0, 2) as keyof typeof WORDS) ?? "en"] ?? WORDS.en;

interface Claimed {
  id: number;
  kind: string;
  title: string;
  body: string;
  conversation_id: string | null;
  created_at: Date;
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err)).slice(0, 500);

export function registerEmailJobs(ctx: AppContext) {
  const mailer = notificationMailer(ctx.config);
  const intervalMs = ctx.config.NOTIFY_EMAIL_INTERVAL_SECONDS * 1000;

  async function recipient(userId: string) {
    const [u] = await ctx.db.query<{ email: string; name: string; locale: string; workspace_id: string }>(
      "select email, name, locale, workspace_id from users where id = $1 and status = 'active'",
      [userId],
    );
    return u;
  }

  /** Marks a batch pending again (it is retried), or failed after the last attempt. */
  async function release(ids: number[], status: "pending" | "failed", error: string) {
    await ctx.db.query(
      "update notification_deliveries set status = $2, error = $3 where id = any($1::bigint[])",
      [ids, status, error],
    );
  }

  function render(list: Claimed[], locale: string) {
    const w = words(locale);
    const lines = list.map((n) => {
      const link = n.conversation_id
        ? `${ctx.config.publicUrl}/inbox/${n.conversation_id}`
        : ctx.config.publicUrl;
      return `${w.kinds[n.kind] ?? n.kind} — ${n.title}\n${n.body}\n${w.open}: ${link}\n`;
    });
    return lines.join("\n");
  }

  async function send(to: string, subject: string, text: string) {
    if (!mailer) throw new Error("SMTP is not configured (SMTP_HOST)");
    await mailer.sendMail({ from: ctx.config.SMTP_FROM, to, subject, text });
  }

  // One email per conversation per interval: the first notification goes at once, the ones that follow
  // within the interval wait for its end and go together.
  ctx.jobs.register({
    type: JOB_EMAIL,
    payload: z.object({ userId: z.string(), conversationId: z.string() }),
    async run({ userId, conversationId }) {
      const now = ctx.clock.now();
      const [state] = await ctx.db.query<{ last_sent_at: Date }>(
        "select last_sent_at from notification_email_state where user_id = $1 and conversation_id = $2",
        [userId, conversationId],
      );
      if (state && now.getTime() - state.last_sent_at.getTime() < intervalMs) {
        throw new RetryLater(state.last_sent_at.getTime() + intervalMs - now.getTime(), "batching window");
      }
      // Claim the batch and the interval together: a concurrent job finds nothing to send.
      const claimed = await ctx.db.tx(async (q) => {
        const rows = await q.query<Claimed>(
          `update notification_deliveries d set status = 'sending'
           from notifications n
           where n.id = d.notification_id and d.user_id = $1 and d.conversation_id = $2 and d.means = 'email'
             and d.mode = 'batched' and d.status = 'pending'
           returning d.id, n.kind, n.title, n.body, n.conversation_id, n.created_at`,
          [userId, conversationId],
        );
        if (rows.length)
          await q.query(
            `insert into notification_email_state (user_id, conversation_id, last_sent_at) values ($1, $2, $3)
             on conflict (user_id, conversation_id) do update set last_sent_at = excluded.last_sent_at`,
            [userId, conversationId, now],
          );
        return rows;
      });
      if (!claimed.length) return;
      const ids = claimed.map((c) => Number(c.id));
      const user = await recipient(userId);
      if (!user) return release(ids, "failed", "the agent is no longer active");
      claimed.sort((a, b) => a.created_at.getTime() - b.created_at.getTime());
      try {
        await send(
          user.email,
          words(user.locale).subject(claimed.length, claimed[0]!.title),
          render(claimed, user.locale),
        );
      } catch (err) {
        // Nothing was sent: the interval is not used up, the batch waits for the retry.
        await release(ids, "pending", errorText(err));
        await ctx.db.query(
          "delete from notification_email_state where user_id = $1 and conversation_id = $2 and last_sent_at = $3",
          [userId, conversationId, now],
        );
        throw err;
      }
      await ctx.db.query(
        "update notification_deliveries set status = 'sent', sent_at = $2, error = null where id = any($1::bigint[])",
        [ids, ctx.clock.now()],
      );
    },
    async onDead({ userId, conversationId }, err) {
      await failAll(userId, "batched", conversationId, err);
    },
  });

  ctx.jobs.register({
    type: JOB_DIGEST,
    payload: z.object({ userId: z.string(), mode: z.enum(["daily", "weekly"]) }),
    async run({ userId, mode }) {
      const claimed = await ctx.db.query<Claimed>(
        `update notification_deliveries d set status = 'sending'
         from notifications n
         where n.id = d.notification_id and d.user_id = $1 and d.means = 'email' and d.mode = $2
           and d.status in ('pending', 'sending')
         returning d.id, n.kind, n.title, n.body, n.conversation_id, n.created_at`,
        [userId, mode],
      );
      if (!claimed.length) return;
      const ids = claimed.map((c) => Number(c.id));
      const user = await recipient(userId);
      if (!user) return release(ids, "failed", "the agent is no longer active");
      claimed.sort((a, b) => a.created_at.getTime() - b.created_at.getTime());
      try {
        await send(user.email, words(user.locale).digest(claimed.length), render(claimed, user.locale));
      } catch (err) {
        await release(ids, "pending", errorText(err));
        throw err;
      }
      await ctx.db.query(
        "update notification_deliveries set status = 'sent', sent_at = $2, error = null where id = any($1::bigint[])",
        [ids, ctx.clock.now()],
      );
    },
    async onDead({ userId, mode }, err) {
      await failAll(userId, mode, null, err);
    },
  });

  /** After the last attempt: the batch is marked failed and the agent is told in the app. */
  async function failAll(userId: string, mode: string, conversationId: string | null, err: unknown) {
    const rows = await ctx.db.query<{ id: number }>(
      `update notification_deliveries set status = 'failed', error = $2
       where user_id = $1 and means = 'email' and status in ('pending', 'sending') and mode = $3
         and ($4::uuid is null or conversation_id = $4) returning id`,
      [userId, errorText(err), mode, conversationId],
    );
    const user = await recipient(userId);
    if (!user) return;
    await transact(ctx, (tx) =>
      createFailureNotice(ctx, tx, {
        workspaceId: user.workspace_id,
        userId,
        means: "email",
        error: errorText(err),
        key: String(rows[0]?.id ?? ctx.clock.now().getTime()),
      }),
    );
  }
}
