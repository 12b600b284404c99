import { type AdapterContext, ChannelSendError, type MentionDetails, type OutgoingMessage } from "../types";
import { type CommentApi, call, id } from "./comment-api";
import { GraphCreated, GraphMentionedComment, GraphMentionedMedia } from "./comment-payloads";

const when = (t: string | null | undefined) => (t && !Number.isNaN(Date.parse(t)) ? new Date(t) : null);

/**
 * Reads a mention of the account (R451) with the Graph API, on the connection's API base and token:
 * a comment mention `GET /{ig-user-id}?fields=mentioned_comment.comment_id({comment-id}){text,timestamp,
 * username,from,media{id,permalink,media_url,caption}}`, a caption mention `GET /{ig-user-id}?fields=
 * mentioned_media.media_id({media-id}){caption,media_url,permalink,timestamp,username}`. Meta refuses
 * (e.g. error 100/33) when the media is private, gone, or its comments are turned off.
 */
export async function fetchMention(
  api: CommentApi,
  mention: { mediaId: string; commentId: string | null },
  ctx: AdapterContext,
): Promise<MentionDetails> {
  const fields = mention.commentId
    ? `mentioned_comment.comment_id(${mention.commentId}){text,timestamp,username,from,media{id,permalink,media_url,caption}}`
    : `mentioned_media.media_id(${mention.mediaId}){caption,media_url,permalink,timestamp,username}`;
  const json = await call(
    api,
    "GET",
    `${id(api.accountId)}?fields=${encodeURIComponent(fields)}`,
    undefined,
    ctx,
  );
  const unexpected = () =>
    new ChannelSendError(
      "provider_error",
      `Instagram described the mention in an unexpected shape: ${JSON.stringify(json).slice(0, 200)}`,
      false,
    );
  if (mention.commentId) {
    const p = GraphMentionedComment.safeParse(json);
    if (!p.success) throw unexpected();
    const c = p.data.mentioned_comment;
    return {
      text: c.text ?? null,
      at: when(c.timestamp),
      author: { id: c.from?.id ?? null, username: c.from?.username ?? c.username ?? null },
      media: {
        id: c.media?.id ?? mention.mediaId,
        caption: c.media?.caption ?? null,
        permalinkUrl: c.media?.permalink ?? null,
        pictureUrl: c.media?.media_url ?? null,
      },
    };
  }
  const p = GraphMentionedMedia.safeParse(json);
  if (!p.success) throw unexpected();
  const m = p.data.mentioned_media;
  return {
    text: m.caption ?? null,
    at: when(m.timestamp),
    author: { id: null, username: m.username ?? null },
    media: {
      id: mention.mediaId,
      caption: m.caption ?? null,
      permalinkUrl: m.permalink ?? null,
      pictureUrl: m.media_url ?? null,
    },
  };
}

/**
 * A public reply to a mention: `POST /{ig-user-id}/mentions` with `media_id`, `comment_id` (a comment mention;
 * none for a caption) and `message`; the new comment's id is the message's provider id. Instagram has no
 * private reply to a mention (private replies answer comments on the account's own media).
 */
export async function replyToMention(
  api: CommentApi,
  message: OutgoingMessage,
  ctx: AdapterContext,
): Promise<{ providerMessageId: string }> {
  const c = message.comment!;
  const mention = c.mention!;
  const text = message.text?.trim();
  if (!text)
    throw new ChannelSendError(
      "attachment_rejected",
      "Instagram replies to mentions carry text only: write the reply as text.",
      false,
    );
  if (c.mode !== "public")
    throw new ChannelSendError(
      "not_permitted",
      "Instagram has no private reply to a mention: reply publicly instead.",
      false,
    );
  const json = await call(
    api,
    "POST",
    `${id(api.accountId)}/mentions`,
    {
      media_id: mention.mediaId,
      ...(mention.commentId ? { comment_id: mention.commentId } : {}),
      message: text,
    },
    ctx,
  );
  const created = GraphCreated.safeParse(json);
  if (!created.success)
    throw new ChannelSendError(
      "provider_error",
      `Instagram accepted the reply to the mention without its id: ${JSON.stringify(json).slice(0, 200)}`,
      false,
    );
  return { providerMessageId: created.data.id };
}
