import { smsSegments } from "@parley/protocol";
import { z } from "zod";
import { ChannelSendError } from "../../channels/types";
import type { AppContext } from "../../context";
import { transact } from "../../context";
import { RetryLater } from "../../jobs/queue";
import { createFailureNotice, JOB_SMS, JOB_SMS_DIGEST } from "./create";
import { words } from "./email";
import { sendWorkspaceSms, smsWords } from "./sms-send";

interface Claimed {
  id: number;
  kind: string;
  title: string;
  conversation_id: string | null;
  created_at: Date;
}

const errorText = (err: unknown) =>
  (err instanceof ChannelSendError ? err.detail : err instanceof Error ? err.message : String(err)).slice(
    0,
    500,
  );

/**
 * The shortest text that says it: one SMS segment when it fits (160 GSM-7 or 70 UCS-2 characters), the
 * title shortened with "…" to make it fit; the conversation's link only when there is room.
 */
export function smsText(head: string, title: string, link: string): string {
  const fits = (t: string) => smsSegments(t).segments <= 1;
  const withLink = `${head}: ${title} ${link}`;
  if (fits(withLink)) return withLink;
  const plain = `${head}: ${title}`;
  if (fits(plain)) return plain;
  const chars = [...title];
  for (let n = chars.length - 1; n > 0; n--) {
    const t = `${head}: ${chars.slice(0, n).join("").trimEnd()}…`;
    if (fits(t)) return t;
  }
  return head;
}

/**
 * SMS notifications (R304), the same rules as email: `notify.sms` sends at most one SMS per agent and
 * conversation per NOTIFY_EMAIL_INTERVAL_SECONDS (later ones wait for the interval's end and go together),
 * `notify.sms-digest` one SMS per digest slot. Sent through the workspace's SMS connection to the agent's
 * verified number, in the agent's language. A refusal that no retry changes (no SMS connection, an invalid
 * number) fails the deliveries at once and tells the agent in the app; other failures are retried.
 */
export function registerSmsJobs(ctx: AppContext) {
  const intervalMs = ctx.config.NOTIFY_EMAIL_INTERVAL_SECONDS * 1000;

  async function recipient(userId: string) {
    const [u] = await ctx.db.query<{ phone: string | null; locale: string; workspace_id: string }>(
      `select p.phone, u.locale, u.workspace_id from users u left join agent_phones p on p.user_id = u.id
       where u.id = $1 and u.status = 'active'`,
      [userId],
    );
    return u;
  }

  async function release(ids: number[], status: "pending" | "failed", error: string) {
    await ctx.db.query(
      "update notification_deliveries set status = $2, error = $3 where id = any($1::bigint[])",
      [ids, status, error],
    );
  }

  async function failWithNotice(userId: string, workspaceId: string, ids: number[], err: unknown) {
    await release(ids, "failed", errorText(err));
    await transact(ctx, (tx) =>
      createFailureNotice(ctx, tx, {
        workspaceId,
        userId,
        means: "sms",
        error: errorText(err),
        key: String(ids[0] ?? ctx.clock.now().getTime()),
      }),
    );
  }

  /** Sends the claimed batch; answers false when it failed for good (already recorded). */
  async function deliver(userId: string, claimed: Claimed[], text: (locale: string) => string) {
    const ids = claimed.map((c) => Number(c.id));
    const user = await recipient(userId);
    if (!user) {
      await release(ids, "failed", "the agent is no longer active");
      return false;
    }
    try {
      if (!user.phone)
        throw new ChannelSendError("provider_error", "The agent has no verified phone number.", false);
      await sendWorkspaceSms(ctx, user.workspace_id, user.phone, text(user.locale));
    } catch (err) {
      if (err instanceof ChannelSendError && !err.retryable) {
        await failWithNotice(userId, user.workspace_id, ids, err);
        return false;
      }
      await release(ids, "pending", errorText(err));
      throw err;
    }
    await ctx.db.query(
      "update notification_deliveries set status = 'sent', sent_at = $2, error = null where id = any($1::bigint[])",
      [ids, ctx.clock.now()],
    );
    return true;
  }

  const claimSql = `update notification_deliveries d set status = 'sending'
    from notifications n
    where n.id = d.notification_id and d.user_id = $1 and d.means = 'sms' and d.mode = $2
      and d.status in ('pending', 'sending') and ($3::uuid is null or d.conversation_id = $3)
    returning d.id, n.kind, n.title, n.conversation_id, n.created_at`;

  ctx.jobs.register({
    type: JOB_SMS,
    payload: z.object({ userId: z.string(), conversationId: z.string() }),
    async run({ userId, conversationId }) {
      const now = ctx.clock.now();
      const [state] = await ctx.db.query<{ last_sent_at: Date }>(
        "select last_sent_at from notification_sms_state where user_id = $1 and conversation_id = $2",
        [userId, conversationId],
      );
      if (state && now.getTime() - state.last_sent_at.getTime() < intervalMs)
        throw new RetryLater(state.last_sent_at.getTime() + intervalMs - now.getTime(), "batching window");
      // Claim the batch and the interval together: a concurrent job finds nothing to send.
      const claimed = await ctx.db.tx(async (q) => {
        const rows = await q.query<Claimed>(claimSql, [userId, "batched", conversationId]);
        if (rows.length)
          await q.query(
            `insert into notification_sms_state (user_id, conversation_id, last_sent_at) values ($1, $2, $3)
             on conflict (user_id, conversation_id) do update set last_sent_at = excluded.last_sent_at`,
            [userId, conversationId, now],
          );
        return rows;
      });
      if (!claimed.length) return;
      claimed.sort((a, b) => a.created_at.getTime() - b.created_at.getTime());
      const link = `${ctx.config.publicUrl}/inbox/${conversationId}`;
      try {
        await deliver(userId, claimed, (locale) => {
          const w = words(locale);
          const first = claimed[0]!;
          const head =
            claimed.length === 1
              ? `Parley, ${w.kinds[first.kind] ?? first.kind}`
              : smsWords(locale).many(claimed.length);
          return smsText(head, first.title, link);
        });
      } catch (err) {
        // Nothing was sent: the interval is not used up.
        await ctx.db.query(
          "delete from notification_sms_state where user_id = $1 and conversation_id = $2 and last_sent_at = $3",
          [userId, conversationId, now],
        );
        throw err;
      }
    },
    async onDead({ userId, conversationId }, err) {
      await failAll(userId, "batched", conversationId, err);
    },
  });

  ctx.jobs.register({
    type: JOB_SMS_DIGEST,
    payload: z.object({ userId: z.string(), mode: z.enum(["daily", "weekly"]) }),
    async run({ userId, mode }) {
      const claimed = await ctx.db.query<Claimed>(claimSql, [userId, mode, null]);
      if (!claimed.length) return;
      await deliver(userId, claimed, (locale) => {
        const head = smsWords(locale).digest(claimed.length);
        const withLink = `${head} ${ctx.config.publicUrl}`;
        return smsSegments(withLink).segments <= 1 ? withLink : head;
      });
    },
    async onDead({ userId, mode }, err) {
      await failAll(userId, mode, null, err);
    },
  });

  /** After the last attempt: the batch is marked failed and the agent is told in the app. */
  async function failAll(userId: string, mode: string, conversationId: string | null, err: unknown) {
    const rows = await ctx.db.query<{ id: number }>(
      `update notification_deliveries set status = 'failed', error = $2
       where user_id = $1 and means = 'sms' and status in ('pending', 'sending') and mode = $3
         and ($4::uuid is null or conversation_id = $4) returning id`,
      [userId, errorText(err), mode, conversationId],
    );
    const user = await recipient(userId);
    if (!user) return;
    await failWithNotice(
      userId,
      user.workspace_id,
      rows.map((r) => Number(r.id)),
      err,
    );
  }
}
