import type { Attachment } from "@parley/protocol";

/**
 * Where an inbound file is fetched from, as the channel knows it: `{ url }` for a link given in the webhook
 * (Viber, Messenger, Instagram), or the provider's own reference the adapter turns into a fresh link on every
 * try (`ChannelAdapter.resolveMedia`: WhatsApp's media id, Telegram's file_id). Plain strings: it is kept in
 * the download job's row. Never a secret (the bot token or access token is added when the link is resolved).
 */
export type MediaSource = Record<string, string>;

/** A file a webhook announced and a background job downloads (see modules/media). */
export interface PendingMedia {
  source: MediaSource;
  /** The channel's download size limit (a bigger file fails with a reason). */
  maxBytes: number;
  /** After this the provider's reference no longer works: the download stops being retried. */
  retryUntil: Date;
}

/** An inbound attachment; `pending` (never stored with the message) asks for the background download. */
export type InboundAttachment = Attachment & { pending?: PendingMedia };

/**
 * The attachment a webhook's message is stored with while its file is downloaded in the background:
 * state "downloading" and no URL yet. The webhook is acknowledged without waiting for the provider's media.
 */
export function pendingAttachment(
  file: { name: string; mimeType: string; size?: number },
  pending: { source: MediaSource; maxBytes: number; retryForMs: number; now: Date },
): InboundAttachment {
  return {
    name: file.name.slice(0, 255),
    mimeType: file.mimeType.slice(0, 255),
    size: file.size ?? 0,
    url: "",
    state: "downloading",
    pending: {
      source: pending.source,
      maxBytes: pending.maxBytes,
      retryUntil: new Date(pending.now.getTime() + pending.retryForMs),
    },
  };
}

/** The attachment as stored with the message and shown to clients: without the download request. */
export function storedAttachment({ pending: _pending, ...attachment }: InboundAttachment): Attachment {
  return attachment;
}
