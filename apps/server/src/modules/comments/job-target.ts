import type { AdapterContext } from "../../channels/adapter-context";
import { adapterContext } from "../../channels/context";
import { ChannelSendError } from "../../channels/types";
import type { AppContext } from "../../context";
import { PermanentFailure, RetryLater } from "../../jobs/queue";

/** The most a post's or a mentioned media's picture may weigh to be copied into Parley's storage. */
const PICTURE_MAX_BYTES = 10 * 1024 * 1024;

/** The comment jobs' retries: 30 s, 1, 2, 4, 8 min (at most 30), six attempts in all. */
export const COMMENT_JOB_RETRY = {
  maxAttempts: 6,
  backoffMs: (attempt: number) => Math.min(2 ** (attempt - 1) * 30_000, 30 * 60_000),
};

/** The connection a comment job works for, with its sealed credentials: null when it is gone. */
export async function commentConnection(ctx: AppContext, p: { connectionId: string; workspaceId: string }) {
  const [row] = await ctx.db.query<{
    type: string;
    credentials_enc: string;
    settings: unknown;
    enabled: boolean;
  }>(
    `select cc.type, cc.credentials_enc, cc.settings, cc.enabled from channel_connections cc
     where cc.id = $1 and cc.workspace_id = $2`,
    [p.connectionId, p.workspaceId],
  );
  return row ?? null;
}

/**
 * What a comment job talks to: the channel's adapter, the connection as ingest names it, the same with its
 * opened credentials and settings (what the adapter is called with) and the adapter's context (downloads
 * through the egress guard). Null when the connection is gone or switched off: the job has nothing to do.
 */
export async function commentJobTarget(ctx: AppContext, p: { connectionId: string; workspaceId: string }) {
  const row = await commentConnection(ctx, p);
  if (!row?.enabled) return null;
  const connection = { id: p.connectionId, workspaceId: p.workspaceId, type: row.type };
  return {
    adapter: ctx.channels.get(row.type),
    connection,
    info: { ...connection, credentials: ctx.secrets.open(row.credentials_enc), settings: row.settings },
    actx: adapterContext(ctx, connection),
  };
}

/**
 * Asks the provider: a rate limit retries when it says, without spending an attempt; a refusal no retry can
 * fix is kept by `refused` and ends the job; any other failure is retried with backoff.
 */
export async function askProvider<T>(call: () => Promise<T>, refused: (detail: string) => Promise<void>) {
  try {
    return await call();
  } catch (err) {
    if (err instanceof ChannelSendError) {
      if (err.retryAfterMs) throw new RetryLater(err.retryAfterMs, err.detail);
      if (!err.retryable) {
        await refused(err.detail);
        throw new PermanentFailure(err.detail);
      }
    }
    throw err;
  }
}

/** A picture the provider links to, copied into Parley's storage (its links expire): null unless an image. */
export async function keepPicture(actx: AdapterContext, url: string | null | undefined) {
  if (!url) return null;
  const file = await actx.download({ url, maxBytes: PICTURE_MAX_BYTES });
  return !file.error && file.url && file.mimeType.startsWith("image/") ? file.url : null;
}

/** The message an error from the last attempt is kept with. */
export const failureText = (error: unknown) => (error instanceof Error ? error.message : String(error));
