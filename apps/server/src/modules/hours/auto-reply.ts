import { isOpenAt, nextOpeningAt } from "@parley/protocol/hours";
import { z } from "zod";
import { type AppContext, type Tx, transact } from "../../context";
import { accessOf, loadConversationRow } from "../conversations/present";
import { conversationWindow } from "../conversations/window";
import { MESSAGE_COLUMNS, type MessageRow, presentMessage } from "../messages/present";
import { SEND_MESSAGE_JOB } from "../messages/send-job";
import { HoursCache } from "./api";

export const OUTSIDE_HOURS_JOB = "hours.outside_reply";
/** The key of a closed period that never ends (hours with no open time at all). */
const NEVER = new Date("9999-12-31T00:00:00Z");

/**
 * Called by ingest in the transaction that stores customer messages: when any of these conversations'
 * connections has an outside-hours reply turned on, one durable job checks them after commit. One indexed
 * lookup per batch; nothing at all is enqueued for connections without a reply.
 */
export async function queueOutsideHoursReplies(tx: Tx, conversationIds: string[]) {
  if (!conversationIds.length) return;
  const rows = await tx.q.query<{ id: string; workspace_id: string }>(
    `select c.id, c.workspace_id from conversations c
     join outside_hours_replies r on r.connection_id = c.connection_id and r.enabled
     where c.id = any($1::uuid[])`,
    [conversationIds],
  );
  const byWorkspace = new Map<string, string[]>();
  for (const r of rows) byWorkspace.set(r.workspace_id, [...(byWorkspace.get(r.workspace_id) ?? []), r.id]);
  for (const [workspaceId, ids] of byWorkspace) {
    await tx.enqueue(
      OUTSIDE_HOURS_JOB,
      { conversationIds: ids, at: tx.now.toISOString() },
      { workspaceId, now: tx.now },
    );
  }
}

interface Target {
  id: string;
  workspace_id: string;
  team_id: string | null;
  connection_id: string;
  blocked: boolean;
  texts: Record<string, string>;
  language: string;
}

/**
 * The outside-hours reply: when the customer wrote while the conversation's team (or workspace) was closed,
 * the connection's text is sent once per conversation and closed period (the period is named by the
 * opening that ends it). It goes through the ordinary send path (a queued outbound message and the send
 * job), so the channel's messaging window, delivery receipts and retries apply; a blocked contact or a
 * window already closed gets nothing.
 */
export function registerOutsideHoursJob(ctx: AppContext) {
  ctx.jobs.register({
    type: OUTSIDE_HOURS_JOB,
    payload: z.object({ conversationIds: z.array(z.uuid()), at: z.iso.datetime() }),
    async run({ conversationIds, at }) {
      const when = Date.parse(at);
      const targets = await ctx.db.query<Target>(
        `select c.id, c.workspace_id, c.team_id, c.connection_id, ct.blocked_at is not null as blocked,
           r.texts, r.language
         from conversations c join contacts ct on ct.id = c.contact_id
         join outside_hours_replies r on r.connection_id = c.connection_id and r.enabled
         -- Not under posts: an away message would be a public comment (R451).
         where c.id = any($1::uuid[]) and c.kind = 'direct'`,
        [conversationIds],
      );
      const hours = new HoursCache(ctx.db);
      for (const c of targets) {
        const text = c.texts[c.language];
        if (c.blocked || !text) continue;
        const schedule = await hours.schedule(c.workspace_id, c.team_id);
        if (isOpenAt(schedule, when)) continue;
        const opens = nextOpeningAt(schedule, when);
        await transact(ctx, (tx) => sendOnce(ctx, tx, c, text, opens === null ? NEVER : new Date(opens)));
      }
    },
  });
}

async function sendOnce(ctx: AppContext, tx: Tx, c: Target, text: string, opensAt: Date) {
  const claimed = await tx.q.query(
    `insert into outside_hours_sent (conversation_id, opens_at, created_at) values ($1, $2, $3)
     on conflict do nothing returning conversation_id`,
    [c.id, opensAt, tx.now],
  );
  if (!claimed.length) return;
  const window = await conversationWindow(tx.q, c.id, tx.now, { sender: "automation" });
  if (!window.allowed) return;
  const [row] = await tx.q.query<MessageRow>(
    `insert into messages (workspace_id, conversation_id, connection_id, direction, kind, author_type, text,
       attachments, delivery_state, queued_at, created_at)
     values ($1, $2, $3, 'outbound', 'message', 'bot', $4, '[]', 'queued', $5, $5)
     returning ${MESSAGE_COLUMNS}`,
    [c.workspace_id, c.id, c.connection_id, text, tx.now],
  );
  const message = row!;
  await tx.q.query(
    "update outside_hours_sent set message_id = $3 where conversation_id = $1 and opens_at = $2",
    [c.id, opensAt, message.id],
  );
  await tx.enqueue(
    SEND_MESSAGE_JOB,
    { messageId: message.id, workspaceId: c.workspace_id },
    { workspaceId: c.workspace_id, now: ctx.clock.now() },
  );
  const conv = (await loadConversationRow(tx.q, c.workspace_id, c.id))!;
  tx.emit(c.workspace_id, {
    type: "message.created",
    conversationId: c.id,
    message: presentMessage(message),
    audience: { conversation: accessOf(conv) },
  });
}
