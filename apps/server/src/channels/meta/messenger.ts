import { MESSENGER_CAPABILITIES } from "@parley/protocol";
import { randomToken } from "../../lib/crypto";
import { AppError } from "../../lib/errors";
import { type AdapterContext, type ChannelAdapter, ChannelSetupError } from "../types";
import { type GraphTarget, graphGet, graphProfile } from "./graph";
import { parseMetaWebhook } from "./inbound";
import { type MessengerCredentials, MessengerCredentialsInput, MetaSettings } from "./payloads";
import { markSeenThroughGraph, sendThroughGraph } from "./send";
import { answerChallenge, verifyMetaSignature } from "./signing";

/** The page subscription fields Parley needs. */
export const MESSENGER_FIELDS = [
  "messages",
  "message_deliveries",
  "message_reads",
  "message_echoes",
  "messaging_postbacks",
  "message_reactions",
];

export function graphBase(ctx: AdapterContext) {
  return `${ctx.endpoints.graphApiBase}/${ctx.endpoints.graphApiVersion}`;
}

const target = (c: MessengerCredentials, ctx: AdapterContext): GraphTarget => ({
  messagesUrl: `${graphBase(ctx)}/me/messages`,
  token: c.pageAccessToken,
  label: "Messenger",
});

export function validationError(what: string, issues: { message: string }[]): AppError {
  return new AppError(
    "validation_failed",
    `Invalid ${what} credentials: ${issues.map((i) => i.message).join(" ")}`,
    issues,
  );
}

export const messengerChannel: ChannelAdapter<MessengerCredentials, MetaSettings> = {
  type: "messenger",
  capabilities: MESSENGER_CAPABILITIES,
  settingsSchema: MetaSettings,

  createCredentials(input) {
    const parsed = MessengerCredentialsInput.safeParse(input ?? {});
    if (!parsed.success) throw validationError("Messenger", parsed.error.issues);
    const { verifyToken, appId, ...rest } = parsed.data;
    return { ...rest, verifyToken: verifyToken ?? randomToken(24), ...(appId ? { appId } : {}) };
  },

  revealOnCreate: (credentials, connectionId, publicUrl) => ({
    webhookUrl: `${publicUrl}/api/webhooks/messenger/${connectionId}`,
    verifyToken: credentials.verifyToken,
  }),

  verify: (raw, headers, credentials) => verifyMetaSignature(raw, headers, credentials.appSecret),

  verifyChallenge: (query, connection) => answerChallenge(query, connection.credentials.verifyToken),

  parse: (raw, connection, ctx) =>
    parseMetaWebhook(
      raw,
      {
        object: "page",
        accountId: connection.credentials.pageId,
        ...(connection.credentials.appId ? { appId: connection.credentials.appId } : {}),
      },
      ctx,
    ),

  /** Checks the token belongs to the page and subscribes the app to the page's messaging fields. */
  async activate(connection, ctx) {
    const c = connection.credentials;
    const me = await graphGet(`${graphBase(ctx)}/me?fields=id,name`, c.pageAccessToken, ctx.timeoutMs);
    if (!me.ok) throw new ChannelSetupError(`Meta refused the page access token: ${me.message}`);
    if (String(me.body.id) !== c.pageId)
      throw new ChannelSetupError(
        `The page access token belongs to page ${String(me.body.id)}, not to page ${c.pageId}.`,
      );
    const res = await fetch(
      `${graphBase(ctx)}/${c.pageId}/subscribed_apps?subscribed_fields=${MESSENGER_FIELDS.join(",")}`,
      {
        method: "POST",
        headers: { authorization: `Bearer ${c.pageAccessToken}` },
        signal: AbortSignal.timeout(ctx.timeoutMs),
      },
    ).catch((err: Error) => err);
    if (res instanceof Error)
      throw new ChannelSetupError(`Could not reach Meta to subscribe the page: ${res.message}`);
    if (!res.ok)
      throw new ChannelSetupError(
        `Meta refused to subscribe the app to the page (needs pages_manage_metadata): ${(await res.text()).slice(0, 300)}`,
      );
  },

  send: (connection, message, ctx) =>
    sendThroughGraph(
      target(connection.credentials, ctx),
      {
        platform: "messenger",
        tooLong: (text) =>
          [...text].length > 2000
            ? `Messenger takes at most 2000 characters in a message; this one has ${[...text].length}.`
            : null,
      },
      message,
      ctx,
    ),

  markSeen: (connection, t, ctx) =>
    markSeenThroughGraph(target(connection.credentials, ctx), t.externalContactId, ctx),

  /** The User Profile API: `GET /{psid}?fields=first_name,last_name,name,profile_pic` with the page token. */
  profile: (connection, psid, ctx) =>
    graphProfile(
      `${graphBase(ctx)}/${encodeURIComponent(psid)}?fields=first_name,last_name,name,profile_pic`,
      connection.credentials.pageAccessToken,
      "Messenger",
      ctx.timeoutMs,
    ),
};
