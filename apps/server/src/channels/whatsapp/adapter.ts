import { WHATSAPP_CAPABILITIES } from "@parley/protocol";
import { randomToken } from "../../lib/crypto";
import { parseCredentials } from "../form-fields";
import { type ChannelAdapter, ChannelSetupError } from "../types";
import { webhookUrl } from "../webhook-url";
import { graphReach, SIGNATURE_HEADER, sameSecret, sendErrorOf, verifyGraphSignature } from "./client";
import { parseWhatsAppWebhook, resolveWhatsAppMedia } from "./inbound";
import { type WhatsAppCredentials, WhatsAppCredentialsInput, WhatsAppSettings } from "./payloads";
import { markWhatsAppSeen, sendWhatsApp } from "./send";
import { listTemplates } from "./templates";

function credentialsOf(input: unknown): WhatsAppCredentials {
  const data = parseCredentials(
    WhatsAppCredentialsInput,
    input,
    (issues) =>
      `A WhatsApp connection needs phoneNumberId, accessToken and appSecret (verifyToken and businessAccountId are optional). ${issues.map((i) => `${i.path.join(".") || "credentials"}: ${i.message}`).join("; ")}`,
  );
  return { ...data, verifyToken: data.verifyToken ?? randomToken(24) };
}

/**
 * WhatsApp Business Cloud API (CHANNELS.md §2): webhooks signed with the app secret (X-Hub-Signature-256),
 * the GET hub.challenge handshake, media looked up by id and downloaded by a background job, delivery and read statuses,
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
    const r = await graphReach(
      ctx,
      accessToken,
      "GET",
      `${encodeURIComponent(phoneNumberId)}?fields=display_phone_number,verified_name`,
      (message) => new ChannelSetupError(`Could not reach the WhatsApp Cloud API: ${message}`),
    );
    if (r.ok) return;
    const detail = sendErrorOf(r).detail;
    if (r.error?.code === 190 || r.status === 401)
      throw new ChannelSetupError(`WhatsApp refused the access token. ${detail}`);
    throw new ChannelSetupError(`WhatsApp does not accept phone number id ${phoneNumberId}. ${detail}`);
  },

  parse: (raw, connection, ctx) => parseWhatsAppWebhook(raw, connection, ctx),
  resolveMedia: resolveWhatsAppMedia,
  templates: (connection, ctx) => listTemplates(connection, ctx),
  send: sendWhatsApp,
  markSeen: markWhatsAppSeen,
};
