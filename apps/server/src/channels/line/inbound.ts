import type { Db } from "../../db/client";
import { AppError } from "../../lib/errors";
import {
  type AdapterContext,
  type ConnectionInfo,
  type InboundAttachment,
  type InboundEvent,
  pendingAttachment,
} from "../types";
import { LineEvent, type LineMessage, LineWebhook } from "./payloads";

/** LINE keeps a message's content for a limited time: a download is retried for a day. */
const MEDIA_RETRY_MS = 24 * 3600_000;
/** LINE carries files up to 300 MB (videos and files); Parley stores at most this much. */
const MEDIA_MAX_BYTES = 200 * 1024 * 1024;

/**
 * A verified LINE webhook (CHANNELS.md §8.1) as Parley's events. One-to-one chats only (`source.type:
 * "user"`); group and room events are acknowledged and not stored. `follow` stores the customer (and
 * clears an unsubscription), `unfollow` (the customer blocked the account) is an unsubscription. The reply
 * token of each fresh (not redelivered, not standby) event is kept for the send that answers it.
 */
export async function parseLine(
  raw: Buffer,
  connection: ConnectionInfo,
  ctx: AdapterContext,
): Promise<InboundEvent[]> {
  let json: unknown;
  try {
    json = JSON.parse(raw.toString("utf8"));
  } catch {
    throw new AppError("invalid_json", "The webhook body is not valid JSON.");
  }
  const body = LineWebhook.safeParse(json);
  if (!body.success)
    throw new AppError(
      "validation_failed",
      "The LINE webhook does not match the documented format ({destination, events: [...]}).",
      body.error.issues,
    );
  const out: InboundEvent[] = [];
  const tokens = new Map<string, { token: string; at: Date }>();
  body.data.events.forEach((item, index) => {
    const parsed = LineEvent.safeParse(item);
    if (!parsed.success)
      throw new AppError(
        "validation_failed",
        `LINE webhook event ${index} does not match the documented format.`,
        parsed.error.issues,
      );
    const e = parsed.data;
    const userId = e.source?.type === "user" ? e.source.userId : undefined;
    if (!userId) return;
    const at = new Date(e.timestamp);
    if (e.replyToken && e.mode !== "standby" && !e.deliveryContext?.isRedelivery) {
      const seen = tokens.get(userId);
      if (!seen || seen.at <= at) tokens.set(userId, { token: e.replyToken, at });
    }
    switch (e.type) {
      case "message": {
        if (!e.message)
          throw new AppError("validation_failed", `LINE webhook event ${index} is a message without one.`);
        const { text, attachments } = content(e.message, ctx);
        out.push({
          kind: "message",
          providerMessageId: e.message.id,
          externalContactId: userId,
          contact: {},
          text,
          attachments,
          at,
          subscribes: true,
        });
        return;
      }
      case "follow":
        out.push({ kind: "contact", externalContactId: userId, contact: {}, subscribed: true, at });
        return;
      case "unfollow":
        out.push({ kind: "unsubscribed", externalContactId: userId, at });
        return;
      default:
        return;
    }
  });
  if (tokens.size > 0) await rememberReplyTokens(ctx.db, connection.id, tokens);
  return out;
}

/** Keeps each customer's newest reply token (an older event's token never replaces a newer one). */
async function rememberReplyTokens(
  db: Db,
  connectionId: string,
  tokens: Map<string, { token: string; at: Date }>,
) {
  const users = [...tokens.keys()];
  await db.query(
    `insert into line_reply_tokens (connection_id, user_id, reply_token, received_at)
     select $1, u, t, a from unnest($2::text[], $3::text[], $4::timestamptz[]) as x(u, t, a)
     on conflict (connection_id, user_id) do update set reply_token = excluded.reply_token,
       received_at = excluded.received_at, used_at = null
     where line_reply_tokens.received_at < excluded.received_at`,
    [
      connectionId,
      users,
      users.map((u) => tokens.get(u)!.token),
      users.map((u) => tokens.get(u)!.at.toISOString()),
    ],
  );
}

const MEDIA: Record<string, { name: string; mimeType: string }> = {
  image: { name: "image.jpg", mimeType: "image/jpeg" },
  video: { name: "video.mp4", mimeType: "video/mp4" },
  audio: { name: "audio.m4a", mimeType: "audio/mp4" },
  file: { name: "file", mimeType: "application/octet-stream" },
};

/** Text and files of an inbound LINE message; files are downloaded by a background job. */
function content(
  m: LineMessage,
  ctx: AdapterContext,
): { text: string | null; attachments: InboundAttachment[] } {
  const media = MEDIA[m.type];
  if (media) {
    // Content LINE keeps is fetched from the api-data host by message id; an external provider's by its link.
    const external =
      m.contentProvider?.type === "external" ? m.contentProvider.originalContentUrl : undefined;
    const attachment = pendingAttachment(
      {
        name: m.fileName?.trim() || media.name,
        mimeType: media.mimeType,
        ...(typeof m.fileSize === "number" ? { size: m.fileSize } : {}),
      },
      {
        source: external ? { url: external } : { messageId: m.id },
        maxBytes: MEDIA_MAX_BYTES,
        retryForMs: MEDIA_RETRY_MS,
        now: ctx.now(),
      },
    );
    return { text: null, attachments: [attachment] };
  }
  switch (m.type) {
    case "text":
      return { text: m.text ?? "", attachments: [] };
    case "sticker":
      return { text: `[Sticker ${m.packageId ?? "?"}/${m.stickerId ?? "?"}]`, attachments: [] };
    case "location": {
      const where = [m.title, m.address].filter((p) => p?.trim()).join(", ");
      return {
        text: `[Location] ${where ? `${where} ` : ""}${m.latitude}, ${m.longitude} https://maps.google.com/?q=${m.latitude},${m.longitude}`,
        attachments: [],
      };
    }
    default:
      return { text: `[Unsupported LINE message type: ${m.type.slice(0, 50)}]`, attachments: [] };
  }
}
