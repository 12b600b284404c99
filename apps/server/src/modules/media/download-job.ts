import type { Attachment } from "@parley/protocol";
import { z } from "zod";
import { adapterContext } from "../../channels/context";
import { ChannelSendError, type DownloadRequest } from "../../channels/types";
import { type AppContext, transact } from "../../context";
import { describeFailure, egressPolicy } from "../../lib/egress";
import { TooLargeError } from "../../storage/blob-store";
import { fetchToStore, MediaAnswerError, MediaGoneError, storeBuffer } from "../../storage/files";
import { accessOf, loadConversationRow } from "../conversations/present";
import { MESSAGE_COLUMNS, type MessageRow, presentMessage } from "../messages/present";
import { MEDIA_DOWNLOAD_JOB } from "./queue-downloads";

const Payload = z.object({
  messageId: z.uuid(),
  workspaceId: z.uuid(),
  index: z.number().int().nonnegative(),
  source: z.record(z.string(), z.string()),
  maxBytes: z.number().int().positive(),
  retryUntil: z.iso.datetime(),
});

/** 5 s, 10 s, 20 s … then every 10 minutes, until the provider's reference expires. */
export const mediaBackoffMs = (attempt: number) =>
  Math.min(5000 * 2 ** Math.max(0, attempt - 1), 10 * 60_000);

/** A failure no retry changes: the provider refused for good, or the file is over the channel's limit. */
class FinalFailure extends Error {}

/**
 * The background download of an inbound file (its own job type and lane, so it never delays replies): asks
 * the channel for a fresh link (`resolveMedia`: WhatsApp's media id, Telegram's getFile) or takes the link
 * the webhook gave, streams the file into the blob store within the channel's size limit, and puts it on the
 * message (`message.updated`, so open feeds swap the placeholder for the file). A failed try is retried with
 * backoff while the provider's reference lasts; then the attachment is marked "failed" with the reason.
 */
/** A file the channel's own client reads (no link): stored within the size limit, like a download. */
async function readToStore(
  ctx: AppContext,
  p: { workspaceId: string; maxBytes: number },
  resolved: DownloadRequest,
  read: () => Promise<Buffer>,
  current: Attachment,
  mimeType: string | undefined,
) {
  const data = await read();
  const maxBytes = Math.min(resolved.maxBytes ?? p.maxBytes, p.maxBytes);
  if (data.length > maxBytes) throw new TooLargeError(`over ${maxBytes} bytes`);
  const file = await storeBuffer(ctx.db, ctx.blobs, p.workspaceId, {
    name: resolved.name ?? current.name,
    mimeType: mimeType ?? current.mimeType,
    data,
    sourceUrl: resolved.url,
    maxBytes,
  });
  if (file.error) throw new Error(file.error);
  return file;
}

export function registerMediaDownloadJob(ctx: AppContext) {
  const policy = egressPolicy(ctx.config);

  /** Puts the attachment's new state on the message (if it is still downloading) and tells the feeds. */
  const settle = (workspaceId: string, messageId: string, index: number, attachment: Attachment) =>
    transact(ctx, async (tx) => {
      const [row] = await tx.q.query<MessageRow>(
        `update messages set attachments = jsonb_set(attachments, array[$3::text], $4::jsonb)
         where id = $1 and workspace_id = $2 and attachments -> $3::int ->> 'state' = 'downloading'
         returning ${MESSAGE_COLUMNS}`,
        [messageId, workspaceId, index, JSON.stringify(attachment)],
      );
      if (!row) return false;
      const conv = await loadConversationRow(tx.q, workspaceId, row.conversation_id);
      tx.emit(workspaceId, {
        type: "message.updated",
        conversationId: row.conversation_id,
        message: presentMessage(row),
        audience: conv ? { conversation: accessOf(conv) } : {},
      });
      return true;
    });

  const fail = (p: z.infer<typeof Payload>, current: Attachment, reason: string) =>
    settle(p.workspaceId, p.messageId, p.index, {
      name: current.name,
      mimeType: current.mimeType,
      size: current.size,
      url: "",
      state: "failed",
      error: reason.slice(0, 500),
    });

  const load = async (p: z.infer<typeof Payload>) => {
    const [row] = await ctx.db.query<{
      attachments: Attachment[];
      connection_id: string;
      type: string;
      credentials_enc: string;
      settings: unknown;
    }>(
      `select m.attachments, cc.id as connection_id, cc.type, cc.credentials_enc, cc.settings
       from messages m join channel_connections cc on cc.id = m.connection_id
       where m.id = $1 and m.workspace_id = $2`,
      [p.messageId, p.workspaceId],
    );
    const current = row?.attachments[p.index];
    return row && current?.state === "downloading" ? { row, current } : null;
  };

  ctx.jobs.register({
    type: MEDIA_DOWNLOAD_JOB,
    payload: Payload,
    // Bounded by the provider's reference (retryUntil), not by a count.
    maxAttempts: 1000,
    backoffMs: mediaBackoffMs,
    async run(p, job) {
      const loaded = await load(p);
      if (!loaded) return; // deleted, or settled by an earlier try
      const { row, current } = loaded;
      try {
        const adapter = ctx.channels.get(row.type);
        const connection = { id: row.connection_id, workspaceId: p.workspaceId, type: row.type };
        const actx = adapterContext(ctx, connection);
        const resolved: DownloadRequest = adapter.resolveMedia
          ? await adapter.resolveMedia(
              { ...connection, credentials: ctx.secrets.open(row.credentials_enc), settings: row.settings },
              p.source,
              actx,
            )
          : { url: p.source.url ?? "" };
        if (!resolved.url) throw new FinalFailure("the provider gave no link to the file");
        // A link the webhook gave: the answer's content type decides; a resolved reference: what the
        // provider stated (the placeholder's type) unless the look-up said otherwise.
        const mimeType = resolved.mimeType ?? (adapter.resolveMedia ? current.mimeType : undefined);
        const file = resolved.read
          ? await readToStore(ctx, p, resolved, resolved.read, current, mimeType)
          : await fetchToStore(
              ctx.db,
              ctx.blobs,
              p.workspaceId,
              {
                ...resolved,
                name: resolved.name ?? current.name,
                ...(mimeType ? { mimeType } : {}),
                maxBytes: Math.min(resolved.maxBytes ?? p.maxBytes, p.maxBytes),
              },
              ctx.config.MEDIA_DOWNLOAD_TIMEOUT_MS,
              policy,
            );
        await settle(p.workspaceId, p.messageId, p.index, { ...file, state: "ready" });
      } catch (err) {
        const reason = reasonOf(err, p.maxBytes);
        // A link given in the webhook that answers 401/403/404/410 has expired: no retry brings it back (a
        // provider's reference, resolved again on every try, is retried).
        const expiredLink =
          !adapterHasResolve(ctx, row.type) &&
          err instanceof MediaAnswerError &&
          [401, 403, 404, 410].includes(err.status);
        const final =
          expiredLink ||
          err instanceof MediaGoneError ||
          err instanceof FinalFailure ||
          err instanceof TooLargeError ||
          (err instanceof ChannelSendError && !err.retryable);
        const nextTry = ctx.clock.now().getTime() + mediaBackoffMs(job.attempt);
        if (final || nextTry > Date.parse(p.retryUntil)) {
          await fail(p, current, reason);
          return;
        }
        throw new Error(reason);
      }
    },
    async onDead(p, error) {
      const loaded = await load(p);
      if (loaded) await fail(p, loaded.current, reasonOf(error, p.maxBytes));
    },
  });
}

const adapterHasResolve = (ctx: AppContext, type: string) => !!ctx.channels.get(type).resolveMedia;

function reasonOf(err: unknown, maxBytes: number): string {
  if (err instanceof TooLargeError)
    return `the file is larger than the channel's limit of ${Math.round(maxBytes / (1024 * 1024))} MB`;
  if (err instanceof ChannelSendError) return err.detail;
  return describeFailure(err);
}
