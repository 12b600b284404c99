import { type Attachment, TELEGRAM_CAPABILITIES } from "@parley/protocol";
import { z } from "zod";
import { randomToken, safeEqual } from "../../lib/crypto";
import { parseCredentials } from "../form-fields";
import { parseWebhookJson } from "../payload";
import { splitText } from "../split-text";
import {
  type AdapterContext,
  type ChannelAdapter,
  ChannelPacing,
  ChannelSendError,
  ChannelSetupError,
  type InboundEvent,
  type OutgoingMessage,
} from "../types";
import { webhookUrl } from "../webhook-url";
import { callTelegram, fileUrl, TelegramError } from "./client";
import {
  ALLOWED_UPDATES,
  BotInfo,
  type FileRef,
  SentMessage,
  TelegramCredentials,
  TelegramFile,
  type TelegramMessage,
  TelegramSettings,
  TelegramUpdate,
} from "./payloads";

export const SECRET_HEADER = "x-telegram-bot-api-secret-token";

/** The cloud Bot API hands bots files up to 20 MB (getFile answers "file is too big" above). */
const DOWNLOAD_MAX_BYTES = 20 * 1024 * 1024;
const CAPTION_MAX = TELEGRAM_CAPABILITIES.captionMaxChars ?? 1024;
const TEXT_MAX = TELEGRAM_CAPABILITIES.textMaxChars;

/** Telegram's message ids are unique only within a chat: Parley's provider id is `<chat.id>:<message_id>`. */
const messageKey = (chatId: number | string, messageId: number) => `${chatId}:${messageId}`;

/**
 * Telegram Bot API over a webhook. The admin gives the bot token; Parley generates the webhook's
 * secret_token, checks the token with getMe and registers the webhook with setWebhook. Inbound media is
 * fetched with getFile at once; outgoing files go by absolute URL (Telegram fetches them). Telegram reports
 * neither delivery nor reads, so sent is the last state a message reaches.
 */
export const telegramChannel: ChannelAdapter<TelegramCredentials, TelegramSettings> = {
  type: "telegram",
  capabilities: TELEGRAM_CAPABILITIES,
  settingsSchema: TelegramSettings,
  credentialsSchema: TelegramCredentials,

  createCredentials(input) {
    const { botToken } = parseCredentials(
      TelegramCredentials,
      input,
      (issues) => issues[0]?.message ?? "Give the bot token from @BotFather as credentials.botToken.",
    );
    // setWebhook's secret_token: 1-256 characters of A-Z a-z 0-9 _ - (base64url is exactly that alphabet).
    return { botToken, webhookSecret: randomToken(32) };
  },

  revealOnCreate: (_credentials, connectionId, publicUrl) => ({
    webhookUrl: webhookUrl(publicUrl, "telegram", connectionId),
  }),

  verify(_raw, headers, credentials) {
    const header = headers[SECRET_HEADER];
    if (typeof header !== "string" || !credentials.webhookSecret) return false;
    return safeEqual(header, credentials.webhookSecret);
  },

  async activate(connection, ctx) {
    const token = connection.credentials.botToken;
    let bot: { username?: string | undefined };
    try {
      bot = await callTelegram(ctx, token, "getMe", {}, BotInfo);
    } catch (err) {
      throw setupError(err, "check the bot token");
    }
    try {
      await callTelegram(
        ctx,
        token,
        "setWebhook",
        {
          url: ctx.webhookUrl,
          secret_token: connection.credentials.webhookSecret,
          allowed_updates: ALLOWED_UPDATES,
        },
        z.literal(true),
      );
    } catch (err) {
      throw setupError(
        err,
        `register the webhook ${ctx.webhookUrl} for @${bot.username ?? "the bot"} (Telegram only calls HTTPS URLs on ports 443, 80, 88 or 8443)`,
      );
    }
  },

  async parse(raw, connection, ctx) {
    const update = parseWebhookJson(raw, TelegramUpdate, "The webhook body is not a Telegram Update.");
    const token = connection.credentials.botToken;
    const moved = update.message && migration(update.message);
    if (moved) return [moved];
    if (update.message) {
      const event = await messageEvent(update.message, token, ctx);
      return event ? [event] : [];
    }
    if (update.edited_message) {
      const event = editEvent(update.edited_message);
      return event ? [event] : [];
    }
    // callback_query, my_chat_member, channel posts…: nothing an inbox shows.
    return [];
  },

  async send(connection, message, ctx) {
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
    const now = (ctx.now?.() ?? new Date()).getTime();
    const wait = pacing.reserve(connection.id, message.externalContactId, parts.length - done.length, now);
    if (wait > 0) throw new ChannelPacing(wait);
    let firstId = done[0] ?? "";
    for (let i = done.length; i < parts.length; i++) {
      const part = parts[i]!;
      let sent: { message_id: number; chat: { id: number } };
      try {
        sent = await callTelegram(ctx, token, part.method, part.params, SentMessage);
      } catch (err) {
        throw sendError(err, part.method, i, parts.length);
      }
      const id = messageKey(sent.chat.id, sent.message_id);
      if (i === 0) firstId = id;
      await message.parts?.record(i, id);
    }
    return { providerMessageId: firstId };
  },
};

/**
 * Per-process pacing of a bot's sends (Telegram's documented limits). Several server processes each keep
 * their own, and Telegram's 429 retry_after remains the final word.
 */
class Pacing {
  private readonly chats = new Map<string, number>();
  private readonly bots = new Map<string, number[]>();

  /** Reserves a slot for `parts` messages at `now` (the application's clock), or says how many ms to wait. */
  reserve(connectionId: string, chatId: string, parts: number, now: number): number {
    const chatKey = `${connectionId}:${chatId}`;
    const gap = chatId.startsWith("-") ? 3000 : 1000;
    const next = this.chats.get(chatKey) ?? 0;
    if (next > now) return next - now;
    const recent = (this.bots.get(connectionId) ?? []).filter((t) => t > now - 1000);
    if (recent.length + parts > 30) return Math.max(1, recent[0]! + 1000 - now);
    for (let i = 0; i < parts; i++) recent.push(now);
    this.bots.set(connectionId, recent);
    this.chats.set(chatKey, now + gap * parts);
    if (this.chats.size > 50_000) {
      for (const [k, v] of this.chats) if (v < now) this.chats.delete(k);
    }
    return 0;
  }
}
const pacing = new Pacing();

// ---------------------------------------------------------------------------------------------------------
// Inbound

async function messageEvent(
  m: TelegramMessage,
  token: string,
  ctx: AdapterContext,
): Promise<InboundEvent | null> {
  const attachments: Attachment[] = [];
  const media = mediaOf(m);
  if (media) attachments.push(await fetchMedia(ctx, token, media));
  let text = m.text ?? m.caption ?? null;
  if (!text && !media) {
    text = fallbackText(m);
    if (text === null) return null; // a service message (member joined, title changed…)
  }
  return {
    kind: "message",
    providerMessageId: messageKey(m.chat.id, m.message_id),
    externalContactId: String(m.chat.id),
    contact: contactOf(m),
    text: text === null ? null : inGroup(m, text),
    attachments,
    quotedProviderMessageId: m.reply_to_message
      ? messageKey(m.reply_to_message.chat?.id ?? m.chat.id, m.reply_to_message.message_id)
      : null,
    at: new Date(m.date * 1000),
  };
}

/**
 * A group that became a supergroup continues under the new chat id: Telegram says so in both chats (the
 * old one gets `migrate_to_chat_id`, the new one `migrate_from_chat_id`); either moves the conversation.
 */
function migration(m: TelegramMessage): InboundEvent | null {
  const at = new Date(m.date * 1000);
  if (m.migrate_to_chat_id !== undefined)
    return {
      kind: "identity_moved",
      fromExternalId: String(m.chat.id),
      toExternalId: String(m.migrate_to_chat_id),
      at,
    };
  if (m.migrate_from_chat_id !== undefined)
    return {
      kind: "identity_moved",
      fromExternalId: String(m.migrate_from_chat_id),
      toExternalId: String(m.chat.id),
      at,
    };
  return null;
}

/**
 * An edit becomes a new message quoting the original (Parley keeps what was said; the ingest never rewrites
 * a message), keyed by the edit's time so a retried webhook stays one message. Media isn't fetched again.
 */
function editEvent(m: TelegramMessage): InboundEvent | null {
  const edited = m.text ?? m.caption ?? (mediaOf(m) ? "(changed the attached file)" : fallbackText(m));
  if (edited === null) return null;
  const editedAt = m.edit_date ?? m.date;
  return {
    kind: "message",
    providerMessageId: `${messageKey(m.chat.id, m.message_id)}:edit:${editedAt}`,
    externalContactId: String(m.chat.id),
    contact: contactOf(m),
    text: inGroup(m, `Edited: ${edited}`),
    attachments: [],
    quotedProviderMessageId: messageKey(m.chat.id, m.message_id),
    at: new Date(editedAt * 1000),
  };
}

const fullName = (u: { first_name?: string | undefined; last_name?: string | undefined }) =>
  [u.first_name, u.last_name].filter(Boolean).join(" ") || null;

/** The conversation is the chat: the person in a private chat, the group itself in a group. */
function contactOf(m: TelegramMessage): Extract<InboundEvent, { kind: "message" }>["contact"] {
  if (m.chat.type === "private") {
    const who = m.from ?? m.chat;
    return { name: fullName(who), nickname: who.username ?? null };
  }
  return { name: m.chat.title ?? null, nickname: m.chat.username ?? null };
}

/** In a group several people write in one conversation: their name goes in front of the text. */
function inGroup(m: TelegramMessage, text: string): string {
  if (m.chat.type === "private" || !m.from) return text;
  const who = fullName(m.from) ?? (m.from.username ? `@${m.from.username}` : null);
  return who ? `${who}: ${text}` : text;
}

interface Media {
  file: FileRef;
  name?: string;
  mimeType?: string;
}

function mediaOf(m: TelegramMessage): Media | null {
  // A photo comes in several sizes, the largest last.
  const photo = m.photo?.at(-1);
  if (photo) return { file: photo, mimeType: "image/jpeg" };
  // An animation also carries `document`: take the animation (its real type) first.
  if (m.animation) return named(m.animation, "video/mp4");
  if (m.document) return named(m.document, "application/octet-stream");
  if (m.video) return named(m.video, "video/mp4");
  if (m.voice) return named(m.voice, "audio/ogg");
  if (m.audio) return named(m.audio, "audio/mpeg");
  if (m.video_note) return named(m.video_note, "video/mp4");
  return null;
}

function named(f: NonNullable<TelegramMessage["document"]>, defaultType: string): Media {
  return {
    file: f,
    ...(f.file_name ? { name: f.file_name } : {}),
    mimeType: f.mime_type ?? defaultType,
  };
}

/** getFile, then the download from /file/bot<token>/<file_path>; a failure keeps the message, with an error. */
async function fetchMedia(ctx: AdapterContext, token: string, media: Media): Promise<Attachment> {
  const failed = (why: string): Attachment => ({
    name: media.name ?? "file",
    mimeType: media.mimeType ?? "application/octet-stream",
    size: media.file.file_size ?? 0,
    url: "",
    error: why.slice(0, 500),
  });
  if ((media.file.file_size ?? 0) > DOWNLOAD_MAX_BYTES)
    return failed("The file is larger than the 20 MB Telegram lets bots download.");
  let path: string | undefined;
  try {
    path = (await callTelegram(ctx, token, "getFile", { file_id: media.file.file_id }, TelegramFile))
      .file_path;
  } catch (err) {
    return failed(`Telegram did not give the file: ${(err as TelegramError).description}`);
  }
  if (!path) return failed("Telegram did not give the file: no file_path in its answer.");
  return ctx.download({
    url: fileUrl(ctx, token, path),
    // The URL holds the bot token: what is recorded as the file's origin leaves it out.
    sourceUrl: fileUrl(ctx, "<token>", path),
    ...(media.name ? { name: media.name } : {}),
    ...(media.mimeType ? { mimeType: media.mimeType } : {}),
    maxBytes: DOWNLOAD_MAX_BYTES,
  });
}

const SERVICE_KEYS = new Set([
  "new_chat_members",
  "left_chat_member",
  "new_chat_title",
  "new_chat_photo",
  "delete_chat_photo",
  "group_chat_created",
  "supergroup_chat_created",
  "channel_chat_created",
  "migrate_to_chat_id",
  "migrate_from_chat_id",
  "pinned_message",
  "message_auto_delete_timer_changed",
  "write_access_allowed",
  "video_chat_scheduled",
  "video_chat_started",
  "video_chat_ended",
  "video_chat_participants_invited",
  "forum_topic_created",
  "forum_topic_edited",
  "forum_topic_closed",
  "forum_topic_reopened",
  "general_forum_topic_hidden",
  "general_forum_topic_unhidden",
  "proximity_alert_triggered",
  "boost_added",
  "chat_background_set",
]);

/** Keys every message may carry besides its content. */
const META_KEYS = new Set([
  "message_id",
  "message_thread_id",
  "from",
  "sender_chat",
  "sender_boost_count",
  "sender_business_bot",
  "date",
  "edit_date",
  "business_connection_id",
  "chat",
  "forward_origin",
  "forward_from",
  "forward_from_chat",
  "forward_from_message_id",
  "forward_signature",
  "forward_sender_name",
  "forward_date",
  "is_topic_message",
  "is_automatic_forward",
  "reply_to_message",
  "external_reply",
  "quote",
  "reply_to_story",
  "via_bot",
  "has_protected_content",
  "is_from_offline",
  "media_group_id",
  "author_signature",
  "entities",
  "caption_entities",
  "link_preview_options",
  "effect_id",
  "show_caption_above_media",
  "has_media_spoiler",
  "reply_markup",
  "text",
  "caption",
]);

/** Readable text for what Parley does not store as a file; null for service messages (shown as nothing). */
function fallbackText(m: TelegramMessage): string | null {
  if (m.sticker) return `[Sticker${m.sticker.emoji ? ` ${m.sticker.emoji}` : ""}]`;
  if (m.venue) {
    const { latitude, longitude } = m.venue.location;
    return `[Place: ${m.venue.title}, ${m.venue.address} (${latitude}, ${longitude})]`;
  }
  if (m.location) return `[Location: ${m.location.latitude}, ${m.location.longitude}]`;
  if (m.contact) {
    const name = fullName(m.contact);
    return `[Contact: ${name ? `${name}, ` : ""}${m.contact.phone_number}]`;
  }
  if (m.poll) return `[Poll: ${m.poll.question}]`;
  if (m.dice) return `[${m.dice.emoji} ${m.dice.value}]`;
  const keys = Object.keys(m).filter((k) => !META_KEYS.has(k));
  if (keys.some((k) => SERVICE_KEYS.has(k))) return null;
  return `[Unsupported Telegram message${keys[0] ? `: ${keys[0]}` : ""}]`;
}

// ---------------------------------------------------------------------------------------------------------
// Outbound

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

function setupError(err: unknown, doing: string): ChannelSetupError {
  if (!(err instanceof TelegramError)) throw err;
  if (err.errorCode === 401 || err.errorCode === 404) {
    return new ChannelSetupError(
      `Telegram refused the bot token (${err.description}): copy the token again from @BotFather.`,
    );
  }
  return new ChannelSetupError(`Could not ${doing}: ${err.description}`);
}
