import { API_CHANNEL_CAPABILITIES } from "@parley/protocol";
import { hmacSha256Hex, randomToken, safeEqual } from "../../lib/crypto";
import { briefReason, describeFailure, EgressRefused, readText } from "../../lib/egress";
import { AppError } from "../../lib/errors";
import { parseWebhookJson } from "../payload";
import { type ChannelAdapter, ChannelSendError, type InboundEvent } from "../types";
import { webhookUrl } from "../webhook-url";
import {
  type ApiChannelCredentials,
  ApiChannelSettings,
  type ApiOutboundPayload,
  ApiWebhookBody,
} from "./payloads";

export const SIGNATURE_HEADER = "x-parley-signature";

export function signBody(secret: string, body: string | Buffer): string {
  return `sha256=${hmacSha256Hex(secret, body)}`;
}

/**
 * The API channel: for integrators and tests. Inbound messages and status reports are posted to the
 * connection's webhook signed with HMAC-SHA256 over the raw body; outgoing messages are posted, signed the
 * same way, to the connection's outbound URL, which answers 2xx with `{ "id": "<its message id>" }`.
 */
export const apiChannel: ChannelAdapter<ApiChannelCredentials, ApiChannelSettings> = {
  type: "api",
  capabilities: API_CHANNEL_CAPABILITIES,
  settingsSchema: ApiChannelSettings,

  createCredentials: () => ({ secret: randomToken(32) }),

  revealOnCreate: (credentials, connectionId, publicUrl) => ({
    webhookUrl: webhookUrl(publicUrl, "api", connectionId),
    secret: credentials.secret,
  }),

  verify(raw, headers, credentials) {
    const header = headers[SIGNATURE_HEADER];
    if (typeof header !== "string") return false;
    return safeEqual(header, signBody(credentials.secret, raw));
  },

  parse(raw, _connection, ctx) {
    const body = parseWebhookJson(
      raw,
      ApiWebhookBody,
      "The webhook body does not match the API channel format.",
    );
    const events = "events" in body ? body.events : [body];
    const received = ctx.now();
    return events.map((e): InboundEvent => {
      const at = e.timestamp ? new Date(e.timestamp) : received;
      switch (e.type) {
        case "message":
          if (!e.text && e.attachments.length === 0) {
            throw new AppError("validation_failed", `Message ${e.id} has neither text nor attachments.`);
          }
          return {
            kind: "message",
            providerMessageId: e.id,
            externalContactId: e.contact.id,
            contact: e.contact,
            text: e.text ?? null,
            attachments: e.attachments,
            quotedProviderMessageId: e.replyTo ?? null,
            at,
            ...(e.echo ? { echo: true } : {}),
            ...(e.source ? { source: e.source } : {}),
          };
        case "status":
          return e.status === "failed"
            ? {
                kind: "status",
                providerMessageId: e.messageId,
                state: "failed",
                at,
                reason: e.reason ?? "provider_error",
                detail: e.error ?? null,
              }
            : { kind: "status", providerMessageId: e.messageId, state: e.status, at };
        default:
          return { kind: "read_watermark", externalContactId: e.contactId, upTo: new Date(e.watermark), at };
      }
    });
  },

  async send(connection, message, ctx) {
    const url = connection.settings.outboundUrl;
    if (!url) {
      throw new ChannelSendError(
        "provider_error",
        "This API connection has no outbound URL configured.",
        false,
      );
    }
    const payload: ApiOutboundPayload = {
      type: "message",
      id: message.id,
      conversationId: message.conversationId,
      contactId: message.externalContactId,
      text: message.text,
      attachments: message.attachments,
      replyTo: message.quotedProviderMessageId,
    };
    const body = JSON.stringify(payload);
    let res: Response;
    try {
      // The outbound URL is the integrator's: through the egress guard, never to a non-public address.
      res = await ctx.fetchSupplied(url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          [SIGNATURE_HEADER]: signBody(connection.credentials.secret, body),
        },
        body,
        signal: AbortSignal.timeout(ctx.timeoutMs),
      });
    } catch (err) {
      if (err instanceof EgressRefused)
        throw new ChannelSendError(
          "provider_error",
          `The outbound URL may not be reached (egress_refused): ${err.reason}.`,
          false,
        );
      throw new ChannelSendError(
        "provider_error",
        `Could not reach ${hostOf(url)}: ${describeFailure(err)}`,
        true,
      );
    }
    const text = await readText(res);
    // Only the status and a short reason the receiver gave in JSON are shown, never its reply body.
    const answered = () => {
      const reason = briefReason(text);
      return `${res.status}${res.statusText ? ` ${res.statusText}` : ""}${reason ? `: ${reason}` : ""}`;
    };
    if (res.status === 429) {
      const retryAfter = Number(res.headers.get("retry-after"));
      throw new ChannelSendError(
        "provider_error",
        "The receiver is rate limiting us.",
        true,
        Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : 5000,
      );
    }
    if (res.status >= 500)
      throw new ChannelSendError("provider_error", `Receiver answered ${answered()}`, true);
    if (!res.ok)
      throw new ChannelSendError("provider_error", `Receiver refused the message (${answered()})`, false);
    let providerMessageId = message.id;
    try {
      const json = JSON.parse(text) as { id?: unknown };
      if (typeof json.id === "string" && json.id.length > 0 && json.id.length <= 255)
        providerMessageId = json.id;
    } catch {
      // A 2xx without a JSON id: our own id stands for the message.
    }
    return { providerMessageId };
  },
};

const hostOf = (url: string) => {
  try {
    return new URL(url).host;
  } catch {
    return "the outbound URL";
  }
};
