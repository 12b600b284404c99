import { sendInParts } from "../parts";
import type { OutgoingMessage } from "../types";
import { type AdapterContext, type ChannelAdapter, ChannelSendError, type OutgoingTemplate } from "../types";
import { graphReach, sendErrorOf, unreachable } from "./client";
import { baseMime } from "./inbound";
import { SendResponse, type WaPart, type WhatsAppCredentials } from "./payloads";

export const WHATSAPP_TEXT_MAX = 4096;
export const WHATSAPP_CAPTION_MAX = 1024;

type Conn = { credentials: WhatsAppCredentials };
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
  // Each part's id is recorded as it is accepted: a retry (a later part failed, or the process died) resumes
  // after the parts already sent.
  const ids = await sendInParts(message, parts.length, async (i) => {
    const body = {
      messaging_product: "whatsapp",
      recipient_type: "individual",
      to: message.externalContactId,
      ...(i === 0 && message.quotedProviderMessageId
        ? { context: { message_id: message.quotedProviderMessageId } }
        : {}),
      ...parts[i]!,
    };
    let json: unknown;
    try {
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
