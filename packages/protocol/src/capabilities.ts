import type { ChannelType } from "./enums";

/** What a channel really reports and accepts; the UI reads this instead of hard-coding channel checks. */
export interface ChannelCapabilities {
  reportsDelivered: boolean;
  reportsRead: boolean;
  /** The channel accepts a "seen" mark from the business. */
  markSeen: boolean;
  quoting: boolean;
  textMaxChars: number;
  /**
   * Longer text is sent as several messages (split at paragraphs, lines, then words). Without it a longer text
   * is refused before it is sent.
   */
  splitsLongText?: boolean;
  /** A limit in UTF-8 bytes on top of `textMaxChars`, where the channel counts bytes (Instagram: 1000). */
  textMaxBytes?: number;
  /** A shorter limit for text sent as a file's caption, where the channel has one (Telegram: 1024). */
  captionMaxChars?: number;
  /** Per file; `imageMaxBytes` where images have a lower limit than other files. */
  attachments: { maxBytes: number; imageMaxBytes?: number; maxPerMessage: number } | null;
  /** Name of the messaging-window rule (see the window policy module). */
  window: "none" | "whatsapp" | "messenger" | "instagram" | "viber" | "wechat" | "sms";
  /**
   * Text goes as SMS, billed per part: the composer counts the parts (`smsSegments` in sms.ts) and warns
   * before a message of more than `warnAboveSegments` parts.
   */
  sms?: { warnAboveSegments: number };
  /**
   * Comments under the business's posts arrive as conversations (R451): replies go public (under the comment)
   * or private (one message to the commenter's inbox per comment, within `privateReplyDays` of it), and
   * agents can hide, unhide and delete comments.
   */
  comments?: { privateReplyDays: number; hide: boolean; delete: boolean };
}

export const API_CHANNEL_CAPABILITIES: ChannelCapabilities = {
  reportsDelivered: true,
  reportsRead: true,
  markSeen: false,
  quoting: true,
  textMaxChars: 65_536,
  attachments: { maxBytes: 100 * 1024 * 1024, maxPerMessage: 10 },
  window: "none",
};

/** Viber REST Bot API: per-message `delivered` and `seen` callbacks; no business "seen"; media by URL. */
export const VIBER_CAPABILITIES: ChannelCapabilities = {
  reportsDelivered: true,
  reportsRead: true,
  markSeen: false,
  quoting: false,
  textMaxChars: 7000,
  attachments: { maxBytes: 50 * 1024 * 1024, maxPerMessage: 1 },
  window: "viber",
};

/**
 * WhatsApp Business Cloud API: `delivered` and `read` statuses (read unless the customer turned receipts
 * off), business mark-as-read, quoted replies; 24-hour customer-service window; one file per message
 * (documents up to 100 MB; images 5 MB, audio/video 16 MB).
 */
export const WHATSAPP_CAPABILITIES: ChannelCapabilities = {
  reportsDelivered: true,
  reportsRead: true,
  markSeen: true,
  quoting: true,
  textMaxChars: 4096,
  attachments: { maxBytes: 100 * 1024 * 1024, imageMaxBytes: 5 * 1024 * 1024, maxPerMessage: 1 },
  window: "whatsapp",
};

/**
 * Telegram Bot API: no delivery or read reports at all (a bot only learns Telegram accepted the message), no
 * business "seen", quoted replies; no window (403 once the user blocks the bot). Text over 4,096 characters
 * goes as several messages; a caption over 1,024 as a text message of its own. Files go by URL, which
 * Telegram fetches up to 20 MB (photos 5 MB); each file is its own message.
 */
export const TELEGRAM_CAPABILITIES: ChannelCapabilities = {
  reportsDelivered: false,
  reportsRead: false,
  markSeen: false,
  quoting: true,
  textMaxChars: 4096,
  splitsLongText: true,
  captionMaxChars: 1024,
  attachments: { maxBytes: 20 * 1024 * 1024, imageMaxBytes: 5 * 1024 * 1024, maxPerMessage: 10 },
  window: "none",
};

/**
 * A personal Telegram account (user API, MTProto): Telegram's answer to a send is "sent"; the message seen in
 * the account's own update stream is "delivered" (on Telegram's server); `updateReadHistoryOutbox` is "read";
 * the business may mark the customer's messages read (`messages.readHistory`). No window; one file per message.
 */
export const TELEGRAM_USER_CAPABILITIES: ChannelCapabilities = {
  reportsDelivered: true,
  reportsRead: true,
  markSeen: true,
  quoting: true,
  textMaxChars: 4096,
  captionMaxChars: 1024,
  attachments: { maxBytes: 50 * 1024 * 1024, maxPerMessage: 1 },
  window: "none",
};

/**
 * Facebook Messenger: `message_deliveries` (watermark + mids) and `message_reads` (watermark), business
 * `mark_seen`, reply_to quotes; 24-hour window (HUMAN_AGENT tag: 7 days); 2000 characters; 25 MB files, one
 * per Send API message.
 */
export const MESSENGER_CAPABILITIES: ChannelCapabilities = {
  reportsDelivered: true,
  reportsRead: true,
  markSeen: true,
  quoting: true,
  textMaxChars: 2000,
  attachments: { maxBytes: 25 * 1024 * 1024, maxPerMessage: 10 },
  window: "messenger",
  comments: { privateReplyDays: 7, hide: true, delete: true },
};

/**
 * Instagram Messaging: no delivery webhook; `messaging_seen` per message; business `mark_seen`; 24-hour window
 * (HUMAN_AGENT: 7 days, nothing after); text at most 1000 UTF-8 bytes (the adapter counts bytes); images 8 MB,
 * audio/video/PDF 25 MB.
 */
export const INSTAGRAM_CAPABILITIES: ChannelCapabilities = {
  reportsDelivered: false,
  reportsRead: true,
  markSeen: true,
  quoting: true,
  textMaxChars: 1000,
  textMaxBytes: 1000,
  attachments: { maxBytes: 25 * 1024 * 1024, imageMaxBytes: 8 * 1024 * 1024, maxPerMessage: 10 },
  window: "instagram",
  comments: { privateReplyDays: 7, hide: true, delete: true },
};

/**
 * Email (IMAP in, SMTP out): SMTP 250 only means the next hop took it (no delivery or read reports; bounces
 * arrive later as DSN mail and fail the message); no business "seen"; no window; text effectively
 * unlimited; about 25 MB of attachments per mail (Gmail's limit, before base64).
 */
export const EMAIL_CAPABILITIES: ChannelCapabilities = {
  reportsDelivered: false,
  reportsRead: false,
  markSeen: false,
  quoting: false,
  textMaxChars: 1_000_000,
  attachments: { maxBytes: 25 * 1024 * 1024, maxPerMessage: 20 },
  window: "none",
};

/**
 * Website chat widget (Parley's own protocol): "sent" when the server hands the message to the visitor's
 * socket, "delivered" when the widget acknowledges it, "read" when it was on screen in a focused widget; no
 * window; files within the connection's own limit (at most 25 MB).
 */
export const WIDGET_CAPABILITIES: ChannelCapabilities = {
  reportsDelivered: true,
  reportsRead: true,
  markSeen: false,
  quoting: false,
  textMaxChars: 10_000,
  attachments: { maxBytes: 25 * 1024 * 1024, maxPerMessage: 10 },
  window: "none",
};

/**
 * LINE Messaging API: no delivery or read reports for bots (LINE tells a bot nothing after it accepted a
 * message), no business "seen", no messaging window (a reply token for free replies within about a minute,
 * otherwise push messages, which count against the monthly quota); text 5000 characters; images only
 * (10 MB, sent by HTTPS link), up to four with the text in one request of at most five messages.
 */
export const LINE_CAPABILITIES: ChannelCapabilities = {
  reportsDelivered: false,
  reportsRead: false,
  markSeen: false,
  quoting: false,
  textMaxChars: 5000,
  attachments: { maxBytes: 10 * 1024 * 1024, maxPerMessage: 4 },
  window: "none",
};

/**
 * WeChat Official Account (customer-service message API): no delivery or read reports, no business "seen";
 * the 48-hour window after the customer's last message with a limited number of messages in it (the
 * connection's setting, 20 by default), renewed when the customer writes; text 2048 bytes; one image per
 * message (temporary media, 10 MB).
 */
export const WECHAT_CAPABILITIES: ChannelCapabilities = {
  reportsDelivered: false,
  reportsRead: false,
  markSeen: false,
  quoting: false,
  textMaxChars: 2048,
  textMaxBytes: 2048,
  attachments: { maxBytes: 10 * 1024 * 1024, maxPerMessage: 1 },
  window: "wechat",
};

/**
 * SMS through a Twilio-compatible Messages API: status callbacks say sent, delivered (where the carrier
 * reports it), undelivered or failed; no read reports, no "seen", no quotes. A body takes at most 1,600
 * characters (the provider splits it into parts, which the composer counts); files go as MMS by URL (at most
 * 10, 5 MB together, where the number supports MMS). No window, but a recipient who replied STOP is opted
 * out until they reply START.
 */
export const SMS_CAPABILITIES: ChannelCapabilities = {
  reportsDelivered: true,
  reportsRead: false,
  markSeen: false,
  quoting: false,
  textMaxChars: 1600,
  attachments: { maxBytes: 5 * 1024 * 1024, maxPerMessage: 10 },
  window: "sms",
  sms: { warnAboveSegments: 3 },
};

export const CAPABILITIES: Partial<Record<ChannelType, ChannelCapabilities>> = {
  messenger: MESSENGER_CAPABILITIES,
  instagram: INSTAGRAM_CAPABILITIES,
  telegram: TELEGRAM_CAPABILITIES,
  telegram_user: TELEGRAM_USER_CAPABILITIES,
  whatsapp: WHATSAPP_CAPABILITIES,
  viber: VIBER_CAPABILITIES,
  api: API_CHANNEL_CAPABILITIES,
  email: EMAIL_CAPABILITIES,
  widget: WIDGET_CAPABILITIES,
  line: LINE_CAPABILITIES,
  wechat: WECHAT_CAPABILITIES,
  sms: SMS_CAPABILITIES,
};

/** How a channel's text limit was exceeded (the composer and the server say the same). */
export interface TextLimitProblem {
  max: number;
  length: number;
  unit: "characters" | "bytes";
}

/**
 * Whether a text is too long to go to the channel as one message, where the channel does not split long text
 * into several messages: null when it can go. Characters are UTF-16 code units, as the providers count them.
 */
export function textLimitProblem(caps: ChannelCapabilities, text: string): TextLimitProblem | null {
  if (caps.splitsLongText) return null;
  if (text.length > caps.textMaxChars)
    return { max: caps.textMaxChars, length: text.length, unit: "characters" };
  if (caps.textMaxBytes !== undefined) {
    const bytes = new TextEncoder().encode(text).length;
    if (bytes > caps.textMaxBytes) return { max: caps.textMaxBytes, length: bytes, unit: "bytes" };
  }
  return null;
}
