import { TELEGRAM_CAPABILITIES } from "@parley/protocol";
import type { LimitStore } from "../../lib/limits";
import { sendInParts } from "../parts";
import { splitText } from "../split-text";
import { type AdapterContext, ChannelPacing, ChannelSendError, type OutgoingMessage } from "../types";
import { callTelegram, TelegramError } from "./client";
import { messageKey } from "./inbound";
import { SentMessage } from "./payloads";

const CAPTION_MAX = TELEGRAM_CAPABILITIES.captionMaxChars ?? 1024;
const TEXT_MAX = TELEGRAM_CAPABILITIES.textMaxChars;

/** Sends a message as its planned parts, resuming after those an earlier attempt sent, within Telegram's pace. */
export async function sendTelegram(
  connection: { id: string; credentials: { botToken: string } },
  message: OutgoingMessage,
  ctx: AdapterContext,
): Promise<{ providerMessageId: string }> {
  const token = connection.credentials.botToken;
  const parts = plan(message, ctx);
  if (parts.length === 0) {
    throw new ChannelSendError("provider_error", "The message has neither text nor a file to send.", false);
  }
  // A multi-part message (long text in parts, text + files) retried after a part failed resumes after the
  // parts already sent: the send job keeps their ids in the database as each is accepted, so no worker
  // process sends a part twice. The message's provider id is its first part's (a customer's reply to it
  // quotes the message; Telegram reports nothing else per part).
  const done = message.parts?.sent ?? [];
  if (done.length >= parts.length) return { providerMessageId: done[0]! };
  // Telegram's pacing: about one message a second per chat (a group: one every 3 s) and 30 a second per
  // bot. A message that would go too soon waits (the job is rescheduled without spending an attempt).
  const now = ctx.now().getTime();
  const wait = await reservePace(
    ctx.limits,
    connection.id,
    message.externalContactId,
    parts.length - done.length,
    now,
  );
  if (wait > 0) throw new ChannelPacing(wait);
  const ids = await sendInParts(message, parts.length, async (i) => {
    const part = parts[i]!;
    try {
      const sent = await callTelegram(ctx, token, part.method, part.params, SentMessage);
      return messageKey(sent.chat.id, sent.message_id);
    } catch (err) {
      throw sendError(err, part.method, i, parts.length);
    }
  });
  return { providerMessageId: ids[0]! };
}

/**
 * Reserves Telegram's pace for `parts` messages at `now` (the application's clock), or says how many ms to
 * wait: a chat's next message goes `gap` after the previous one's parts, and a bot sends at most 30 a second.
 * Shared by every process (the limits store, one decision on the chat's and the bot's keys at a time);
 * Telegram's 429 retry_after remains the final word.
 */
async function reservePace(
  limits: LimitStore,
  connectionId: string,
  chatId: string,
  parts: number,
  now: number,
) {
  const chatKey = `tg-chat|${connectionId}|${chatId}`;
  const botKey = `tg-bot|${connectionId}`;
  const gap = chatId.startsWith("-") ? 3000 : 1000;
  return limits.locked([chatKey, botKey], async (store) => {
    // The chat's latest send within the longest spacing a send can ask for (30 parts a second at most).
    const last = (await store.since(chatKey, new Date(now - gap * 30))).at(-1);
    const next = last ? last.at.getTime() + gap * last.count : 0;
    if (next > now) return next - now;
    const recent = await store.since(botKey, new Date(now - 999));
    const sent = recent.reduce((n, h) => n + h.count, 0);
    if (sent + parts > 30) return Math.max(1, recent[0]!.at.getTime() + 1000 - now);
    const at = new Date(now);
    await store.record([chatKey], at, gap * 30, parts);
    await store.record([botKey], at, 1000, parts);
    return 0;
  });
}

interface Part {
  method: string;
  params: Record<string, unknown>;
}

/** Chat ids are numbers in Telegram's JSON (they fit in 52 bits); a @channelusername stays a string. */
const chatIdParam = (id: string): number | string =>
  /^-?\d{1,16}$/.test(id) && Number.isSafeInteger(Number(id)) ? Number(id) : id;

/**
 * One Bot API call per file (sendPhoto / sendVideo / sendVoice / sendAudio / sendDocument, by absolute URL)
 * and sendMessage for the text, which rides as the first file's caption when it fits in 1024 characters;
 * otherwise the text goes first, on its own, in parts of at most 4096 characters (split at paragraphs, lines,
 * then words). The quote (reply_parameters) goes on the first call. The same message always gives the same
 * parts, so a retry can skip the ones already sent.
 */
function plan(message: OutgoingMessage, ctx: AdapterContext): Part[] {
  const chat_id = chatIdParam(message.externalContactId);
  const files = message.attachments.filter((a) => a.url && !a.error);
  const text = message.text?.trim() ? message.text : null;
  const parts: Part[] = [];
  const captioned = text !== null && files.length > 0 && text.length <= CAPTION_MAX;
  if (text !== null && !captioned)
    for (const chunk of splitText(text, TEXT_MAX))
      parts.push({ method: "sendMessage", params: { chat_id, text: chunk } });
  files.forEach((a, i) => {
    const [method, field] = mediaMethod(a.mimeType);
    parts.push({
      method,
      params: {
        chat_id,
        // Parley's own files by a signed link Telegram can fetch without a session.
        [field]: ctx.fileUrl(a.url),
        ...(captioned && i === 0 ? { caption: text } : {}),
      },
    });
  });
  const quote = quoteOf(message.quotedProviderMessageId, chat_id);
  if (quote && parts[0]) parts[0].params.reply_parameters = quote;
  return parts;
}

function mediaMethod(mimeType: string): [method: string, field: string] {
  const type = mimeType.toLowerCase();
  if (type === "image/jpeg" || type === "image/png" || type === "image/webp") return ["sendPhoto", "photo"];
  if (type === "video/mp4") return ["sendVideo", "video"];
  if (type === "audio/ogg") return ["sendVoice", "voice"];
  if (type === "audio/mpeg" || type === "audio/mp4" || type === "audio/x-m4a") return ["sendAudio", "audio"];
  return ["sendDocument", "document"];
}

/** reply_parameters for a quoted `<chat>:<message_id>`; a quote of a deleted message doesn't stop the send. */
function quoteOf(quoted: string | null, chatId: number | string) {
  const match = quoted?.match(/^(-?\d+):(\d+)$/);
  if (!match) return null;
  const [, chat, id] = match;
  return {
    message_id: Number(id),
    ...(String(chatId) === chat ? {} : { chat_id: Number(chat) }),
    allow_sending_without_reply: true,
  };
}

/** Branches on error_code plus a prefix of the description (Telegram's descriptions are not an enum). */
function sendError(err: unknown, method: string, done: number, total: number): ChannelSendError {
  if (!(err instanceof TelegramError)) throw err;
  const d = err.description;
  const detail = done > 0 ? `${d} (after ${done} of ${total} parts of the message were sent)` : d;
  const code = err.errorCode ?? err.httpStatus;
  if (err.httpStatus === null) return new ChannelSendError("provider_error", detail, true);
  if (code === 429 || err.httpStatus === 429) {
    const after = err.parameters?.retry_after;
    return new ChannelSendError("provider_error", detail, true, after && after > 0 ? after * 1000 : 5000);
  }
  if (err.httpStatus >= 500 || (code !== null && code >= 500))
    return new ChannelSendError("provider_error", detail, true);
  if (code === 403) {
    if (/blocked by the user|kicked/i.test(d)) return new ChannelSendError("blocked_by_user", detail, false);
    // "bot can't initiate conversation with a user", "user is deactivated", "not enough rights…"
    return new ChannelSendError("not_permitted", detail, false);
  }
  if (code === 400) {
    if (/too long/i.test(d)) return new ChannelSendError("too_long", detail, false);
    if (err.parameters?.migrate_to_chat_id) {
      return new ChannelSendError(
        "provider_error",
        `${detail} (the group is now the supergroup ${err.parameters.migrate_to_chat_id})`,
        false,
      );
    }
    if (
      method !== "sendMessage" &&
      /file|url|photo|image|document|video|audio|voice|media|web page content|dimensions/i.test(d)
    )
      return new ChannelSendError("attachment_rejected", detail, false);
  }
  return new ChannelSendError("provider_error", detail, false);
}
