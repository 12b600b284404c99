import { TELEGRAM_CAPABILITIES } from "@parley/protocol";
import { z } from "zod";
import { randomToken, safeEqual } from "../../lib/crypto";
import { parseCredentials } from "../form-fields";
import { type ChannelAdapter, ChannelSetupError } from "../types";
import { webhookUrl } from "../webhook-url";
import { callTelegram, TelegramError } from "./client";
import { parseTelegramUpdate, resolveTelegramMedia } from "./inbound";
import { ALLOWED_UPDATES, BotInfo, TelegramCredentials, TelegramSettings } from "./payloads";
import { sendTelegram } from "./send";

export const SECRET_HEADER = "x-telegram-bot-api-secret-token";

/**
 * Telegram Bot API over a webhook. The admin gives the bot token; Parley generates the webhook's
 * secret_token, checks the token with getMe and registers the webhook with setWebhook. Inbound media is
 * fetched with getFile at once; outgoing files go by absolute URL (Telegram fetches them). Telegram reports
 * neither delivery nor reads, so sent is the last state a message reaches.
 */
export const telegramChannel: ChannelAdapter<TelegramCredentials, TelegramSettings> = {
  type: "telegram",
  capabilities: TELEGRAM_CAPABILITIES,
  settingsSchema: TelegramSettings,
  credentialsSchema: TelegramCredentials,

  createCredentials(input) {
    const { botToken } = parseCredentials(
      TelegramCredentials,
      input,
      (issues) => issues[0]?.message ?? "Give the bot token from @BotFather as credentials.botToken.",
    );
    // setWebhook's secret_token: 1-256 characters of A-Z a-z 0-9 _ - (base64url is exactly that alphabet).
    return { botToken, webhookSecret: randomToken(32) };
  },

  revealOnCreate: (_credentials, connectionId, publicUrl) => ({
    webhookUrl: webhookUrl(publicUrl, "telegram", connectionId),
  }),

  verify(_raw, headers, credentials) {
    const header = headers[SECRET_HEADER];
    if (typeof header !== "string" || !credentials.webhookSecret) return false;
    return safeEqual(header, credentials.webhookSecret);
  },

  async activate(connection, ctx) {
    const token = connection.credentials.botToken;
    let bot: { username?: string | undefined };
    try {
      bot = await callTelegram(ctx, token, "getMe", {}, BotInfo);
    } catch (err) {
      throw setupError(err, "check the bot token");
    }
    try {
      await callTelegram(
        ctx,
        token,
        "setWebhook",
        {
          url: ctx.webhookUrl,
          secret_token: connection.credentials.webhookSecret,
          allowed_updates: ALLOWED_UPDATES,
        },
        z.literal(true),
      );
    } catch (err) {
      throw setupError(
        err,
        `register the webhook ${ctx.webhookUrl} for @${bot.username ?? "the bot"} (Telegram only calls HTTPS URLs on ports 443, 80, 88 or 8443)`,
      );
    }
  },

  parse: (raw, _connection, ctx) => parseTelegramUpdate(raw, ctx),
  resolveMedia: (connection, source, ctx) =>
    resolveTelegramMedia(connection.credentials.botToken, source, ctx),

  send: sendTelegram,
};

function setupError(err: unknown, doing: string): ChannelSetupError {
  if (!(err instanceof TelegramError)) throw err;
  if (err.errorCode === 401 || err.errorCode === 404) {
    return new ChannelSetupError(
      `Telegram refused the bot token (${err.description}): copy the token again from @BotFather.`,
    );
  }
  return new ChannelSetupError(`Could not ${doing}: ${err.description}`);
}
