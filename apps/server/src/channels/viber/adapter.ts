import { type Attachment, VIBER_CAPABILITIES } from "@parley/protocol";
import type { z } from "zod";
import { hmacSha256Hex, safeEqual } from "../../lib/crypto";
import { AppError } from "../../lib/errors";
import { listIssues, parseCredentials } from "../form-fields";
import { sendInParts } from "../parts";
import {
  type AdapterContext,
  type ChannelAdapter,
  ChannelSendError,
  ChannelSetupError,
  type InboundAttachment,
  pendingAttachment,
} from "../types";
import { webhookUrl } from "../webhook-url";
import { callViber, sendError, ViberHttpError, viberWords } from "./client";
import {
  EVENT_TYPES,
  parseViberJson,
  type ViberCredentials,
  ViberCredentialsInput,
  type ViberMessage,
  ViberMessageEvent,
  ViberReceiptEvent,
  type ViberSendBody,
  ViberSettings,
  ViberUnsubscribedEvent,
  ViberUserEvent,
} from "./payloads";

export const SIGNATURE_HEADER = "x-viber-content-signature";
export const MIN_API_VERSION = 1;

const TEXT_MAX = VIBER_CAPABILITIES.textMaxChars;
const CAPTION_MAX = 768;
const PICTURE_MAX_BYTES = 1024 * 1024;
const PICTURE_TYPES = new Set(["image/jpeg", "image/png", "image/gif"]);

/** Viber's signature: lowercase hex HMAC-SHA256 of the raw body keyed with the bot's auth token. */
export function viberSignature(authToken: string, raw: string | Buffer): string {
  return hmacSha256Hex(authToken, raw);
}

/**
 * The Viber REST Bot API. Activation registers the connection's webhook with /pa/set_webhook (Viber probes
 * it at once with `event:"webhook"`); callbacks are signed with X-Viber-Content-Signature; replies go to
 * /pa/send_message. Message tokens are 64-bit integers: parsed and stored as exact digit strings.
 */
/** A Viber callback read with its documented schema; one that does not match is refused, naming the event. */
function callback<T>(schema: z.ZodType<T>, json: unknown, event: unknown): T {
  const parsed = schema.safeParse(json);
  if (!parsed.success)
    throw new AppError(
      "validation_failed",
      `The Viber ${String(event)} callback does not match the documented format.`,
      parsed.error.issues,
    );
  return parsed.data;
}

export const viberChannel: ChannelAdapter<ViberCredentials, ViberSettings> = {
  type: "viber",
  capabilities: VIBER_CAPABILITIES,
  settingsSchema: ViberSettings,
  credentialsSchema: ViberCredentialsInput,
  createCredentials: (input) => parseCredentials(ViberCredentialsInput, input, listIssues("Viber")),

  revealOnCreate: (_credentials, connectionId, publicUrl) => ({
    webhookUrl: webhookUrl(publicUrl, "viber", connectionId),
  }),

  verify(raw, headers, credentials) {
    const header = headers[SIGNATURE_HEADER];
    if (typeof header !== "string" || header.length === 0) return false;
    return safeEqual(header.trim().toLowerCase(), viberSignature(credentials.authToken, raw));
  },

  async activate(connection, ctx) {
    let r: Awaited<ReturnType<typeof callViber>>;
    try {
      r = await callViber(
        ctx.endpoints.viberApiBase,
        "set_webhook",
        connection.credentials.authToken,
        { url: ctx.webhookUrl, event_types: EVENT_TYPES, send_name: true, send_photo: true },
        ctx.timeoutMs,
      );
    } catch (err) {
      throw new ChannelSetupError(
        `Could not register the webhook with Viber: ${(err as Error).message}`.slice(0, 1000),
      );
    }
    if (r.status !== 0) {
      const words = viberWords(r).replace(/^Viber refused the message/, "Viber refused the webhook");
      const hint =
        r.status === 2
          ? " Check the bot's auth token."
          : r.status === 1
            ? " Viber could not reach Parley's webhook URL: PUBLIC_URL must be a public https address."
            : "";
      throw new ChannelSetupError(`${words}.${hint}`);
    }
  },

  async parse(raw, _connection, ctx) {
    let json: unknown;
    try {
      json = parseViberJson(raw.toString("utf8"));
    } catch {
      throw new AppError("invalid_json", "The webhook body is not valid JSON.");
    }
    const event = json && typeof json === "object" ? (json as { event?: unknown }).event : undefined;
    switch (event) {
      case "message": {
        const e = callback(ViberMessageEvent, json, event);
        const { text, attachments } = await inboundContent(e.message, ctx);
        return [
          {
            kind: "message",
            providerMessageId: e.message_token,
            externalContactId: e.sender.id,
            contact: { name: e.sender.name ?? null },
            text,
            attachments,
            at: new Date(e.timestamp),
            // sender.name is the user's current Viber name; writing subscribes them (Viber sends no
            // `subscribed` for it).
            profile: !!e.sender.name,
            subscribes: true,
            // The account's language: a new conversation keeps it (automation rules' language condition).
            ...(e.sender.language ? { source: { language: e.sender.language.slice(0, 35) } } : {}),
          },
        ];
      }
      // A subscriber who never wrote must still be reachable: Viber lists no subscribers, so they are
      // stored now (contact and identity; the conversation starts when someone writes).
      case "subscribed":
      case "conversation_started": {
        const e = callback(ViberUserEvent, json, event);
        const subscribed = e.event === "subscribed" || e.subscribed === true;
        return [
          {
            kind: "contact",
            externalContactId: e.user.id,
            contact: { name: e.user.name ?? null, avatarUrl: e.user.avatar ?? null },
            subscribed,
            ...(e.event === "conversation_started" && !subscribed ? { greet: true } : {}),
            at: new Date(e.timestamp),
          },
        ];
      }
      case "unsubscribed": {
        const e = callback(ViberUnsubscribedEvent, json, event);
        return [
          {
            kind: "unsubscribed",
            externalContactId: e.user_id,
            at: new Date(e.timestamp),
          },
        ];
      }
      case "delivered":
      case "seen":
      case "failed": {
        const e = callback(ViberReceiptEvent, json, event);
        const at = new Date(e.timestamp);
        if (e.event === "failed")
          return [
            {
              kind: "status",
              providerMessageId: e.message_token,
              state: "failed",
              at,
              reason: "provider_error",
              detail: `Viber could not deliver the message: ${e.desc?.trim() || "no reason given"}`.slice(
                0,
                1000,
              ),
            },
          ];
        return [
          {
            kind: "status",
            providerMessageId: e.message_token,
            state: e.event === "seen" ? "read" : "delivered",
            at,
          },
        ];
      }
      // The set_webhook probe carries nothing to store: answered 200. Unknown events are ignored the same way.
      default:
        return [];
    }
  },

  /**
   * Viber takes one welcome message in the answer to `conversation_started` (free; the user is not
   * subscribed yet, so it cannot be sent with send_message): the connection's `welcomeMessage`, if any.
   */
  answer(events, connection) {
    const welcome = connection.settings.welcomeMessage?.trim();
    if (!welcome || !events.some((e) => e.kind === "contact" && e.greet)) return null;
    const { senderName, senderAvatar } = connection.credentials;
    return {
      sender: { name: senderName, ...(senderAvatar ? { avatar: senderAvatar } : {}) },
      min_api_version: MIN_API_VERSION,
      type: "text",
      text: welcome,
    };
  },

  async send(connection, message, ctx) {
    const { credentials } = connection;
    const text = message.text?.trim() ? message.text : null;
    if (text && text.length > TEXT_MAX)
      throw new ChannelSendError(
        "too_long",
        `The text has ${text.length} characters; Viber takes at most ${TEXT_MAX}.`,
        false,
      );
    const base: Omit<ViberSendBody, "type"> = {
      receiver: message.externalContactId,
      min_api_version: MIN_API_VERSION,
      sender: {
        name: credentials.senderName,
        ...(credentials.senderAvatar ? { avatar: credentials.senderAvatar } : {}),
      },
      tracking_data: message.conversationId,
    };
    const bodies = outboundBodies(base, text, message.attachments, ctx);
    if (bodies.length === 0)
      throw new ChannelSendError("provider_error", "The message has neither text nor attachments.", false);
    // One Viber message per part; the last part's token stands for the whole (its "seen" means all were).
    const tokens = await sendInParts(message, bodies.length, async (i) => {
      let r: Awaited<ReturnType<typeof callViber>>;
      try {
        r = await callViber(
          ctx.endpoints.viberApiBase,
          "send_message",
          credentials.authToken,
          bodies[i]!,
          ctx.timeoutMs,
        );
      } catch (err) {
        if (err instanceof ViberHttpError)
          throw new ChannelSendError("provider_error", err.message, err.retryable, err.retryAfterMs);
        throw err;
      }
      if (r.status !== 0) throw sendError(r);
      if (!r.message_token)
        throw new ChannelSendError("provider_error", "Viber accepted the message without a token.", false);
      return r.message_token;
    });
    return { providerMessageId: tokens.at(-1)! };
  },
};

/** Viber's media links are short-lived: a download is retried for an hour. */
const MEDIA_RETRY_MS = 60 * 60_000;
/** Viber carries files up to 200 MB. */
const MEDIA_MAX_BYTES = 200 * 1024 * 1024;

/** Text and media of an inbound Viber message; media is downloaded by a background job, by its link. */
async function inboundContent(
  m: ViberMessage,
  ctx: AdapterContext,
): Promise<{ text: string | null; attachments: InboundAttachment[] }> {
  const caption = m.text?.trim() ? m.text : null;
  const download = async (fallbackName: string, mimeType: string) =>
    m.media
      ? [
          pendingAttachment(
            {
              name: m.file_name?.trim() || fallbackName,
              mimeType,
              ...(typeof m.size === "number" ? { size: m.size } : {}),
            },
            {
              source: { url: m.media },
              maxBytes: MEDIA_MAX_BYTES,
              retryForMs: MEDIA_RETRY_MS,
              now: ctx.now(),
            },
          ),
        ]
      : [];
  switch (m.type) {
    case "text":
      return { text: m.text ?? "", attachments: [] };
    case "picture":
      return { text: caption, attachments: await download("picture.jpg", "image/jpeg") };
    case "video":
      return { text: caption, attachments: await download("video.mp4", "video/mp4") };
    case "file":
      return { text: caption, attachments: await download("file", "application/octet-stream") };
    case "sticker":
      return { text: `[Sticker${m.sticker_id != null ? ` ${m.sticker_id}` : ""}]`, attachments: [] };
    case "location": {
      if (!m.location) return { text: "[Location]", attachments: [] };
      const { lat, lon, address } = m.location;
      return {
        text: `[Location] ${address ? `${address} ` : ""}${lat}, ${lon} https://maps.google.com/?q=${lat},${lon}`,
        attachments: [],
      };
    }
    case "contact": {
      const parts = [m.contact?.name, m.contact?.phone_number].filter((p) => p?.trim());
      return { text: `[Contact] ${parts.join(", ") || "(empty)"}`, attachments: [] };
    }
    case "url":
      return { text: m.media ?? m.text ?? "[Link]", attachments: [] };
    default:
      return {
        text: caption ?? `[Unsupported Viber message type: ${m.type.slice(0, 50)}]`,
        attachments: [],
      };
  }
}

/**
 * The send_message bodies for one Parley message. Media goes by URL (Viber fetches it): Parley's own
 * `/api/files/<id>` paths are made absolute with the public URL. A single small JPEG/PNG/GIF carries the text
 * as its caption (≤ 768); otherwise the text goes first and each file follows as its own message.
 */
function outboundBodies(
  base: Omit<ViberSendBody, "type">,
  text: string | null,
  attachments: Attachment[],
  ctx: AdapterContext,
): ViberSendBody[] {
  // Parley's own files by a signed link Viber can fetch without a session.
  const absolute = (url: string) => ctx.fileUrl(url);
  const isPicture = (a: Attachment) =>
    PICTURE_TYPES.has(a.mimeType.toLowerCase()) && a.size > 0 && a.size <= PICTURE_MAX_BYTES;
  const media: ViberSendBody[] = attachments.map((a) => {
    if (!a.url || a.error)
      throw new ChannelSendError(
        "attachment_rejected",
        `The attachment "${a.name}" has no stored file to send.`,
        false,
      );
    if (isPicture(a)) return { ...base, type: "picture", media: absolute(a.url), text: "" };
    if (a.mimeType.toLowerCase() === "video/mp4")
      return { ...base, type: "video", media: absolute(a.url), size: a.size };
    return { ...base, type: "file", media: absolute(a.url), size: a.size, file_name: a.name.slice(0, 256) };
  });
  const only = media.length === 1 ? media[0] : undefined;
  if (text && only?.type === "picture" && text.length <= CAPTION_MAX) {
    only.text = text;
    return [only];
  }
  return [...(text ? [{ ...base, type: "text" as const, text }] : []), ...media];
}
