import type { Attachment } from "@parley/protocol";
import { sendInParts } from "../parts";
import type { OutgoingMessage } from "../types";
import { type AdapterContext, type ChannelAdapter, ChannelSendError } from "../types";
import { graphReach, sendErrorOf, unreachable } from "./client";
import { baseMime } from "./inbound";
import { isStoredFile, linkReachable, uploadWhatsAppMedia, type WaMediaKind } from "./media-upload";
import { SendResponse, type WaPart, type WhatsAppCredentials } from "./payloads";

export const WHATSAPP_TEXT_MAX = 4096;
export const WHATSAPP_CAPTION_MAX = 1024;

type Conn = { workspaceId: string; credentials: WhatsAppCredentials };
async function postMessage(conn: Conn, body: object, ctx: AdapterContext): Promise<unknown> {
  const r = await graphReach(
    ctx,
    conn.credentials.accessToken,
    "POST",
    `${encodeURIComponent(conn.credentials.phoneNumberId)}/messages`,
    unreachable,
    body,
  );
  if (!r.ok) throw sendErrorOf(r);
  return r.json;
}

const kindOf = (mimeType: string): WaMediaKind => {
  const mime = baseMime(mimeType) ?? "";
  return mime.startsWith("image/")
    ? "image"
    : mime.startsWith("video/")
      ? "video"
      : mime.startsWith("audio/")
        ? "audio"
        : "document";
};

/**
 * How WhatsApp gets one of Parley's files: by a signed link while PUBLIC_URL is a public https address, else
 * uploaded first and sent by media id (WhatsApp could not fetch the link). Links to elsewhere go as given.
 */
async function mediaRef(
  conn: Conn,
  a: Attachment,
  kind: WaMediaKind,
  ctx: AdapterContext,
  o: { upload?: boolean } = {},
): Promise<{ link: string } | { id: string }> {
  if (isStoredFile(a.url) && (o.upload || !linkReachable(ctx.publicUrl)))
    return { id: await uploadWhatsAppMedia(conn, a, kind, ctx) };
  return { link: ctx.fileUrl(a.url) };
}

/** One part per attachment (a media message carries one file and a caption); files resolved when sent. */
type PendingPart = WaPart | { file: Attachment; kind: WaMediaKind; caption?: string };

function buildParts(message: Parameters<ChannelAdapter["send"]>[1]): PendingPart[] {
  const parts: PendingPart[] = [];
  const text = message.text?.trim() ? message.text : null;
  let captionUsed = false;
  for (const a of message.attachments) {
    if (a.error || !a.url)
      throw new ChannelSendError(
        "attachment_rejected",
        `The file "${a.name}" has no stored copy to send.`,
        false,
      );
    const kind = kindOf(a.mimeType);
    const caption =
      !captionUsed && kind !== "audio" && text && text.length <= WHATSAPP_CAPTION_MAX ? text : undefined;
    if (caption) captionUsed = true;
    parts.push({ file: a, kind, ...(caption ? { caption } : {}) });
  }
  if (text && !captionUsed)
    parts.unshift({ type: "text", text: { body: text, preview_url: /https?:\/\/\S/.test(text) } });
  return parts;
}

/** A file part as WhatsApp takes it: the media object by link or id, with its caption and file name. */
async function resolvePart(conn: Conn, p: PendingPart, ctx: AdapterContext): Promise<WaPart> {
  if (!("file" in p)) return p;
  const ref = await mediaRef(conn, p.file, p.kind, ctx);
  const caption = p.caption ? { caption: p.caption } : {};
  if (p.kind === "audio") return { type: "audio", audio: ref };
  if (p.kind === "document")
    return { type: "document", document: { ...ref, filename: p.file.name, ...caption } };
  return p.kind === "image"
    ? { type: "image", image: { ...ref, ...caption } }
    : { type: "video", video: { ...ref, ...caption } };
}

/**
 * The `template` object of a template send: name, language and the values per component. A media header
 * is uploaded and given by its media id (`{type: "image", image: {id}}`).
 */
async function templatePayload(conn: Conn, message: OutgoingMessage, ctx: AdapterContext) {
  const t = message.template!;
  const components = [];
  for (const c of t.components) {
    const parameters = [];
    for (const p of c.parameters) {
      if (p.type === "text") {
        parameters.push({ type: "text", ...(p.name ? { parameter_name: p.name } : {}), text: p.text });
        continue;
      }
      const file = message.attachments[p.attachment];
      if (!file?.url || file.error)
        throw new ChannelSendError(
          "attachment_rejected",
          "The template's header file has no stored copy to send.",
          false,
        );
      const ref = await mediaRef(conn, file, p.type, ctx, { upload: true });
      parameters.push({
        type: p.type,
        [p.type]: { ...ref, ...(p.type === "document" ? { filename: file.name } : {}) },
      });
    }
    components.push({
      type: c.type,
      ...(c.type === "button" ? { sub_type: c.subType ?? "url", index: String(c.index ?? 0) } : {}),
      parameters,
    });
  }
  return { name: t.name, language: { code: t.language }, ...(components.length ? { components } : {}) };
}

/** Sends a message as a template, or as text and one message per file; the last part's id stands for it. */
export async function sendWhatsApp(
  connection: Conn,
  message: OutgoingMessage,
  ctx: AdapterContext,
): Promise<{ providerMessageId: string }> {
  if (message.template) {
    const json = await postMessage(
      connection,
      {
        messaging_product: "whatsapp",
        recipient_type: "individual",
        to: message.externalContactId,
        type: "template",
        template: await templatePayload(connection, message, ctx),
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
  const parts = buildParts(message);
  if (parts.length === 0) throw new ChannelSendError("provider_error", "The message is empty.", false);
  const first = parts[0]!;
  if ("type" in first && first.type === "text" && first.text.body.length > WHATSAPP_TEXT_MAX)
    throw new ChannelSendError(
      "too_long",
      `WhatsApp accepts at most ${WHATSAPP_TEXT_MAX} characters in a text message; this one has ${first.text.body.length}.`,
      false,
    );
  // Each part's id is recorded as it is accepted: a retry (a later part failed, or the process died) resumes
  // after the parts already sent.
  const ids = await sendInParts(message, parts.length, async (i) => {
    let json: unknown;
    try {
      const body = {
        messaging_product: "whatsapp",
        recipient_type: "individual",
        to: message.externalContactId,
        ...(i === 0 && message.quotedProviderMessageId
          ? { context: { message_id: message.quotedProviderMessageId } }
          : {}),
        ...(await resolvePart(connection, parts[i]!, ctx)),
      };
      json = await postMessage(connection, body, ctx);
    } catch (err) {
      if (i > 0 && err instanceof ChannelSendError)
        throw new ChannelSendError(
          err.reason,
          `Part ${i + 1} of ${parts.length} was not sent (the earlier parts were): ${err.detail}`,
          err.retryable,
          err.retryAfterMs,
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
    return parsed.data.messages[0]!.id;
  });
  // The last part's id stands for the message: its receipts imply the earlier parts'.
  return { providerMessageId: ids.at(-1)! };
}

/** Marks the customer's message read (the blue ticks they see). */
export async function markWhatsAppSeen(
  connection: Conn,
  target: { providerMessageId: string },
  ctx: AdapterContext,
): Promise<void> {
  await postMessage(
    connection,
    { messaging_product: "whatsapp", status: "read", message_id: target.providerMessageId },
    ctx,
  );
}
