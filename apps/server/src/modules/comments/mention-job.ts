import { z } from "zod";
import { commentContactId, type InboundEvent } from "../../channels/types";
import { type AppContext, transact } from "../../context";
import { PermanentFailure } from "../../jobs/queue";
import type { ConnectionRef } from "../ingest/ingest-messages";
import {
  askProvider,
  COMMENT_JOB_RETRY,
  commentConnection,
  commentJobTarget,
  failureText,
  keepPicture,
} from "./job-target";
import { MENTION_JOB } from "./mention-queue";

const Payload = z.object({
  workspaceId: z.uuid(),
  connectionId: z.uuid(),
  mediaId: z.string().min(1),
  commentId: z.string().min(1).nullable(),
});
type Payload = z.infer<typeof Payload>;

/**
 * Reads an Instagram mention recorded by the webhook (R451) and stores it as a customer's message in a comment
 * conversation about the media: one per media and mentioning account (the commenter, or the media's owner
 * for a caption), marked `comment.mention`. The media's caption, link and picture (copied through the egress
 * guard) become the post shown above the thread. Failures are retried (30 s, 1, 2, 4, 8 min); when Instagram
 * refuses (media private, deleted, comments turned off, a missing permission) or the last try fails, the
 * mention still becomes a conversation, its message and post carrying the reason.
 */
export function registerMentionJob(ctx: AppContext) {
  ctx.jobs.register({
    type: MENTION_JOB,
    payload: Payload,
    ...COMMENT_JOB_RETRY,
    async run(p) {
      const target = await commentJobTarget(ctx, p);
      if (!target?.adapter.commentMention) return;
      const { adapter, connection, info, actx } = target;
      const details = await askProvider(
        () => adapter.commentMention!(info, { mediaId: p.mediaId, commentId: p.commentId }, actx),
        (detail) => storeFailure(ctx, p, connection, detail),
      );
      const picture = await keepPicture(actx, details.media.pictureUrl);
      await savePost(ctx, p, {
        text: details.media.caption,
        permalinkUrl: details.media.permalinkUrl,
        pictureUrl: picture,
        error: null,
      });
      const author = details.author.id ?? (details.author.username ? `@${details.author.username}` : null);
      await ingestMention(ctx, p, connection, {
        authorId: author ?? unknownAuthor(p),
        name: details.author.username,
        text: details.text ?? "[Empty comment]",
        at: details.at ?? ctx.clock.now(),
        error: null,
      });
    },
    async onDead(p, error) {
      if (error instanceof PermanentFailure) return; // stored already
      const row = await commentConnection(ctx, p);
      if (!row) return;
      const connection = { id: p.connectionId, workspaceId: p.workspaceId, type: row.type };
      await storeFailure(ctx, p, connection, failureText(error));
    },
  });
}

/** Who wrote a mention Instagram would not show: unknown, one per media. */
const unknownAuthor = (p: Payload) => `unknown-${p.mediaId}`;

/** A mention that could not be read is kept as a conversation all the same, with the reason on it. */
async function storeFailure(ctx: AppContext, p: Payload, connection: ConnectionRef, error: string) {
  await savePost(ctx, p, { text: null, permalinkUrl: null, pictureUrl: null, error });
  await ingestMention(ctx, p, connection, {
    authorId: unknownAuthor(p),
    name: null,
    text: null,
    at: ctx.clock.now(),
    error,
  });
}

/**
 * The media the mention is on, as the post above the thread (in `social_posts`, like the account's own posts:
 * written before the message, so no `comment.post_details` job asks Instagram for someone else's media).
 * A failure does not replace details already there.
 */
async function savePost(
  ctx: AppContext,
  p: Payload,
  d: { text: string | null; permalinkUrl: string | null; pictureUrl: string | null; error: string | null },
) {
  await transact(ctx, async (tx) => {
    await tx.q.query(
      `insert into social_posts (workspace_id, connection_id, post_id, text, permalink_url, picture_url,
         fetched_at, error, created_at, updated_at)
       values ($1, $2, $3, $4, $5, $6, case when $7::text is null then $8::timestamptz end, $7, $8, $8)
       on conflict (connection_id, post_id) do update set
         text = coalesce(excluded.text, social_posts.text),
         permalink_url = coalesce(excluded.permalink_url, social_posts.permalink_url),
         picture_url = coalesce(excluded.picture_url, social_posts.picture_url),
         fetched_at = coalesce(excluded.fetched_at, social_posts.fetched_at),
         error = case when social_posts.fetched_at is null or excluded.error is null then excluded.error
                 else social_posts.error end,
         updated_at = excluded.updated_at`,
      [p.workspaceId, p.connectionId, p.mediaId, d.text, d.permalinkUrl, d.pictureUrl, d.error, tx.now],
    );
  });
}

/**
 * The mention as the customer's message, through ingest like any webhook's (contact, conversation, events,
 * distribution); its provider id is the comment's id, or the media's for a caption, so a second run of the
 * job stores nothing twice. The mention's row then records what became of it.
 */
async function ingestMention(
  ctx: AppContext,
  p: Payload,
  connection: ConnectionRef,
  m: { authorId: string; name: string | null; text: string | null; at: Date; error: string | null },
) {
  const event: InboundEvent = {
    kind: "message",
    providerMessageId: p.commentId ?? p.mediaId,
    externalContactId: commentContactId(p.mediaId, m.authorId),
    contact: m.name ? { name: m.name, nickname: m.name } : {},
    text: m.text,
    attachments: [],
    at: m.at,
    comment: {
      postId: p.mediaId,
      parentId: null,
      authorId: m.authorId,
      mention: p.commentId ? "comment" : "caption",
      mentionError: m.error,
    },
  };
  const [outcome] = await ctx.ingest.submit(connection, [event]);
  const messageId = outcome && "messageId" in outcome ? (outcome.messageId ?? null) : null;
  await ctx.db.query(
    `update instagram_mentions set state = $5, message_id = coalesce($6, message_id), error = $7, updated_at = $8
     where connection_id = $1 and media_id = $2 and coalesce(comment_id, '') = $3 and workspace_id = $4`,
    [
      p.connectionId,
      p.mediaId,
      p.commentId ?? "",
      p.workspaceId,
      m.error ? "failed" : "stored",
      messageId,
      m.error,
      ctx.clock.now(),
    ],
  );
}
