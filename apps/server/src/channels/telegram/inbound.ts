import { parseWebhookJson } from "../payload";
import {
  type AdapterContext,
  ChannelSendError,
  type DownloadRequest,
  type InboundAttachment,
  type InboundEvent,
  type MediaSource,
  pendingAttachment,
} from "../types";
import { callTelegram, fileUrl, TelegramError } from "./client";
import { type FileRef, TelegramFile, type TelegramMessage, TelegramUpdate } from "./payloads";

/** The cloud Bot API hands bots files up to 20 MB (getFile answers "file is too big" above). */
const DOWNLOAD_MAX_BYTES = 20 * 1024 * 1024;

/** Telegram's message ids are unique only within a chat: Parley's provider id is `<chat.id>:<message_id>`. */
export const messageKey = (chatId: number | string, messageId: number) => `${chatId}:${messageId}`;

/** The events of a verified webhook: a message (its media downloaded later by a job), an edit, or a chat migration. */
export async function parseTelegramUpdate(raw: Buffer, ctx: AdapterContext): Promise<InboundEvent[]> {
  const update = parseWebhookJson(raw, TelegramUpdate, "The webhook body is not a Telegram Update.");
  const moved = update.message && migration(update.message);
  if (moved) return [moved];
  if (update.message) {
    const event = await messageEvent(update.message, ctx);
    return event ? [event] : [];
  }
  if (update.edited_message) {
    const event = editEvent(update.edited_message);
    return event ? [event] : [];
  }
  // callback_query, my_chat_member, channel posts…: nothing an inbox shows.
  return [];
}

async function messageEvent(m: TelegramMessage, ctx: AdapterContext): Promise<InboundEvent | null> {
  const attachments: InboundAttachment[] = [];
  const media = mediaOf(m);
  if (media) attachments.push(pendingMedia(ctx, media));
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
    ...languageSource(m),
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

/**
 * The person's app language in a private chat (`from.language_code`): a new conversation keeps it in its
 * source, where the automation rules' language condition reads it. A group has no one language.
 */
function languageSource(m: TelegramMessage): { source?: Record<string, string> } {
  const code = m.chat.type === "private" ? m.from?.language_code : undefined;
  return code ? { source: { language: code.slice(0, 35) } } : {};
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

/** A file_id stays valid; its download link (file_path) lasts at least an hour and is asked for on every try. */
const MEDIA_RETRY_MS = 24 * 60 * 60_000;

/** The file of a message, to be downloaded in the background by its file_id (over 20 MB: failed at once). */
function pendingMedia(ctx: AdapterContext, media: Media): InboundAttachment {
  const name = media.name ?? "file";
  const mimeType = media.mimeType ?? "application/octet-stream";
  if ((media.file.file_size ?? 0) > DOWNLOAD_MAX_BYTES)
    return {
      name,
      mimeType,
      size: media.file.file_size ?? 0,
      url: "",
      state: "failed",
      error: "The file is larger than the 20 MB Telegram lets bots download.",
    };
  return pendingAttachment(
    { name, mimeType, size: media.file.file_size ?? 0 },
    {
      // Without a name of its own (a photo, a voice note), the file is named after its file_path.
      source: { fileId: media.file.file_id, ...(media.name ? {} : { nameFromPath: "1" }) },
      maxBytes: DOWNLOAD_MAX_BYTES,
      retryForMs: MEDIA_RETRY_MS,
      now: ctx.now(),
    },
  );
}

/** getFile for a fresh file_path, then the download from /file/bot<token>/<file_path>. */
export async function resolveTelegramMedia(
  token: string,
  source: MediaSource,
  ctx: AdapterContext,
): Promise<DownloadRequest> {
  if (!source.fileId)
    throw new ChannelSendError("provider_error", "The file has no Telegram file_id.", false);
  let path: string | undefined;
  try {
    path = (await callTelegram(ctx, token, "getFile", { file_id: source.fileId }, TelegramFile)).file_path;
  } catch (err) {
    if (!(err instanceof TelegramError)) throw err;
    const retryable = err.httpStatus === null || err.httpStatus >= 500 || err.httpStatus === 429;
    throw new ChannelSendError(
      "provider_error",
      `Telegram did not give the file: ${err.description}`,
      retryable,
    );
  }
  if (!path)
    throw new ChannelSendError(
      "provider_error",
      "Telegram did not give the file: no file_path in its answer.",
      false,
    );
  return {
    url: fileUrl(ctx, token, path),
    // The URL holds the bot token: what is recorded as the file's origin leaves it out.
    sourceUrl: fileUrl(ctx, "<token>", path),
    maxBytes: DOWNLOAD_MAX_BYTES,
    ...(source.nameFromPath ? { name: path.split("/").pop()?.slice(0, 200) || "file" } : {}),
  };
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
