import type { Attachment } from "@parley/protocol";
import { sendInParts } from "../parts";
import { type AdapterContext, ChannelSendError, type OutgoingMessage } from "../types";
import { type GraphTarget, graphPost } from "./graph";
import { OWN_METADATA_PREFIX } from "./inbound";
import { SendResult } from "./payloads";

export interface SendRules {
  platform: "messenger" | "instagram";
  /** Checks the text against the platform's limit; returns a reason to refuse or null. */
  tooLong(text: string): string | null;
}

/** Messenger / Instagram attachment types by MIME type. */
function attachmentType(a: Attachment): "image" | "video" | "audio" | "file" {
  const t = a.mimeType.toLowerCase();
  if (t.startsWith("image/")) return "image";
  if (t.startsWith("video/")) return "video";
  if (t.startsWith("audio/")) return "audio";
  return "file";
}

/**
 * Sends one outgoing message through the Send API: the text first (with the quote), then each attachment as
 * its own message (the Send API takes one attachment per message, never text and attachment together).
 * Parley's own files (`/api/files/<id>`) go as signed links Meta can fetch (ctx.fileUrl).
 * Returns the first provider message id: the one the message's receipts are tracked by (delivery and read
 * watermarks cover the rest).
 */
export async function sendThroughGraph(
  target: GraphTarget,
  rules: SendRules,
  message: OutgoingMessage,
  ctx: AdapterContext,
): Promise<{ providerMessageId: string }> {
  const text = message.text?.trim() ? message.text : null;
  if (text) {
    const refusal = rules.tooLong(text);
    if (refusal) throw new ChannelSendError("too_long", refusal, false);
  }
  const usable = message.attachments.filter((a) => !a.error && a.url);
  if (!text && usable.length === 0)
    throw new ChannelSendError(
      "provider_error",
      "The message has neither text nor a sendable attachment.",
      false,
    );

  const envelope = () => ({
    recipient: { id: message.externalContactId },
    ...(message.tag ? { messaging_type: "MESSAGE_TAG", tag: message.tag } : { messaging_type: "RESPONSE" }),
  });
  // Messenger returns `metadata` in the echo: how our own sends' echoes are recognised and dropped.
  const metadata = rules.platform === "messenger" ? { metadata: `${OWN_METADATA_PREFIX}${message.id}` } : {};
  const bodies: Record<string, unknown>[] = [];
  let quoteUsed = false;
  const quote = () => {
    if (quoteUsed || !message.quotedProviderMessageId) return {};
    quoteUsed = true;
    return { reply_to: { mid: message.quotedProviderMessageId } };
  };
  if (text) bodies.push({ ...envelope(), ...quote(), message: { text, ...metadata } });
  for (const a of usable) {
    bodies.push({
      ...envelope(),
      ...quote(),
      message: {
        attachment: {
          type: attachmentType(a),
          payload: {
            url: ctx.fileUrl(a.url),
            ...(rules.platform === "messenger" ? { is_reusable: false } : {}),
          },
        },
        ...metadata,
      },
    });
  }
  const ids = await sendInParts(message, bodies.length, async (i) => {
    const json = await graphPost(target, bodies[i]!, ctx.timeoutMs);
    const ok = SendResult.safeParse(json);
    if (!ok.success)
      throw new ChannelSendError(
        "provider_error",
        `${target.label} accepted the message without a message_id: ${JSON.stringify(json).slice(0, 200)}`,
        false,
      );
    return ok.data.message_id;
  });
  return { providerMessageId: ids[0]! };
}

/** `sender_action: mark_seen` — its own request, only recipient and sender_action. */
export async function markSeenThroughGraph(target: GraphTarget, psid: string, ctx: AdapterContext) {
  await graphPost(target, { recipient: { id: psid }, sender_action: "mark_seen" }, ctx.timeoutMs);
}
