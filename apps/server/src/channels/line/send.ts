import type { Attachment } from "@parley/protocol";
import { LINE_CAPABILITIES } from "@parley/protocol";
import { type AdapterContext, ChannelSendError, type OutgoingMessage } from "../types";
import { callLine, type LineAnswer, LineError } from "./client";
import { LineSent } from "./payloads";

/** A reply token is valid for about a minute after the event: one older than this is not tried. */
export const REPLY_TOKEN_FRESH_MS = 50_000;
/** LINE gives no wait with its 429: the next try waits this long. */
const RATE_LIMIT_RETRY_MS = 30_000;
const IMAGE_TYPES = new Set(["image/jpeg", "image/png"]);
const TEXT_MAX = LINE_CAPABILITIES.textMaxChars;

type LineMessageObject =
  | { type: "text"; text: string }
  | { type: "image"; originalContentUrl: string; previewImageUrl: string };

/**
 * Sends one Parley message as one LINE request of at most five message objects (the text, then up to four
 * images): with the customer's reply token while it is fresh and unused (free; claimed in the database so no
 * other process uses it), otherwise as a push message (counted against the monthly quota) carrying the
 * message's id as `X-Line-Retry-Key`, so LINE accepts a retried push only once.
 */
export async function sendLine(
  connection: { id: string; credentials: { channelAccessToken: string } },
  message: OutgoingMessage,
  ctx: AdapterContext,
): Promise<{ providerMessageId: string }> {
  const messages = lineMessages(message, ctx);
  const token = connection.credentials.channelAccessToken;
  const base = ctx.endpoints.lineApiBase;
  const replyToken = await claimReplyToken(ctx, connection.id, message.externalContactId);
  let answer: LineAnswer | null = null;
  if (replyToken) {
    try {
      answer = await callLine(ctx, token, {
        base,
        method: "POST",
        path: "/v2/bot/message/reply",
        body: { replyToken, messages },
      });
    } catch (err) {
      // An expired or already used token: the message goes as a push instead.
      if (!(err instanceof LineError && err.httpStatus === 400 && /reply token/i.test(err.message)))
        throw sendError(err);
    }
  }
  if (!answer) {
    try {
      answer = await callLine(ctx, token, {
        base,
        method: "POST",
        path: "/v2/bot/message/push",
        body: { to: message.externalContactId, messages },
        headers: { "x-line-retry-key": message.id },
      });
    } catch (err) {
      throw sendError(err);
    }
  }
  const sent = LineSent.safeParse(answer.body);
  const id =
    (sent.success ? sent.data.sentMessages?.[0]?.id : undefined) ??
    answer.headers.get("x-line-accepted-request-id") ??
    answer.headers.get("x-line-request-id") ??
    `retry-key:${message.id}`;
  return { providerMessageId: id };
}

/** Takes the customer's reply token if it is fresh and unused, marking it used in the same statement. */
async function claimReplyToken(
  ctx: AdapterContext,
  connectionId: string,
  userId: string,
): Promise<string | null> {
  const now = ctx.now();
  const [row] = await ctx.db.query<{ reply_token: string }>(
    `update line_reply_tokens set used_at = $3
     where connection_id = $1 and user_id = $2 and used_at is null and received_at > $4
     returning reply_token`,
    [connectionId, userId, now, new Date(now.getTime() - REPLY_TOKEN_FRESH_MS)],
  );
  return row?.reply_token ?? null;
}

function lineMessages(message: OutgoingMessage, ctx: AdapterContext): LineMessageObject[] {
  const text = message.text?.trim() ? message.text : null;
  if (text && text.length > TEXT_MAX)
    throw new ChannelSendError(
      "too_long",
      `The text has ${text.length} characters; LINE takes at most ${TEXT_MAX}.`,
      false,
    );
  const images = message.attachments.map((a) => image(a, ctx));
  const out: LineMessageObject[] = [...(text ? [{ type: "text" as const, text }] : []), ...images];
  if (out.length === 0)
    throw new ChannelSendError("provider_error", "The message has neither text nor an image.", false);
  if (out.length > 5)
    throw new ChannelSendError(
      "attachment_rejected",
      "LINE takes at most five messages in one request: send at most four images with a text.",
      false,
    );
  return out;
}

function image(a: Attachment, ctx: AdapterContext): LineMessageObject {
  if (!a.url || a.error)
    throw new ChannelSendError(
      "attachment_rejected",
      `The attachment "${a.name}" has no stored file to send.`,
      false,
    );
  if (!IMAGE_TYPES.has(a.mimeType.toLowerCase()))
    throw new ChannelSendError(
      "attachment_rejected",
      `LINE bots send images (JPEG or PNG) only; "${a.name}" is ${a.mimeType}. Share a link to the file in the text instead.`,
      false,
    );
  // LINE fetches the image itself: Parley's own file by a signed link.
  const url = ctx.fileUrl(a.url);
  return { type: "image", originalContentUrl: url, previewImageUrl: url };
}

/** LINE's refusals as failure reasons (CHANNELS.md §8.1): rate limits and server errors are retried. */
function sendError(err: unknown): Error {
  if (!(err instanceof LineError)) return err as Error;
  const s = err.httpStatus;
  if (s === null || s >= 500) return new ChannelSendError("provider_error", err.message, true);
  if (s === 429) {
    if (/monthly limit/i.test(err.message))
      return new ChannelSendError(
        "provider_error",
        `${err.message}. The account's monthly push-message quota is used up; replies within a minute of the customer's message are still free.`,
        false,
      );
    return new ChannelSendError("provider_error", err.message, true, err.retryAfterMs ?? RATE_LIMIT_RETRY_MS);
  }
  if (s === 401)
    return new ChannelSendError(
      "provider_error",
      `${err.message}. The channel access token is not valid: issue a new one in the LINE Developers console.`,
      false,
    );
  if (s === 403) return new ChannelSendError("not_permitted", err.message, false);
  return new ChannelSendError("provider_error", err.message, false);
}
