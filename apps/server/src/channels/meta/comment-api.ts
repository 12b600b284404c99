import { type AdapterContext, ChannelSendError, type OutgoingMessage, type PostDetails } from "../types";
import { GraphCreated, GraphPost } from "./comment-payloads";
import { type GraphTarget, graphPost, graphSendError } from "./graph";
import { OWN_METADATA_PREFIX } from "./inbound";
import { SendResult } from "./payloads";

/** Where a connection's comment endpoints live: the Graph base, its token and its Send API (private replies). */
export interface CommentApi {
  platform: "messenger" | "instagram";
  /** The Page id or the Instagram account id (IG user id). */
  accountId: string;
  /** e.g. https://graph.facebook.com/v21.0 (or graph.instagram.com for Instagram Login). */
  base: string;
  token: string;
  messages: GraphTarget;
}

export const label = (api: CommentApi) => (api.platform === "messenger" ? "Facebook" : "Instagram");

/** One Graph call with the connection's token; a refusal is a ChannelSendError carrying Meta's words. */
export async function call(
  api: CommentApi,
  method: "GET" | "POST" | "DELETE",
  path: string,
  body: unknown,
  ctx: AdapterContext,
): Promise<unknown> {
  const url = `${api.base}/${path}`;
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: {
        authorization: `Bearer ${api.token}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(ctx.timeoutMs),
    });
  } catch (err) {
    throw new ChannelSendError(
      "provider_error",
      `Could not reach ${label(api)} (${new URL(url).host}): ${(err as Error).message}`,
      true,
    );
  }
  const text = await res.text().catch(() => "");
  if (!res.ok) throw graphSendError(res, text, label(api));
  try {
    return JSON.parse(text);
  } catch {
    throw new ChannelSendError(
      "provider_error",
      `${label(api)} answered ${res.status} without JSON: ${text.slice(0, 200)}`,
      true,
    );
  }
}

export const id = (s: string) => encodeURIComponent(s);

/**
 * A post's details: Facebook `GET /{post-id}?fields=message,permalink_url,full_picture`, Instagram
 * `GET /{media-id}?fields=caption,permalink,media_url,thumbnail_url,media_type` (a video's picture is its
 * thumbnail).
 */
export async function fetchPost(api: CommentApi, postId: string, ctx: AdapterContext): Promise<PostDetails> {
  const fields =
    api.platform === "messenger"
      ? "message,permalink_url,full_picture"
      : "caption,permalink,media_url,thumbnail_url,media_type";
  const json = await call(api, "GET", `${id(postId)}?fields=${fields}`, undefined, ctx);
  const p = GraphPost.safeParse(json);
  if (!p.success)
    throw new ChannelSendError(
      "provider_error",
      `${label(api)} described the post in an unexpected shape: ${JSON.stringify(json).slice(0, 200)}`,
      false,
    );
  const d = p.data;
  const picture =
    api.platform === "messenger"
      ? d.full_picture
      : d.media_type === "VIDEO"
        ? (d.thumbnail_url ?? null)
        : (d.media_url ?? d.thumbnail_url);
  return {
    text: d.message ?? d.caption ?? null,
    permalinkUrl: d.permalink_url ?? d.permalink ?? null,
    pictureUrl: picture ?? null,
  };
}

/**
 * A reply to a comment. Public: Facebook `POST /{comment-id}/comments`, Instagram `POST /{ig-comment-id}/replies`,
 * with `message`; the new comment's id is the message's provider id. Private: the Send API with
 * `recipient: {comment_id}` (one per comment, within 7 days of it); the customer's answer arrives as a
 * direct message.
 */
export async function replyToComment(
  api: CommentApi,
  message: OutgoingMessage,
  ctx: AdapterContext,
): Promise<{ providerMessageId: string }> {
  const c = message.comment!;
  const text = message.text?.trim();
  if (!text)
    throw new ChannelSendError(
      "attachment_rejected",
      `${label(api)} comment replies carry text only: write the reply as text.`,
      false,
    );
  if (c.mode === "public") {
    const edge = api.platform === "messenger" ? "comments" : "replies";
    const json = await call(api, "POST", `${id(c.commentId)}/${edge}`, { message: text }, ctx);
    const created = GraphCreated.safeParse(json);
    if (!created.success)
      throw new ChannelSendError(
        "provider_error",
        `${label(api)} accepted the reply without its id: ${JSON.stringify(json).slice(0, 200)}`,
        false,
      );
    return { providerMessageId: created.data.id };
  }
  const json = await graphPost(
    api.messages,
    {
      recipient: { comment_id: c.commentId },
      message: {
        text,
        ...(api.platform === "messenger" ? { metadata: `${OWN_METADATA_PREFIX}${message.id}` } : {}),
      },
    },
    ctx.timeoutMs,
  );
  const sent = SendResult.safeParse(json);
  if (!sent.success)
    throw new ChannelSendError(
      "provider_error",
      `${label(api)} accepted the private reply without a message_id: ${JSON.stringify(json).slice(0, 200)}`,
      false,
    );
  return { providerMessageId: sent.data.message_id };
}

/**
 * Hides, unhides or deletes a comment: Facebook `POST /{comment-id}` with `is_hidden`, Instagram
 * `POST /{ig-comment-id}` with `hide`; `DELETE /{comment-id}` on both.
 */
export async function moderate(
  api: CommentApi,
  commentId: string,
  action: "hide" | "unhide" | "delete",
  ctx: AdapterContext,
): Promise<void> {
  if (action === "delete") {
    await call(api, "DELETE", id(commentId), undefined, ctx);
    return;
  }
  const hidden = action === "hide";
  await call(
    api,
    "POST",
    id(commentId),
    api.platform === "messenger" ? { is_hidden: hidden } : { hide: hidden },
    ctx,
  );
}
