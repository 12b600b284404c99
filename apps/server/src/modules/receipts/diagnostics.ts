import { z } from "zod";
import type { AppContext } from "../../context";
import type { Actor } from "../../domain/permissions";
import { AppError, notFound } from "../../lib/errors";
import { iso } from "../../lib/time";
import { sendMessage } from "../messages/send-message";

const at = z.string().nullable();
/** What connectionDiagnostics answers. */
export const DiagnosticsOut = z.object({
  connection: z.object({
    id: z.string(),
    type: z.string(),
    name: z.string(),
    enabled: z.boolean(),
    readReceipts: z.boolean().nullable(),
    reportsDelivered: z.boolean(),
    reportsRead: z.boolean(),
    markSeen: z.boolean(),
  }),
  lastWebhookAt: at,
  lastStatusAt: at,
  lastError: z.string().nullable(),
  lastErrorAt: at,
  errorCount: z.number(),
  pendingEarlyReceipts: z.number(),
  accountErrors: z.array(
    z.object({
      code: z.string(),
      title: z.string(),
      detail: z.string().nullable(),
      at,
      lastAt: at,
      occurrences: z.number(),
    }),
  ),
  last24h: z.record(z.string(), z.number()),
  recentFailures: z.array(
    z.object({
      messageId: z.string(),
      conversationId: z.string(),
      conversationNumber: z.number(),
      failedAt: at,
      reason: z.string().nullable(),
      detail: z.string().nullable(),
      text: z.string().nullable(),
    }),
  ),
  conversations: z.array(
    z.object({
      id: z.string(),
      number: z.number(),
      contactName: z.string().nullable(),
      externalId: z.string(),
    }),
  ),
});

/**
 * A channel connection's health for troubleshooting (R308): when its last webhook and last delivery report
 * arrived, its send errors, the account-level problems the provider reported, the replies of the last 24 hours by delivery state, the most recent failures,
 * reports still waiting for their message, and recent conversations to send a test message into.
 */
export async function connectionDiagnostics(ctx: AppContext, actor: Actor, connectionId: string) {
  const [c] = await ctx.db.query<{
    id: string;
    type: string;
    name: string;
    enabled: boolean;
    read_receipts: boolean | null;
    last_webhook_at: Date | null;
    last_status_at: Date | null;
    last_error: string | null;
    last_error_at: Date | null;
    error_count: number;
  }>(
    `select id, type, name, enabled, read_receipts, last_webhook_at, last_status_at, last_error, last_error_at,
       error_count from channel_connections where id = $1 and workspace_id = $2`,
    [connectionId, actor.workspaceId],
  );
  if (!c) throw notFound("Connection");
  const since = new Date(ctx.clock.now().getTime() - 86400_000);
  const states = await ctx.db.query<{ state: string; n: number }>(
    `select delivery_state as state, count(*)::int as n from messages
     where workspace_id = $1 and connection_id = $2 and direction = 'outbound' and kind = 'message'
       and created_at >= $3
     group by delivery_state`,
    [actor.workspaceId, connectionId, since],
  );
  const failures = await ctx.db.query<{
    id: string;
    conversation_id: string;
    number: number;
    failed_at: Date | null;
    failure_reason: string | null;
    failure_detail: string | null;
    text: string | null;
  }>(
    `select m.id, m.conversation_id, c.number, m.failed_at, m.failure_reason, m.failure_detail, m.text
     from messages m join conversations c on c.id = m.conversation_id
     where m.workspace_id = $1 and m.connection_id = $2 and m.direction = 'outbound' and m.kind = 'message'
       and m.delivery_state = 'failed'
     order by m.created_at desc limit 20`,
    [actor.workspaceId, connectionId],
  );
  const [early] = await ctx.db.query<{ n: number }>(
    "select count(*)::int as n from early_receipts where connection_id = $1",
    [connectionId],
  );
  const conversations = await ctx.db.query<{
    id: string;
    number: number;
    name: string | null;
    external_id: string;
  }>(
    `select c.id, c.number, ct.name, i.external_id
     from conversations c join contacts ct on ct.id = c.contact_id
     join contact_identities i on i.id = c.identity_id
     where c.workspace_id = $1 and c.connection_id = $2
     order by c.last_activity_at desc limit 10`,
    [actor.workspaceId, connectionId],
  );
  // Account- and number-level problems the provider reported by webhook (WhatsApp `errors[]`), newest first.
  const accountErrors = await ctx.db.query<{
    code: string;
    title: string;
    detail: string | null;
    at: Date;
    last_at: Date;
    occurrences: number;
  }>(
    `select code, title, detail, at, last_at, occurrences from channel_account_errors
     where connection_id = $1 order by last_at desc limit 20`,
    [connectionId],
  );
  const caps = ctx.channels.get(c.type).capabilities;
  return {
    connection: {
      id: c.id,
      type: c.type,
      name: c.name,
      enabled: c.enabled,
      readReceipts: c.read_receipts,
      reportsDelivered: caps.reportsDelivered,
      reportsRead: caps.reportsRead,
      markSeen: caps.markSeen,
    },
    lastWebhookAt: iso(c.last_webhook_at),
    lastStatusAt: iso(c.last_status_at),
    lastError: c.last_error,
    lastErrorAt: iso(c.last_error_at),
    errorCount: c.error_count,
    pendingEarlyReceipts: early?.n ?? 0,
    accountErrors: accountErrors.map((e) => ({
      code: e.code,
      title: e.title,
      detail: e.detail,
      at: iso(e.at),
      lastAt: iso(e.last_at),
      occurrences: e.occurrences,
    })),
    last24h: Object.fromEntries(states.map((s) => [s.state, s.n])) as Record<string, number>,
    recentFailures: failures.map((f) => ({
      messageId: f.id,
      conversationId: f.conversation_id,
      conversationNumber: Number(f.number),
      failedAt: iso(f.failed_at),
      reason: f.failure_reason,
      detail: f.failure_detail,
      text: f.text,
    })),
    conversations: conversations.map((x) => ({
      id: x.id,
      number: Number(x.number),
      contactName: x.name,
      externalId: x.external_id,
    })),
  };
}

/**
 * Sends a test message through the connection into one of its conversations; its receipt trail (each
 * step's time) then moves live through the usual `message.updated` events.
 */
export async function sendTestMessage(
  ctx: AppContext,
  actor: Actor,
  connectionId: string,
  conversationId: string,
  text: string,
) {
  const [conv] = await ctx.db.query<{ id: string }>(
    "select id from conversations where id = $1 and workspace_id = $2 and connection_id = $3",
    [conversationId, actor.workspaceId, connectionId],
  );
  if (!conv) {
    const [own] = await ctx.db.query(
      "select 1 from channel_connections where id = $1 and workspace_id = $2",
      [connectionId, actor.workspaceId],
    );
    if (!own) throw notFound("Connection");
    throw new AppError("validation_failed", "Choose a conversation of this connection to send the test to.");
  }
  const { message } = await sendMessage(ctx, actor, {
    conversationId,
    text,
    attachments: [],
    quotedMessageId: null,
    clientId: null,
    note: false,
  });
  return message;
}
