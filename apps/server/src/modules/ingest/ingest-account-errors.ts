import type { AppContext, Tx } from "../../context";
import { createNotification } from "../notifications/create";
import { loadSettings } from "../notifications/settings";
import type { ChannelEvent, ChannelEventOutcome, RecordedAccountError } from "./channel-event";
import type { ConnectionRef } from "./ingest-messages";

/**
 * An account-level provider error: kept for the diagnostics (once per code and time, so a retried webhook
 * adds nothing) and told to the workspace's owners and admins in their notification centre.
 */
export async function ingestAccountError(
  ctx: AppContext,
  tx: Tx,
  connection: ConnectionRef,
  e: Extract<ChannelEvent, { kind: "account_error" }>,
  errors: RecordedAccountError[],
): Promise<ChannelEventOutcome> {
  const code = e.code.slice(0, 50);
  const title = e.title.slice(0, 300);
  const detail = e.detail?.slice(0, 1000) ?? null;
  const repeated = await tx.q.query<{ id: string }>(
    `update channel_account_errors set last_at = greatest(last_at, $5), occurrences = occurrences + 1
     where id = (select id from channel_account_errors
                 where connection_id = $1 and code = $2 and title = $3 and detail is not distinct from $4
                   and last_at > $5::timestamptz - interval '1 day'
                 order by last_at desc limit 1)
     returning id`,
    [connection.id, code, title, detail, e.at],
  );
  if (repeated.length) return { kind: "account_error", status: "unchanged" };
  const [row] = await tx.q.query<{ id: string; name: string }>(
    `insert into channel_account_errors (workspace_id, connection_id, code, title, detail, at, last_at, created_at)
     values ($1, $2, $3, $4, $5, $6, $6, $7) on conflict (connection_id, code, at) do nothing
     returning id, (select name from channel_connections where id = $2) as name`,
    [connection.workspaceId, connection.id, code, title, detail, e.at, tx.now],
  );
  if (!row) return { kind: "account_error", status: "unchanged" };
  const text = `${e.code} ${e.title}${e.detail ? `: ${e.detail}` : ""}`.slice(0, 1000);
  errors.push({ connectionId: connection.id, text, at: e.at });
  const admins = await tx.q.query<{ id: string }>(
    `select id from users where workspace_id = $1 and role in ('owner', 'admin') and status = 'active'
     order by id`,
    [connection.workspaceId],
  );
  const settings = await loadSettings(
    tx.q,
    admins.map((a) => a.id),
  );
  for (const a of admins) {
    await createNotification(ctx, tx, {
      workspaceId: connection.workspaceId,
      userId: a.id,
      kind: "channel_problem",
      conversationId: null,
      messageId: null,
      // The web app shows "Channel problem: <connection name>" in the agent's language.
      title: row.name,
      body: text,
      dedupeKey: `channel_problem:${row.id}`,
      means: { inApp: true, push: false, email: false, sms: false },
      settings: settings.get(a.id)!,
    });
  }
  return { kind: "account_error", status: "created" };
}

/** The connection's health after commit: the latest account error becomes its last error. */
export async function recordAccountErrors(ctx: AppContext, errors: RecordedAccountError[]) {
  for (const e of errors) {
    await ctx.db
      .query(
        `update channel_connections set error_count = error_count + 1,
           last_error = case when last_error_at is null or last_error_at <= $3 then $2 else last_error end,
           last_error_at = greatest(last_error_at, $3)
         where id = $1`,
        [e.connectionId, e.text, e.at],
      )
      .catch((err) => ctx.log.warn({ err }, "could not record the connection's account error"));
  }
}
