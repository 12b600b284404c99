import { Attachment, FailureReason } from "@parley/protocol";
import { z } from "zod";
import { field } from "../form-fields";

/**
 * The API channel's webhook: what an integrator posts to
 * POST /api/webhooks/api/:connectionId, signed with `X-Parley-Signature: sha256=<hex HMAC-SHA256 of the raw body>`.
 */
const timestamp = z.iso.datetime({ offset: true }).optional();

export const ApiInboundMessage = z.object({
  type: z.literal("message"),
  /** The integrator's id for this message: a retry with the same id never creates a duplicate. */
  id: z.string().min(1).max(255),
  contact: z.object({
    id: z.string().min(1).max(255),
    name: z.string().max(255).nullish(),
    nickname: z.string().max(255).nullish(),
    email: z.string().max(320).nullish(),
    phone: z.string().max(64).nullish(),
  }),
  text: z.string().max(65_536).nullish(),
  attachments: z.array(Attachment).max(10).default([]),
  replyTo: z.string().max(255).nullish(),
  /** true: the business sent this message itself, from another tool; it is recorded as an agent message. */
  echo: z.boolean().optional(),
  timestamp,
  source: z.record(z.string().max(64), z.string().max(2048)).optional(),
});

export const ApiStatusReport = z.object({
  type: z.literal("status"),
  /** The id the integrator answered our delivery with (Parley's message id when it answered without one). */
  messageId: z.string().min(1).max(255),
  status: z.enum(["sent", "delivered", "read", "failed"]),
  timestamp,
  reason: FailureReason.optional(),
  error: z.string().max(2000).optional(),
});

export const ApiReadWatermark = z.object({
  type: z.literal("read"),
  contactId: z.string().min(1).max(255),
  /** Everything we sent to this contact up to this time has been read. */
  watermark: z.iso.datetime({ offset: true }),
  timestamp,
});

export const ApiWebhookEvent = z.discriminatedUnion("type", [
  ApiInboundMessage,
  ApiStatusReport,
  ApiReadWatermark,
]);
export const ApiWebhookBody = z.union([
  ApiWebhookEvent,
  z.object({ events: z.array(ApiWebhookEvent).min(1).max(100) }),
]);

export const OUTBOUND_URL_REQUIRED =
  "The outbound URL is required: the http(s) address of your system where Parley posts the agents' replies.";
export const OUTBOUND_URL_INVALID =
  "The outbound URL must be a full http(s) address, e.g. https://example.com/parley/outbound.";

export const ApiChannelSettings = z.object({
  /**
   * Where Parley delivers outgoing messages (signed the same way). Required: without it every reply would
   * fail, so a connection is neither created nor left without one.
   */
  outboundUrl: z
    .url({
      protocol: /^https?$/,
      error: (issue) =>
        issue.input == null || issue.input === "" ? OUTBOUND_URL_REQUIRED : OUTBOUND_URL_INVALID,
    })
    .meta(field("outboundUrl", { hint: true })),
});
export type ApiChannelSettings = z.infer<typeof ApiChannelSettings>;

export interface ApiChannelCredentials {
  secret: string;
}

/** What Parley posts to the integrator's outbound URL. */
export interface ApiOutboundPayload {
  type: "message";
  id: string;
  conversationId: string;
  contactId: string;
  text: string | null;
  attachments: z.infer<typeof Attachment>[];
  replyTo: string | null;
}
