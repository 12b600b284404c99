import { z } from "zod";
import { type AppContext, type Tx, transact } from "../../context";
import { RetryLater } from "../../jobs/queue";
import { EgressRefused } from "../../lib/egress/addresses";
import { egressPolicy } from "../../lib/egress/agents";
import { egressPost } from "../../lib/egress/post";
import { describeFailure } from "../../lib/egress/responses";
import { loadConversationRow, presentConversation } from "../conversations/present";
import { MESSAGE_COLUMNS, type MessageRow, presentMessage } from "../messages/present";
import { backoffMs, targetOf } from "../webhooks/send";
import { signPayload } from "../webhooks/sign";
import { handOver } from "./commands/handover";
import { asksForPerson } from "./present";

export const BOT_DELIVER_JOB = "bots.deliver";

/**
 * In the ingest transaction: every customer message of a conversation that is with a bot becomes a pending
 * delivery to that bot, the bot's time limit starts (if it was not already running), and one job per
 * conversation sends what is pending, in order. One indexed statement when no conversation has a bot.
 */
export async function queueBotDeliveries(tx: Tx, messageIds: string[]) {
  if (!messageIds.length) return;
  const rows = await tx.q.query<{ conversation_id: string; workspace_id: string }>(
    `with d as (
       insert into bot_deliveries (workspace_id, bot_id, conversation_id, message_id, next_at, created_at, updated_at)
       select m.workspace_id, c.bot_id, m.conversation_id, m.id, $2, $2, $2
       from messages m join conversations c on c.id = m.conversation_id
       where m.id = any($1::uuid[]) and m.direction = 'inbound' and c.bot_id is not null
       order by m.seq
       returning conversation_id, workspace_id
     )
     select distinct conversation_id, workspace_id from d`,
    [messageIds, tx.now],
  );
  if (!rows.length) return;
  await tx.q.query(
    "update conversations set bot_waiting_since = coalesce(bot_waiting_since, $2) where id = any($1::uuid[])",
    [rows.map((r) => r.conversation_id), tx.now],
  );
  for (const r of rows)
    await tx.enqueue(
      BOT_DELIVER_JOB,
      { conversationId: r.conversation_id },
      { workspaceId: r.workspace_id, now: tx.now },
    );
}

/** When a conversation is handed to a bot while the customer waits: their latest message goes to the bot. */
export async function queueLatestForBot(tx: Tx, conversationId: string, botId: string) {
  const [row] = await tx.q.query<{ workspace_id: string }>(
    `insert into bot_deliveries (workspace_id, bot_id, conversation_id, message_id, next_at, created_at, updated_at)
     select m.workspace_id, $2, m.conversation_id, m.id, $3, $3, $3 from messages m
     where m.conversation_id = $1 and m.direction = 'inbound' and m.kind = 'message'
     order by m.seq desc limit 1
     returning workspace_id`,
    [conversationId, botId, tx.now],
  );
  if (row)
    await tx.enqueue(BOT_DELIVER_JOB, { conversationId }, { workspaceId: row.workspace_id, now: tx.now });
}

interface Pending {
  id: string;
  workspace_id: string;
  bot_id: string;
  conversation_id: string;
  message_id: string;
  attempts: number;
  next_at: Date;
  lease_until: Date | null;
  webhook_url: string;
  secret_enc: string;
  handoff_keywords: string[];
}

type Step =
  | { kind: "none" }
  | { kind: "later"; ms: number }
  | { kind: "again" }
  | { kind: "post"; d: Pending; body: string };

/**
 * One step for a conversation, under its row lock (conversation first, then its deliveries, the order every
 * writer uses): the oldest pending delivery is leased for posting; a customer's hand-off keyword hands the
 * conversation over instead. A delivery leased by another worker, or not yet due, ends this run: deliveries
 * never overtake one another.
 */
async function nextStep(ctx: AppContext, conversationId: string, leaseMs: number): Promise<Step> {
  return transact(ctx, async (tx) => {
    const [conv] = await tx.q.query<{ workspace_id: string }>(
      "select workspace_id from conversations where id = $1 for update",
      [conversationId],
    );
    if (!conv) return { kind: "none" };
    const [d] = await tx.q.query<Pending & { text: string | null }>(
      `select d.id, d.workspace_id, d.bot_id, d.conversation_id, d.message_id, d.attempts, d.next_at, d.lease_until,
         b.webhook_url, b.secret_enc, b.handoff_keywords, m.text
       from bot_deliveries d join bots b on b.id = d.bot_id join messages m on m.id = d.message_id
       where d.conversation_id = $1 and d.status = 'pending' order by d.seq limit 1`,
      [conversationId],
    );
    if (!d) return { kind: "none" };
    const now = tx.now.getTime();
    if (d.lease_until && new Date(d.lease_until).getTime() > now) return { kind: "none" };
    if (new Date(d.next_at).getTime() > now)
      return { kind: "later", ms: new Date(d.next_at).getTime() - now };
    const keyword = asksForPerson(d.text, d.handoff_keywords);
    if (keyword) {
      await handOver(tx, {
        workspaceId: d.workspace_id,
        conversationId,
        botId: d.bot_id,
        reason: "keyword",
        note: keyword,
        byUserId: null,
      });
      return { kind: "again" };
    }
    await tx.q.query("update bot_deliveries set lease_until = $2, updated_at = $3 where id = $1", [
      d.id,
      new Date(now + leaseMs),
      tx.now,
    ]);
    const [message] = await tx.q.query<MessageRow>(`select ${MESSAGE_COLUMNS} from messages where id = $1`, [
      d.message_id,
    ]);
    const conversation = presentConversation(
      (await loadConversationRow(tx.q, d.workspace_id, conversationId))!,
    );
    const body = JSON.stringify({
      id: d.id,
      type: "message.created",
      createdAt: tx.now.toISOString(),
      workspaceId: d.workspace_id,
      botId: d.bot_id,
      conversation,
      message: presentMessage(message!),
    });
    return { kind: "post", d, body };
  });
}

/**
 * Sends a conversation's pending customer messages to its bot, oldest first, each signed as outgoing webhooks
 * are (`X-Parley-Signature` with the bot's signing secret) and through the egress guard. A 2xx delivers; any
 * other answer or a network failure retries with the webhooks' backoff (the job waits, later messages wait
 * behind it); an address the guard refuses fails the delivery for good, with the reason kept.
 */
export async function deliverToBot(ctx: AppContext, conversationId: string): Promise<void> {
  const timeoutMs = ctx.config.WEBHOOK_TIMEOUT_MS;
  const policy = egressPolicy(ctx.config);
  for (;;) {
    const step = await nextStep(ctx, conversationId, timeoutMs * 2);
    if (step.kind === "none") return;
    if (step.kind === "again") continue;
    if (step.kind === "later") throw new RetryLater(step.ms, "the bot's next delivery is not due yet");
    const { d, body } = step;
    const secret = ctx.secrets.open<string>(d.secret_enc);
    const t = Math.floor(ctx.clock.now().getTime() / 1000);
    let status: number | null = null;
    let error: string | null = null;
    let refused = false;
    try {
      const res = await egressPost(policy, targetOf(d.webhook_url), {
        headers: {
          "content-type": "application/json",
          "user-agent": "Parley-Bots/1",
          "x-parley-signature": signPayload(secret, body, t),
          "x-parley-event": d.id,
          "x-parley-event-type": "message.created",
          "x-parley-delivery": d.id,
        },
        body,
        timeoutMs,
        excerptBytes: 512,
      });
      status = res.status;
      if (res.status < 200 || res.status >= 300) error = `the bot answered ${res.status}`;
    } catch (err) {
      refused = err instanceof EgressRefused;
      error = describeFailure(err);
    }
    const wait = backoffMs(d.attempts + 1);
    await transact(ctx, async (tx) => {
      await tx.q.query(
        `update bot_deliveries set status = $2, attempts = attempts + 1, response_status = $3, last_error = $4,
           lease_until = null, next_at = $5, updated_at = $6
         where id = $1 and status = 'pending'`,
        [
          d.id,
          error === null ? "delivered" : refused ? "failed" : "pending",
          status,
          error,
          new Date(tx.now.getTime() + (error === null || refused ? 0 : wait)),
          tx.now,
        ],
      );
    });
    if (error !== null && !refused) throw new RetryLater(wait, `the bot's delivery failed: ${error}`);
  }
}

export function registerBotJobs(ctx: AppContext) {
  ctx.jobs.register({
    type: BOT_DELIVER_JOB,
    payload: z.object({ conversationId: z.uuid() }),
    run: ({ conversationId }) => deliverToBot(ctx, conversationId),
  });
}
