import crypto from "node:crypto";
import { LINE_CAPABILITIES } from "@parley/protocol";
import { safeEqual } from "../../lib/crypto";
import { listIssues, parseCredentials } from "../form-fields";
import { type ChannelAdapter, ChannelSendError, ChannelSetupError } from "../types";
import { webhookUrl } from "../webhook-url";
import { callLine, LineError } from "./client";
import { parseLine } from "./inbound";
import { type LineCredentials, LineCredentialsInput, LineProfile, LineSettings } from "./payloads";
import { sendLine } from "./send";

export const SIGNATURE_HEADER = "x-line-signature";

/** LINE's webhook signature: base64 HMAC-SHA256 of the raw body, keyed with the channel secret. */
export function lineSignature(channelSecret: string, raw: string | Buffer): string {
  return crypto.createHmac("sha256", channelSecret).update(raw).digest("base64");
}

/**
 * The LINE Messaging API (CHANNELS.md §8.1). Activation sets the channel's webhook URL; webhooks are signed
 * with `X-Line-Signature`; replies use the customer's reply token while it is fresh and push messages
 * otherwise; names and pictures come from the profile API; media is downloaded from the api-data host.
 */
export const lineChannel: ChannelAdapter<LineCredentials, LineSettings> = {
  type: "line",
  capabilities: LINE_CAPABILITIES,
  settingsSchema: LineSettings,
  credentialsSchema: LineCredentialsInput,
  createCredentials: (input) => parseCredentials(LineCredentialsInput, input, listIssues("LINE")),

  revealOnCreate: (_credentials, connectionId, publicUrl) => ({
    webhookUrl: webhookUrl(publicUrl, "line", connectionId),
  }),

  verify(raw, headers, credentials) {
    const header = headers[SIGNATURE_HEADER];
    if (typeof header !== "string" || header.length === 0) return false;
    return safeEqual(header.trim(), lineSignature(credentials.channelSecret, raw));
  },

  parse: (raw, connection, ctx) => parseLine(raw, connection, ctx),

  async activate(connection, ctx) {
    try {
      await callLine(ctx, connection.credentials.channelAccessToken, {
        base: ctx.endpoints.lineApiBase,
        method: "PUT",
        path: "/v2/bot/channel/webhook/endpoint",
        body: { endpoint: ctx.webhookUrl },
      });
    } catch (err) {
      const e = err as Error;
      const hint =
        err instanceof LineError && err.httpStatus === 401
          ? " Check the channel access token (a long-lived token from the Messaging API tab)."
          : err instanceof LineError && err.httpStatus === 400
            ? " LINE needs a public https webhook address: PUBLIC_URL must be one."
            : "";
      throw new ChannelSetupError(
        `Could not set the webhook URL with LINE: ${e.message}.${hint}`.slice(0, 1000),
      );
    }
  },

  resolveMedia(connection, source, ctx) {
    const token = connection.credentials.channelAccessToken;
    if (source.messageId) {
      const path = `/v2/bot/message/${encodeURIComponent(source.messageId)}/content`;
      return Promise.resolve({
        url: `${ctx.endpoints.lineDataApiBase}${path}`,
        headers: { authorization: `Bearer ${token}` },
        sourceUrl: `${ctx.endpoints.lineDataApiBase}${path}`,
        // LINE keeps a message's content for a limited time; its 404 means it expired or was never kept.
        gone: {
          statuses: [404, 410],
          reason: "LINE no longer has this file (its content expired or is unavailable)",
        },
      });
    }
    return Promise.resolve({ url: source.url ?? "" });
  },

  send: (connection, message, ctx) => sendLine(connection, message, ctx),

  async profile(connection, userId, ctx) {
    try {
      const r = await callLine(ctx, connection.credentials.channelAccessToken, {
        base: ctx.endpoints.lineApiBase,
        method: "GET",
        path: `/v2/bot/profile/${encodeURIComponent(userId)}`,
      });
      const p = LineProfile.safeParse(r.body);
      if (!p.success) return null;
      return {
        name: p.data.displayName?.trim() || null,
        nickname: null,
        avatarUrl: p.data.pictureUrl ?? null,
      };
    } catch (err) {
      if (err instanceof LineError && err.httpStatus === 404) return null;
      if (err instanceof LineError)
        throw new ChannelSendError(
          "provider_error",
          err.message,
          err.httpStatus === null || err.httpStatus >= 500 || err.httpStatus === 429,
        );
      throw err;
    }
  },
};
