import type { AdapterContext } from "./adapter-context";

/** A token a provider issued and how long it lasts. */
export interface IssuedToken {
  token: string;
  expiresInMs: number;
}

/**
 * The connection's current access token from a provider that issues short-lived ones (WeChat: two hours),
 * shared by every process through `channel_access_tokens` (sealed like the credentials). A token that
 * expires within `refreshAheadMs`, or that the provider just refused (`refused`), is replaced: under a
 * transaction-scoped advisory lock on the connection, so one process asks the provider while the others
 * wait and then read what it stored. Expiry is on the application's clock (a machine's skew shifts it by as
 * much; the refresh margin covers that).
 */
export async function sharedAccessToken(
  ctx: AdapterContext,
  connectionId: string,
  issue: () => Promise<IssuedToken>,
  opts: { refreshAheadMs: number; refused?: string },
): Promise<string> {
  const usable = (row: { token_enc: string; expires_at: Date } | undefined) => {
    if (!row || new Date(row.expires_at).getTime() - opts.refreshAheadMs <= ctx.now().getTime()) return null;
    const token = ctx.secrets.open<string>(row.token_enc);
    return token === opts.refused ? null : token;
  };
  const select = "select token_enc, expires_at from channel_access_tokens where connection_id = $1";
  const [current] = await ctx.db.query<{ token_enc: string; expires_at: Date }>(select, [connectionId]);
  const fresh = usable(current);
  if (fresh) return fresh;
  return ctx.db.tx(async (q) => {
    await q.query("select pg_advisory_xact_lock(hashtextextended($1, 7))", [`access-token|${connectionId}`]);
    const [row] = await q.query<{ token_enc: string; expires_at: Date }>(select, [connectionId]);
    const stored = usable(row);
    if (stored) return stored;
    const issued = await issue();
    const now = ctx.now();
    await q.query(
      `insert into channel_access_tokens (connection_id, token_enc, expires_at, refreshed_at)
       values ($1, $2, $3, $4)
       on conflict (connection_id) do update set token_enc = excluded.token_enc,
         expires_at = excluded.expires_at, refreshed_at = excluded.refreshed_at`,
      [connectionId, ctx.secrets.seal(issued.token), new Date(now.getTime() + issued.expiresInMs), now],
    );
    return issued.token;
  });
}

/** Forgets the connection's token (its credentials changed). */
export async function forgetAccessToken(ctx: AdapterContext, connectionId: string) {
  await ctx.db.query("delete from channel_access_tokens where connection_id = $1", [connectionId]);
}
