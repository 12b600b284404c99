import { AppError } from "../../lib/errors";
import {
  type AdapterContext,
  type ConnectionInfo,
  type InboundAttachment,
  type InboundEvent,
  pendingAttachment,
} from "../types";
import { decryptWechat, readWechatXml } from "./crypto";
import type { WechatCredentials } from "./payloads";
import { WechatXmlMessage } from "./payloads";

/** Temporary media lives three days at WeChat: a download is retried for a day. */
const MEDIA_RETRY_MS = 24 * 3600_000;
const MEDIA_MAX_BYTES = 20 * 1024 * 1024;

const MEDIA: Record<string, { name: string; mimeType: string }> = {
  image: { name: "image.jpg", mimeType: "image/jpeg" },
  voice: { name: "voice.amr", mimeType: "audio/amr" },
  video: { name: "video.mp4", mimeType: "video/mp4" },
  shortvideo: { name: "video.mp4", mimeType: "video/mp4" },
};

/**
 * A verified WeChat push (CHANNELS.md §8.2) as Parley's events: the plain XML, or in safe mode the XML inside
 * `<Encrypt>`, decrypted with the connection's EncodingAESKey. Messages are keyed by MsgId (kept as a string:
 * 64-bit); `subscribe` stores the follower, `unsubscribe` is an unsubscription; other events are acknowledged.
 */
export function parseWechat(
  raw: Buffer,
  connection: ConnectionInfo<WechatCredentials>,
  ctx: AdapterContext,
): InboundEvent[] {
  let xml = readWechatXml(raw);
  if (typeof xml.Encrypt === "string" && xml.MsgType === undefined) {
    const key = connection.credentials.encodingAesKey;
    if (!key)
      throw new AppError(
        "validation_failed",
        "WeChat sent an encrypted message, but the connection has no EncodingAESKey: add it to the connection.",
      );
    xml = readWechatXml(decryptWechat(key, connection.credentials.appId, xml.Encrypt));
  }
  const parsed = WechatXmlMessage.safeParse(xml);
  if (!parsed.success)
    throw new AppError(
      "validation_failed",
      "The WeChat message does not match the documented format.",
      parsed.error.issues,
    );
  const m = parsed.data;
  const at = new Date(Number(m.CreateTime) * 1000);
  const openId = m.FromUserName;
  if (m.MsgType === "event") {
    if (m.Event === "subscribe")
      return [{ kind: "contact", externalContactId: openId, contact: {}, subscribed: true, at }];
    if (m.Event === "unsubscribe") return [{ kind: "unsubscribed", externalContactId: openId, at }];
    return [];
  }
  if (!m.MsgId) throw new AppError("validation_failed", `The WeChat ${m.MsgType} message has no MsgId.`);
  const { text, attachments } = content(m, ctx);
  return [
    {
      kind: "message",
      providerMessageId: m.MsgId,
      externalContactId: openId,
      contact: {},
      text,
      attachments,
      at,
      subscribes: true,
    },
  ];
}

function content(
  m: WechatXmlMessage,
  ctx: AdapterContext,
): { text: string | null; attachments: InboundAttachment[] } {
  const media = MEDIA[m.MsgType];
  if (media) {
    if (!m.MediaId) return { text: `[${m.MsgType} without MediaId]`, attachments: [] };
    const format = m.MsgType === "voice" && m.Format ? m.Format.toLowerCase() : null;
    return {
      // A voice message's transcript, when speech recognition is on.
      text: m.Recognition?.trim() || null,
      attachments: [
        pendingAttachment(
          {
            name: format ? `voice.${format}` : media.name,
            mimeType: format ? `audio/${format}` : media.mimeType,
          },
          {
            source: { mediaId: m.MediaId },
            maxBytes: MEDIA_MAX_BYTES,
            retryForMs: MEDIA_RETRY_MS,
            now: ctx.now(),
          },
        ),
      ],
    };
  }
  switch (m.MsgType) {
    case "text":
      return { text: m.Content ?? "", attachments: [] };
    case "location":
      return {
        text: `[Location] ${m.Label ? `${m.Label} ` : ""}${m.Location_X}, ${m.Location_Y} https://maps.google.com/?q=${m.Location_X},${m.Location_Y}`,
        attachments: [],
      };
    case "link":
      return {
        text: [m.Title, m.Description, m.Url].filter((p) => p?.trim()).join("\n") || "[Link]",
        attachments: [],
      };
    default:
      return { text: `[Unsupported WeChat message type: ${m.MsgType.slice(0, 50)}]`, attachments: [] };
  }
}
