import { z } from "zod";
import { adapterContext } from "../../channels/context";
import { ChannelSendError, type PostDetails } from "../../channels/types";
import { type AppContext, transact } from "../../context";
import { PermanentFailure, RetryLater } from "../../jobs/queue";
import {
  accessOf,
  CONVERSATION_SELECT,
  type ConversationRow,
  conversationFrom,
  presentConversation,
} from "../conversations/present";

export const POST_DETAILS_JOB = "comment.post_details";

const Payload = z.object({ connectionId: z.uuid(), postId: z.string().min(1), workspaceId: z.uuid() });

const PICTURE_MAX_BYTES = 10 * 1024 * 1024;

/**
 * Fetches the details of a post that comments are about (its text, link and picture) through the channel's
 * Graph API, keeps a copy of the picture in Parley's storage (the provider's links expire) and stores them in
 * `social_posts`; the post's conversations are announced with `conversation.updated`. A failure is retried
 * with backoff (30 s, 1, 2, 4, 8 min); a refusal, or the last try, is kept as the post's `error`.
 */
export function registerPostDetailsJob(ctx: AppContext) {
  const store = (
    p: z.infer<typeof Payload>,
    details: (PostDetails & { pictureUrl: string | null }) | null,
    error: string | null,
  ) =>
    transact(ctx, async (tx) => {
      await tx.q.query(
        `update social_posts set text = coalesce($4, text), permalink_url = coalesce($5, permalink_url),
           picture_url = coalesce($6, picture_url), fetched_at = case when $7::text is null then $8 else fetched_at end,
           error = $7, updated_at = $8
         where workspace_id = $1 and connection_id = $2 and post_id = $3`,
        [
          p.workspaceId,
          p.connectionId,
          p.postId,
          details?.text ?? null,
          details?.permalinkUrl ?? null,
          details?.pictureUrl ?? null,
          error,
          tx.now,
        ],
      );
      const conversations = await tx.q.query<ConversationRow>(
        `${CONVERSATION_SELECT} ${conversationFrom()}
         where c.workspace_id = $1 and c.connection_id = $2 and c.kind = 'comment' and c.post_id = $3
         order by c.last_activity_at desc limit 200`,
        [p.workspaceId, p.connectionId, p.postId],
      );
      for (const c of conversations)
        tx.emit(p.workspaceId, {
          type: "conversation.updated",
          conversationId: c.id,
          conversation: presentConversation(c),
          audience: { conversation: accessOf(c) },
        });
    });

  ctx.jobs.register({
    type: POST_DETAILS_JOB,
    payload: Payload,
    maxAttempts: 6,
    backoffMs: (attempt) => Math.min(2 ** (attempt - 1) * 30_000, 30 * 60_000),
    async run(p) {
      const row = await commentConnection(ctx, p);
      if (!row?.enabled) return;
      const adapter = ctx.channels.get(row.type);
      if (!adapter.commentPost) return;
      const connection = { id: p.connectionId, workspaceId: p.workspaceId, type: row.type };
      const actx = adapterContext(ctx, connection);
      let details: PostDetails;
      try {
        details = await adapter.commentPost(
          { ...connection, credentials: ctx.secrets.open(row.credentials_enc), settings: row.settings },
          p.postId,
          actx,
        );
      } catch (err) {
        if (err instanceof ChannelSendError) {
          if (err.retryAfterMs) throw new RetryLater(err.retryAfterMs, err.detail);
          if (!err.retryable) {
            await store(p, null, err.detail);
            throw new PermanentFailure(err.detail);
          }
        }
        throw err;
      }
      let picture: string | null = null;
      if (details.pictureUrl) {
        const file = await actx.download({ url: details.pictureUrl, maxBytes: PICTURE_MAX_BYTES });
        if (!file.error && file.url && file.mimeType.startsWith("image/")) picture = file.url;
      }
      await store(p, { ...details, pictureUrl: picture }, null);
    },
    async onDead(p, error) {
      if (error instanceof PermanentFailure) return; // stored already
      await store(p, null, error instanceof Error ? error.message : String(error));
    },
  });
}

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
