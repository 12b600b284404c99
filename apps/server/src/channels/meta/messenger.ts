import { MESSENGER_CAPABILITIES } from "@parley/protocol";
import { randomToken } from "../../lib/crypto";
import { listIssues, parseCredentials } from "../form-fields";
import { type AdapterContext, type ChannelAdapter, ChannelSetupError } from "../types";
import { type CommentApi, fetchPost, moderate, replyToComment } from "./comment-api";
import { type GraphTarget, graphGet, graphProfile } from "./graph";
import { type MessengerCredentials, MessengerCredentialsInput, MetaSettings } from "./payloads";
import { markSeenThroughGraph, sendThroughGraph } from "./send";
import { metaWebhook } from "./webhook";

/** The page subscription fields Parley needs. */
export const MESSENGER_FIELDS = [
  "messages",
  "message_deliveries",
  "message_reads",
  "message_echoes",
  "messaging_postbacks",
  "message_reactions",
  // Comments under the Page's posts (R451).
  "feed",
];

export function graphBase(ctx: AdapterContext) {
  return `${ctx.endpoints.graphApiBase}/${ctx.endpoints.graphApiVersion}`;
}

const target = (c: MessengerCredentials, ctx: AdapterContext): GraphTarget => ({
  messagesUrl: `${graphBase(ctx)}/me/messages`,
  token: c.pageAccessToken,
  label: "Messenger",
});

const comments = (c: MessengerCredentials, ctx: AdapterContext): CommentApi => ({
  platform: "messenger",
  accountId: c.pageId,
  base: graphBase(ctx),
  token: c.pageAccessToken,
  messages: target(c, ctx),
});

export const messengerChannel: ChannelAdapter<MessengerCredentials, MetaSettings> = {
  type: "messenger",
  capabilities: MESSENGER_CAPABILITIES,
  settingsSchema: MetaSettings,
  credentialsSchema: MessengerCredentialsInput,

  createCredentials(input) {
    const parsed = parseCredentials(MessengerCredentialsInput, input, listIssues("Messenger"));
    const { verifyToken, appId, ...rest } = parsed;
    return { ...rest, verifyToken: verifyToken ?? randomToken(24), ...(appId ? { appId } : {}) };
  },

  ...metaWebhook<MessengerCredentials>("messenger", "page", (c) => c.pageId),

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
    message.comment
      ? replyToComment(comments(connection.credentials, ctx), message, ctx)
      : sendThroughGraph(
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

  commentPost: (connection, postId, ctx) => fetchPost(comments(connection.credentials, ctx), postId, ctx),
  moderateComment: (connection, commentId, action, ctx) =>
    moderate(comments(connection.credentials, ctx), commentId, action, ctx),

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
