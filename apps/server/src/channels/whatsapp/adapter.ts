import type { Attachment } from "@parley/protocol";
import { WHATSAPP_CAPABILITIES } from "@parley/protocol";
import { randomToken } from "../../lib/crypto";
import { AppError } from "../../lib/errors";
import { parseCredentials } from "../form-fields";
import { parseWebhookJson } from "../payload";
import {
  type AdapterContext,
  type ChannelAdapter,
  ChannelSendError,
  ChannelSetupError,
  type InboundEvent,
  type OutgoingTemplate,
  type ProviderTemplate,
} from "../types";
import { webhookUrl } from "../webhook-url";
import {
  graphFetch,
  SIGNATURE_HEADER,
  sameSecret,
  sendErrorOf,
  statusFailure,
  verifyGraphSignature,
} from "./client";
import {
  MediaInfo,
  SendResponse,
  WaChangeValue,
  type WaMedia,
  type WaMessage,
  type WaPart,
  WaTemplate,
  WaTemplatePage,
  WaWebhookBody,
  type WhatsAppCredentials,
  WhatsAppCredentialsInput,
  WhatsAppSettings,
} from "./payloads";

export const WHATSAPP_TEXT_MAX = 4096;
export const WHATSAPP_CAPTION_MAX = 1024;

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
const baseMime = (m: string | undefined) => m?.split(";")[0]?.trim().toLowerCase() || undefined;

/** WhatsApp's Unix-seconds string timestamps. */
function timeOf(ts: string | undefined, fallback: Date): Date {
  const n = Number(ts);
  return ts && Number.isFinite(n) && n > 0 ? new Date(n * 1000) : fallback;
}

/** Looks a media id up (its URL lives about 5 minutes) and downloads it with the same Bearer token. */
async function fetchMedia(
  kind: "image" | "video" | "audio" | "document",
  media: WaMedia,
  conn: Conn,
  ctx: AdapterContext,
): Promise<Attachment> {
  const mimeType = baseMime(media.mime_type);
  const ext = (mimeType && EXT[mimeType]) || "bin";
  const name =
    media.filename?.trim().slice(0, 255) ||
    `${kind === "audio" && media.voice ? "voice-message" : kind}.${ext}`;
  const failed = (why: string): Attachment => ({
    name,
    mimeType: mimeType ?? "application/octet-stream",
    size: 0,
    url: "",
    error: `Could not fetch the file from WhatsApp: ${why}`.slice(0, 500),
  });
  const { phoneNumberId, accessToken } = conn.credentials;
  let info: ReturnType<typeof MediaInfo.parse>;
  try {
    const r = await graphFetch(
      ctx,
      accessToken,
      "GET",
      `${encodeURIComponent(media.id)}?phone_number_id=${encodeURIComponent(phoneNumberId)}`,
    );
    if (!r.ok) return failed(sendErrorOf(r).detail);
    const parsed = MediaInfo.safeParse(r.json);
    if (!parsed.success) return failed("the media lookup did not return a URL");
    info = parsed.data;
  } catch (err) {
    return failed((err as Error).message);
  }
  return ctx.download({
    url: info.url,
    headers: { authorization: `Bearer ${accessToken}` },
    name,
    ...(mimeType || info.mime_type ? { mimeType: (mimeType ?? baseMime(info.mime_type))! } : {}),
  });
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
  conn: Conn,
  ctx: AdapterContext,
  received: Date,
  echo: boolean,
): Promise<Extract<InboundEvent, { kind: "message" }>> {
  let text: string | null = null;
  const attachments: Attachment[] = [];
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
        attachments.push(await fetchMedia(m.type, media, conn, ctx));
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

function credentialsOf(input: unknown): WhatsAppCredentials {
  const data = parseCredentials(
    WhatsAppCredentialsInput,
    input,
    (issues) =>
      `A WhatsApp connection needs phoneNumberId, accessToken and appSecret (verifyToken and businessAccountId are optional). ${issues.map((i) => `${i.path.join(".") || "credentials"}: ${i.message}`).join("; ")}`,
  );
  return { ...data, verifyToken: data.verifyToken ?? randomToken(24) };
}

async function postMessage(conn: Conn, body: object, ctx: AdapterContext): Promise<unknown> {
  let r: Awaited<ReturnType<typeof graphFetch>>;
  try {
    r = await graphFetch(
      ctx,
      conn.credentials.accessToken,
      "POST",
      `${encodeURIComponent(conn.credentials.phoneNumberId)}/messages`,
      body,
    );
  } catch (err) {
    throw new ChannelSendError("provider_error", `Could not reach WhatsApp: ${(err as Error).message}`, true);
  }
  if (!r.ok) throw sendErrorOf(r);
  return r.json;
}

/** One outgoing WhatsApp message per attachment (a media message carries one file and a caption). */
function buildParts(message: Parameters<ChannelAdapter["send"]>[1], ctx: AdapterContext): WaPart[] {
  const parts: WaPart[] = [];
  const text = message.text?.trim() ? message.text : null;
  let captionUsed = false;
  for (const a of message.attachments) {
    if (a.error || !a.url)
      throw new ChannelSendError(
        "attachment_rejected",
        `The file "${a.name}" has no stored copy to send.`,
        false,
      );
    // Parley's own files are given to WhatsApp by a signed link it can fetch without a session.
    const link = ctx.fileUrl(a.url);
    const mime = baseMime(a.mimeType) ?? "";
    const kind = mime.startsWith("image/")
      ? "image"
      : mime.startsWith("video/")
        ? "video"
        : mime.startsWith("audio/")
          ? "audio"
          : "document";
    const caption =
      !captionUsed && kind !== "audio" && text && text.length <= WHATSAPP_CAPTION_MAX ? text : undefined;
    if (caption) captionUsed = true;
    if (kind === "audio") parts.push({ type: "audio", audio: { link } });
    else if (kind === "document")
      parts.push({
        type: "document",
        document: { link, filename: a.name, ...(caption ? { caption } : {}) },
      });
    else {
      const media = { link, ...(caption ? { caption } : {}) };
      parts.push(kind === "image" ? { type: "image", image: media } : { type: "video", video: media });
    }
  }
  if (text && !captionUsed)
    parts.unshift({ type: "text", text: { body: text, preview_url: /https?:\/\/\S/.test(text) } });
  return parts;
}

/** The `template` object of a template send: name, language and the placeholder values per component. */
function templatePayload(t: OutgoingTemplate) {
  const components = t.components.map((c) => ({
    type: c.type,
    ...(c.type === "button" ? { sub_type: c.subType ?? "url", index: String(c.index ?? 0) } : {}),
    parameters: c.parameters.map((p) => ({
      type: "text",
      ...(p.name ? { parameter_name: p.name } : {}),
      text: p.text,
    })),
  }));
  return { name: t.name, language: { code: t.language }, ...(components.length ? { components } : {}) };
}

const TEMPLATE_STATUS: Record<string, ProviderTemplate["status"]> = {
  APPROVED: "APPROVED",
  PENDING: "PENDING",
  IN_APPEAL: "PENDING",
  REJECTED: "REJECTED",
  PAUSED: "PAUSED",
};

/** Every template of the business account, following Graph's cursor paging. */
async function listTemplates(conn: Conn, ctx: AdapterContext): Promise<ProviderTemplate[]> {
  const { businessAccountId, accessToken } = conn.credentials;
  if (!businessAccountId)
    throw new ChannelSetupError(
      "Add the WhatsApp Business Account id (businessAccountId) to the connection's credentials to sync its message templates.",
    );
  const out: ProviderTemplate[] = [];
  let after: string | undefined;
  for (let page = 0; page < 200; page++) {
    const q = new URLSearchParams({
      fields: "id,name,language,status,category,components",
      limit: "100",
      ...(after ? { after } : {}),
    });
    let r: Awaited<ReturnType<typeof graphFetch>>;
    try {
      r = await graphFetch(
        ctx,
        accessToken,
        "GET",
        `${encodeURIComponent(businessAccountId)}/message_templates?${q}`,
      );
    } catch (err) {
      throw new ChannelSendError(
        "provider_error",
        `Could not reach WhatsApp: ${(err as Error).message}`,
        true,
      );
    }
    if (!r.ok) {
      const e = sendErrorOf(r);
      if (e.retryable) throw e;
      throw new ChannelSetupError(
        `WhatsApp refused to list the templates of business account ${businessAccountId}. ${e.detail}`,
      );
    }
    const parsed = WaTemplatePage.safeParse(r.json);
    if (!parsed.success)
      throw new ChannelSendError("provider_error", "WhatsApp's list of templates could not be read.", false);
    for (const item of parsed.data.data) {
      const t = WaTemplate.safeParse(item);
      if (!t.success) continue; // a shape Parley does not know: skipped rather than failing the sync
      out.push({
        providerId: t.data.id ?? null,
        name: t.data.name,
        language: t.data.language,
        category: t.data.category ?? null,
        status: TEMPLATE_STATUS[t.data.status.toUpperCase()] ?? "DISABLED",
        components: t.data.components,
      });
    }
    // Graph gives `next` only while there are more pages; the cursor is followed on our own base URL.
    after = parsed.data.paging?.cursors?.after;
    if (!parsed.data.paging?.next || !after) break;
  }
  return out;
}

/**
 * WhatsApp Business Cloud API (CHANNELS.md §2): webhooks signed with the app secret (X-Hub-Signature-256),
 * the GET hub.challenge handshake, media looked up by id and downloaded at once, delivery and read statuses,
 * replies and mark-as-read through POST /{v}/{phone-number-id}/messages with the Bearer token.
 * Template messages (the only ones allowed outside the 24-hour window) go out as `type: "template"`; the
 * templates themselves are listed from the business account (GET /{v}/{waba-id}/message_templates).
 */
export const whatsappChannel: ChannelAdapter<WhatsAppCredentials, WhatsAppSettings> = {
  type: "whatsapp",
  capabilities: WHATSAPP_CAPABILITIES,
  settingsSchema: WhatsAppSettings,
  credentialsSchema: WhatsAppCredentialsInput,
  createCredentials: credentialsOf,

  revealOnCreate: (credentials, connectionId, publicUrl) => ({
    webhookUrl: webhookUrl(publicUrl, "whatsapp", connectionId),
    verifyToken: credentials.verifyToken,
  }),

  verify(raw, headers, credentials) {
    return verifyGraphSignature(raw, headers[SIGNATURE_HEADER], credentials.appSecret);
  },

  verifyChallenge(query, connection) {
    const mode = query["hub.mode"] ?? query.hub_mode;
    const token = query["hub.verify_token"] ?? query.hub_verify_token;
    const challenge = query["hub.challenge"] ?? query.hub_challenge;
    if (mode !== "subscribe" || typeof token !== "string" || typeof challenge !== "string") return null;
    if (!sameSecret(token, connection.credentials.verifyToken)) return null;
    // Meta sends a number; refuse anything else rather than reflect arbitrary text.
    return /^[\w.-]{1,256}$/.test(challenge) ? challenge : null;
  },

  async activate(connection, ctx) {
    const { phoneNumberId, accessToken } = connection.credentials;
    let r: Awaited<ReturnType<typeof graphFetch>>;
    try {
      r = await graphFetch(
        ctx,
        accessToken,
        "GET",
        `${encodeURIComponent(phoneNumberId)}?fields=display_phone_number,verified_name`,
      );
    } catch (err) {
      throw new ChannelSetupError(`Could not reach the WhatsApp Cloud API: ${(err as Error).message}`);
    }
    if (r.ok) return;
    const detail = sendErrorOf(r).detail;
    if (r.error?.code === 190 || r.status === 401)
      throw new ChannelSetupError(`WhatsApp refused the access token. ${detail}`);
    throw new ChannelSetupError(`WhatsApp does not accept phone number id ${phoneNumberId}. ${detail}`);
  },

  async parse(raw, connection, ctx) {
    const body = parseWebhookJson(raw, WaWebhookBody, "The webhook body is not a WhatsApp webhook.");
    if (body.object !== "whatsapp_business_account") return [];
    const received = new Date();
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
          const event = await messageEvent(m, m.from, contactOf(m.from), connection, ctx, received, false);
          // contacts[].profile.name is the customer's current WhatsApp name: a change is applied.
          events.push(names.get(m.from) ? { ...event, profile: true } : event);
        }
        for (const m of v.message_echoes ?? [])
          events.push(await messageEvent(m, m.to, contactOf(m.to), connection, ctx, received, true));
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
  },

  async templates(connection, ctx) {
    return listTemplates(connection, ctx);
  },

  async send(connection, message, ctx) {
    if (message.template) {
      const json = await postMessage(
        connection,
        {
          messaging_product: "whatsapp",
          recipient_type: "individual",
          to: message.externalContactId,
          type: "template",
          template: templatePayload(message.template),
        },
        ctx,
      );
      const parsed = SendResponse.safeParse(json);
      if (!parsed.success)
        throw new ChannelSendError(
          "provider_error",
          "WhatsApp accepted the template message but returned no message id.",
          false,
        );
      return { providerMessageId: parsed.data.messages[0]!.id };
    }
    const parts = buildParts(message, ctx);
    if (parts.length === 0) throw new ChannelSendError("provider_error", "The message is empty.", false);
    const first = parts[0]!;
    if (first.type === "text" && first.text.body.length > WHATSAPP_TEXT_MAX)
      throw new ChannelSendError(
        "too_long",
        `WhatsApp accepts at most ${WHATSAPP_TEXT_MAX} characters in a text message; this one has ${first.text.body.length}.`,
        false,
      );
    let providerMessageId = "";
    for (const [i, part] of parts.entries()) {
      const body = {
        messaging_product: "whatsapp",
        recipient_type: "individual",
        to: message.externalContactId,
        ...(i === 0 && message.quotedProviderMessageId
          ? { context: { message_id: message.quotedProviderMessageId } }
          : {}),
        ...part,
      };
      let json: unknown;
      try {
        json = await postMessage(connection, body, ctx);
      } catch (err) {
        // After an earlier part went out, a retry would send it twice: report the failure instead.
        if (i > 0 && err instanceof ChannelSendError)
          throw new ChannelSendError(
            err.reason,
            `Part ${i + 1} of ${parts.length} was not sent (the earlier parts were): ${err.detail}`,
            false,
          );
        throw err;
      }
      const parsed = SendResponse.safeParse(json);
      if (!parsed.success)
        throw new ChannelSendError(
          "provider_error",
          "WhatsApp accepted the message but returned no message id.",
          false,
        );
      // The last part's id stands for the message: its receipts imply the earlier parts'.
      providerMessageId = parsed.data.messages[0]!.id;
    }
    return { providerMessageId };
  },

  async markSeen(connection, target, ctx) {
    await postMessage(
      connection,
      { messaging_product: "whatsapp", status: "read", message_id: target.providerMessageId },
      ctx,
    );
  },
};
