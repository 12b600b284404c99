import { WECHAT_CAPABILITIES } from "@parley/protocol";
import { safeEqual } from "../../lib/crypto";
import { forgetAccessToken } from "../access-token";
import { listIssues, parseCredentials } from "../form-fields";
import { type ChannelAdapter, ChannelSendError, ChannelSetupError } from "../types";
import { webhookUrl } from "../webhook-url";
import { accessToken, TOKEN_REFUSED, WechatError } from "./client";
import { readWechatXml, wechatSignature } from "./crypto";
import { parseWechat } from "./inbound";
import { type WechatCredentials, WechatCredentialsInput, WechatSettings } from "./payloads";
import { sendWechat } from "./send";

const matches = (given: string | undefined, expected: string) =>
  typeof given === "string" && given.length > 0 && safeEqual(given.toLowerCase(), expected);

/**
 * A WeChat Official Account (CHANNELS.md §8.2). The admin enters Parley's webhook URL and the Token (and, for
 * safe mode, the EncodingAESKey) in the account's server configuration; WeChat checks the URL with a signed
 * GET whose `echostr` is echoed. Pushes are XML, signed in the query string; replies go through the
 * customer-service message API with an access token shared by every process.
 */
export const wechatChannel: ChannelAdapter<WechatCredentials, WechatSettings> = {
  type: "wechat",
  capabilities: WECHAT_CAPABILITIES,
  settingsSchema: WechatSettings,
  credentialsSchema: WechatCredentialsInput,
  createCredentials: (input) => parseCredentials(WechatCredentialsInput, input, listIssues("WeChat")),

  revealOnCreate: (_credentials, connectionId, publicUrl) => ({
    webhookUrl: webhookUrl(publicUrl, "wechat", connectionId),
  }),

  verifyChallenge(query, connection) {
    const { signature, timestamp, nonce, echostr } = query;
    if (!timestamp || !nonce || echostr === undefined) return null;
    return matches(signature, wechatSignature(connection.credentials.token, timestamp, nonce))
      ? echostr
      : null;
  },

  /**
   * Plain mode: `signature` = SHA-1 of the sorted token, timestamp and nonce (it does not cover the body).
   * Safe mode (`encrypt_type=aes`): `msg_signature` also covers the body's `<Encrypt>`.
   */
  verify(raw, _headers, credentials, query) {
    const { timestamp, nonce } = query;
    if (!timestamp || !nonce) return false;
    if (query.encrypt_type === "aes") {
      const encrypted = readWechatXml(raw).Encrypt;
      if (typeof encrypted !== "string") return false;
      return matches(query.msg_signature, wechatSignature(credentials.token, timestamp, nonce, encrypted));
    }
    return matches(query.signature, wechatSignature(credentials.token, timestamp, nonce));
  },

  parse: (raw, connection, ctx) => parseWechat(raw, connection, ctx),

  /** WeChat reads the answer: "success" says the push was received and nothing is replied in it. */
  answer: () => "success",

  /** Checks the AppID and AppSecret by asking for an access token (kept for the sends that follow). */
  async activate(connection, ctx) {
    await forgetAccessToken(ctx, connection.id);
    try {
      await accessToken(ctx, connection);
    } catch (err) {
      const e = err as WechatError;
      const hint =
        e.errcode === 40013 || e.errcode === 40125
          ? " Check the AppID and AppSecret."
          : e.errcode === 40164
            ? " Add the server's IP address to the account's IP whitelist."
            : "";
      throw new ChannelSetupError(
        `Could not get an access token from WeChat: ${e.message}.${hint}`.slice(0, 1000),
      );
    }
  },

  async resolveMedia(connection, source, ctx) {
    const token = await accessToken(ctx, connection).catch((err: Error) => {
      throw new ChannelSendError("provider_error", err.message, !(err instanceof WechatError && err.errcode));
    });
    const path = `${ctx.endpoints.wechatApiBase}/cgi-bin/media/get`;
    return {
      url: `${path}?${new URLSearchParams({ access_token: token, media_id: source.mediaId ?? "" })}`,
      sourceUrl: `${path}?media_id=${encodeURIComponent(source.mediaId ?? "")}`,
      // WeChat answers a refused media/get with HTTP 200 and {errcode, errmsg} instead of the file.
      errorInBody: mediaGetError,
    };
  },

  send: (connection, message, ctx) => sendWechat(connection, message, ctx),
};

/**
 * media/get's error body as a failure: a refused or expired token (40001, 42001, 40014) and WeChat's -1
 * (busy) are tried again; anything else (40007 invalid media_id: the media expired after three days) ends
 * the download with WeChat's words.
 */
export function mediaGetError(body: unknown): Error | null {
  const b = body as { errcode?: unknown; errmsg?: unknown } | null;
  if (!b || typeof b !== "object" || typeof b.errcode !== "number" || b.errcode === 0) return null;
  const errmsg = typeof b.errmsg === "string" ? b.errmsg.slice(0, 200) : "no message";
  const retry = b.errcode === -1 || TOKEN_REFUSED.has(b.errcode);
  const hint =
    b.errcode === 40007 ? " (the media id is unknown or expired: WeChat keeps media three days)" : "";
  return new ChannelSendError(
    "provider_error",
    `WeChat refused the file (errcode ${b.errcode}: ${errmsg})${hint}`,
    retry,
  );
}
