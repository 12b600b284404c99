import { z } from "zod";
import type { AppContext } from "../../context";
import type { Actor } from "../../domain/permissions";
import { notFound } from "../../lib/errors";
import { iso } from "../../lib/time";
import { parseWorkspaceLanguage, TestLanguage } from "./test-text";

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
  /** The connection's test contacts (addresses test messages went to before), to send to again. */
  testContacts: z.array(z.object({ externalId: z.string(), conversationId: z.string().nullable() })),
  /** The workspace's language: the test message is written in it unless the admin picks another. */
  language: TestLanguage,
});

/**
 * A channel connection's health for troubleshooting (R308): when its last webhook and last delivery report
 * arrived, its send errors, the account-level problems the provider reported, the replies of the last 24 hours by delivery state, the most recent failures,
 * reports still waiting for their message, and the test contacts test messages went to.
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
  const testContacts = await ctx.db.query<{ external_id: string; conversation_id: string | null }>(
    `select i.external_id, c.id as conversation_id
     from contact_identities i join contacts ct on ct.id = i.contact_id and ct.test_contact
     left join conversations c on c.identity_id = i.id
     where i.workspace_id = $1 and i.connection_id = $2
     order by i.created_at desc limit 10`,
    [actor.workspaceId, connectionId],
  );
  const [workspace] = await ctx.db.query<{ settings: unknown }>(
    "select settings from workspaces where id = $1",
    [actor.workspaceId],
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
    testContacts: testContacts.map((x) => ({ externalId: x.external_id, conversationId: x.conversation_id })),
    language: parseWorkspaceLanguage(workspace?.settings),
  };
}
