import { AppError } from "../../lib/errors";
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
import { graphReach, sendErrorOf, statusFailure, unreachable } from "./client";
import {
  MediaInfo,
  WaChangeValue,
  type WaMedia,
  type WaMessage,
  WaWebhookBody,
  type WhatsAppCredentials,
} from "./payloads";

type Conn = { credentials: WhatsAppCredentials };

const EXT: Record<string, string> = {
  "image/jpeg": "jpg",
  "image/png": "png",
  "image/webp": "webp",
  "video/mp4": "mp4",
  "video/3gpp": "3gp",
  "audio/ogg": "ogg",
  "audio/mpeg": "mp3",
  "audio/mp4": "m4a",
  "audio/aac": "aac",
  "audio/amr": "amr",
  "application/pdf": "pdf",
};
export const baseMime = (m: string | undefined) => m?.split(";")[0]?.trim().toLowerCase() || undefined;

/** WhatsApp's Unix-seconds string timestamps. */
function timeOf(ts: string | undefined, fallback: Date): Date {
  const n = Number(ts);
  return ts && Number.isFinite(n) && n > 0 ? new Date(n * 1000) : fallback;
}

/** WhatsApp keeps a customer's media for 30 days; Parley retries its download for a day. */
const MEDIA_RETRY_MS = 24 * 60 * 60_000;
/** The largest file WhatsApp carries (documents, 100 MB). */
const MEDIA_MAX_BYTES = 100 * 1024 * 1024;

/** The file a media message carries, to be downloaded in the background by its media id. */
function pendingMedia(
  kind: "image" | "video" | "audio" | "document",
  media: WaMedia,
  ctx: AdapterContext,
): InboundAttachment {
  const mimeType = baseMime(media.mime_type);
  const ext = (mimeType && EXT[mimeType]) || "bin";
  const name =
    media.filename?.trim().slice(0, 255) ||
    `${kind === "audio" && media.voice ? "voice-message" : kind}.${ext}`;
  return pendingAttachment(
    { name, mimeType: mimeType ?? "application/octet-stream" },
    { source: { mediaId: media.id }, maxBytes: MEDIA_MAX_BYTES, retryForMs: MEDIA_RETRY_MS, now: ctx.now() },
  );
}

/**
 * Looks a media id up for a fresh URL (it lives about 5 minutes, so every try asks again) and gives the
 * download with the same Bearer token.
 */
export async function resolveWhatsAppMedia(
  conn: Conn,
  source: MediaSource,
  ctx: AdapterContext,
): Promise<DownloadRequest> {
  const { phoneNumberId, accessToken } = conn.credentials;
  const mediaId = source.mediaId;
  if (!mediaId) throw new ChannelSendError("provider_error", "The file has no WhatsApp media id.", false);
  const r = await graphReach(
    ctx,
    accessToken,
    "GET",
    `${encodeURIComponent(mediaId)}?phone_number_id=${encodeURIComponent(phoneNumberId)}`,
    unreachable,
  );
  if (!r.ok) throw sendErrorOf(r);
  const parsed = MediaInfo.safeParse(r.json);
  if (!parsed.success)
    throw new ChannelSendError("provider_error", "WhatsApp's media lookup did not return a URL.", true);
  const mimeType = baseMime(parsed.data.mime_type);
  return {
    url: parsed.data.url,
    headers: { authorization: `Bearer ${accessToken}` },
    ...(mimeType ? { mimeType } : {}),
  };
}

/** A readable line for message types Parley does not store as such (locations, contact cards, ...). */
function fallbackText(m: WaMessage): string {
  switch (m.type) {
    case "sticker":
      return "[Sticker]";
    case "location": {
      const l = m.location ?? {};
      const place = [l.name, l.address].filter(Boolean).join(", ");
      const where =
        l.latitude !== undefined && l.longitude !== undefined
          ? `https://maps.google.com/?q=${l.latitude},${l.longitude}`
          : "";
      return `[Location] ${[place, where].filter(Boolean).join(" ")}`.trim();
    }
    case "contacts": {
      const cards = (m.contacts ?? []).map((c) => {
        const phones = (c.phones ?? []).map((p) => p.phone).filter(Boolean);
        const emails = (c.emails ?? []).map((e) => e.email).filter(Boolean);
        return [c.name?.formatted_name ?? "Unnamed", ...phones, ...emails].join(", ");
      });
      return `[Contact card] ${cards.join("; ") || "(empty)"}`;
    }
    case "interactive":
      return m.interactive?.button_reply?.title ?? m.interactive?.list_reply?.title ?? "[Interactive reply]";
    case "button":
      return m.button?.text ?? "[Button reply]";
    case "reaction":
      return m.reaction?.emoji ? `[Reaction ${m.reaction.emoji}]` : "[Reaction removed]";
    case "system":
      return `[System] ${m.system?.body ?? ""}`.trim();
    case "order":
      return "[Order] The customer sent an order from the catalogue.";
    case "unsupported":
      return `[Unsupported WhatsApp message${m.errors?.[0]?.title ? `: ${m.errors[0].title}` : ""}]`;
    default:
      return `[Unsupported WhatsApp message type: ${m.type}]`;
  }
}

async function messageEvent(
  m: WaMessage,
  externalContactId: string,
  contact: Extract<InboundEvent, { kind: "message" }>["contact"],
  ctx: AdapterContext,
  received: Date,
  echo: boolean,
): Promise<Extract<InboundEvent, { kind: "message" }>> {
  let text: string | null = null;
  const attachments: InboundAttachment[] = [];
  let quoted = m.context?.id ?? null;
  switch (m.type) {
    case "text":
      text = m.text?.body ?? "";
      break;
    case "image":
    case "video":
    case "audio":
    case "document": {
      const media = m[m.type];
      if (media) {
        attachments.push(pendingMedia(m.type, media, ctx));
        text = media.caption ?? null;
      } else text = fallbackText(m);
      break;
    }
    case "reaction":
      text = fallbackText(m);
      quoted = m.reaction?.message_id ?? quoted;
      break;
    default:
      text = fallbackText(m);
  }
  return {
    kind: "message",
    providerMessageId: m.id,
    externalContactId,
    contact,
    text,
    attachments,
    quotedProviderMessageId: quoted,
    at: timeOf(m.timestamp, received),
    ...(echo ? { echo: true } : {}),
    source: { channel: "whatsapp", type: m.type },
  };
}

/** The events of a verified webhook: messages (media fetched at once), echoes, statuses and account errors. */
export async function parseWhatsAppWebhook(
  raw: Buffer,
  connection: Conn,
  ctx: AdapterContext,
): Promise<InboundEvent[]> {
  const body = parseWebhookJson(raw, WaWebhookBody, "The webhook body is not a WhatsApp webhook.");
  if (body.object !== "whatsapp_business_account") return [];
  const received = ctx.now();
  const events: InboundEvent[] = [];
  for (const entry of body.entry) {
    for (const change of entry.changes) {
      if (change.field !== "messages" && change.field !== "smb_message_echoes") continue;
      const value = WaChangeValue.safeParse(change.value);
      if (!value.success)
        throw new AppError(
          "validation_failed",
          "A WhatsApp webhook change could not be read.",
          value.error.issues,
        );
      const v = value.data;
      // One Meta app sends every number's events to its callback: only this connection's number counts.
      const pnid = v.metadata?.phone_number_id;
      if (pnid !== undefined && pnid !== connection.credentials.phoneNumberId) continue;
      const names = new Map(
        (v.contacts ?? []).flatMap((c) => (c.wa_id ? [[c.wa_id, c.profile?.name ?? null] as const] : [])),
      );
      const contactOf = (waId: string) => ({
        name: names.get(waId) ?? null,
        phone: /^\d{6,15}$/.test(waId) ? `+${waId}` : null,
      });
      for (const m of v.messages ?? []) {
        const event = await messageEvent(m, m.from, contactOf(m.from), ctx, received, false);
        // contacts[].profile.name is the customer's current WhatsApp name: a change is applied.
        events.push(names.get(m.from) ? { ...event, profile: true } : event);
      }
      for (const m of v.message_echoes ?? [])
        events.push(await messageEvent(m, m.to, contactOf(m.to), ctx, received, true));
      for (const s of v.statuses ?? []) {
        const at = timeOf(s.timestamp, received);
        if (s.status === "sent" || s.status === "delivered" || s.status === "read")
          events.push({ kind: "status", providerMessageId: s.id, state: s.status, at });
        else if (s.status === "failed")
          events.push({
            kind: "status",
            providerMessageId: s.id,
            state: "failed",
            at,
            ...statusFailure(s.errors),
          });
        // Other statuses ("deleted", "warning", ...) carry nothing for the delivery state.
      }
      // Account- or number-level problems (payment, account locked, temporarily blocked, pair rate
      // limit...): about no single message; recorded in the connection's health, admins are told.
      for (const e of v.errors ?? []) {
        const detail = [e.message, e.error_data?.details]
          .filter((x, i, all): x is string => !!x?.trim() && all.indexOf(x) === i && x !== e.title)
          .join(" — ");
        events.push({
          kind: "account_error",
          code: e.code !== undefined ? String(e.code) : "unknown",
          title: e.title?.trim() || "WhatsApp reported an error",
          detail: detail || null,
          at: timeOf(e.timestamp === undefined ? undefined : String(e.timestamp), received),
        });
      }
    }
  }
  return events;
}
