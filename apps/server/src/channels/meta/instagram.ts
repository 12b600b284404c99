import { INSTAGRAM_CAPABILITIES } from "@parley/protocol";
import { randomToken } from "../../lib/crypto";
import { listIssues, parseCredentials } from "../form-fields";
import { type AdapterContext, type ChannelAdapter, ChannelSetupError } from "../types";
import { type CommentApi, fetchPost, moderate, replyToComment } from "./comment-api";
import { type GraphTarget, graphGet, graphProfile } from "./graph";
import { fetchMention, replyToMention } from "./mention-api";
import { graphBase } from "./messenger";
import { type InstagramCredentials, InstagramCredentialsInput, MetaSettings } from "./payloads";
import { markSeenThroughGraph, sendThroughGraph } from "./send";
import { metaWebhook } from "./webhook";

const TEXT_MAX_BYTES = 1000;

/**
 * (b) Instagram Login: graph.instagram.com/{v}/<IG_ID>/messages with the Instagram user token;
 * (a) otherwise graph.facebook.com/{v}/me/messages with the linked Page's token.
 */
function target(c: InstagramCredentials, ctx: AdapterContext): GraphTarget {
  if (c.instagramAccessToken)
    return {
      messagesUrl: `${ctx.endpoints.instagramApiBase}/${ctx.endpoints.graphApiVersion}/${c.igUserId}/messages`,
      token: c.instagramAccessToken,
      label: "Instagram",
    };
  return { messagesUrl: `${graphBase(ctx)}/me/messages`, token: c.pageAccessToken!, label: "Instagram" };
}

/** Comment endpoints on the API base and with the token the connection uses. */
const comments = (c: InstagramCredentials, ctx: AdapterContext): CommentApi => ({
  platform: "instagram",
  accountId: c.igUserId,
  base: c.instagramAccessToken
    ? `${ctx.endpoints.instagramApiBase}/${ctx.endpoints.graphApiVersion}`
    : graphBase(ctx),
  token: c.instagramAccessToken ?? c.pageAccessToken!,
  messages: target(c, ctx),
});

export const instagramChannel: ChannelAdapter<InstagramCredentials, MetaSettings> = {
  type: "instagram",
  capabilities: INSTAGRAM_CAPABILITIES,
  settingsSchema: MetaSettings,
  credentialsSchema: InstagramCredentialsInput,

  createCredentials(input) {
    const d = parseCredentials(InstagramCredentialsInput, input, listIssues("Instagram"));
    const out: InstagramCredentials = {
      igUserId: d.igUserId,
      appSecret: d.appSecret,
      verifyToken: d.verifyToken ?? randomToken(24),
    };
    if (d.pageId) out.pageId = d.pageId;
    if (d.pageAccessToken) out.pageAccessToken = d.pageAccessToken;
    if (d.instagramAccessToken) out.instagramAccessToken = d.instagramAccessToken;
    if (d.appId) out.appId = d.appId;
    return out;
  },

  ...metaWebhook<InstagramCredentials>("instagram", "instagram", (c) => c.igUserId),

  /** Checks that the token can be used (Instagram Login: it belongs to the account). */
  async activate(connection, ctx) {
    const c = connection.credentials;
    const url = c.instagramAccessToken
      ? `${ctx.endpoints.instagramApiBase}/${ctx.endpoints.graphApiVersion}/me?fields=user_id,username`
      : `${graphBase(ctx)}/me?fields=id,name`;
    const me = await graphGet(url, c.instagramAccessToken ?? c.pageAccessToken!, ctx.timeoutMs);
    if (!me.ok) throw new ChannelSetupError(`Meta refused the access token: ${me.message}`);
    if (c.instagramAccessToken) {
      const id = String(me.body.user_id ?? me.body.id ?? "");
      if (id !== c.igUserId)
        throw new ChannelSetupError(
          `The Instagram token belongs to account ${id}, not to account ${c.igUserId}.`,
        );
    } else if (c.pageId && String(me.body.id) !== c.pageId) {
      throw new ChannelSetupError(
        `The page access token belongs to page ${String(me.body.id)}, not to page ${c.pageId}.`,
      );
    }
  },

  send: (connection, message, ctx) =>
    message.comment?.mention
      ? replyToMention(comments(connection.credentials, ctx), message, ctx)
      : message.comment
        ? replyToComment(comments(connection.credentials, ctx), message, ctx)
        : sendThroughGraph(
            target(connection.credentials, ctx),
            {
              platform: "instagram",
              tooLong: (text) => {
                const bytes = Buffer.byteLength(text, "utf8");
                return bytes > TEXT_MAX_BYTES
                  ? `Instagram takes at most ${TEXT_MAX_BYTES} bytes of text in a message; this one has ${bytes} (emoji and non-Latin letters take several bytes).`
                  : null;
              },
            },
            message,
            ctx,
          ),

  commentPost: (connection, postId, ctx) => fetchPost(comments(connection.credentials, ctx), postId, ctx),
  commentMention: (connection, mention, ctx) =>
    fetchMention(comments(connection.credentials, ctx), mention, ctx),
  moderateComment: (connection, commentId, action, ctx) =>
    moderate(comments(connection.credentials, ctx), commentId, action, ctx),

  markSeen: (connection, t, ctx) =>
    markSeenThroughGraph(target(connection.credentials, ctx), t.externalContactId, ctx),

  /** `GET /{igsid}?fields=name,username,profile_pic` on the API base and with the token the connection uses. */
  profile: (connection, igsid, ctx) => {
    const c = connection.credentials;
    const base = c.instagramAccessToken
      ? `${ctx.endpoints.instagramApiBase}/${ctx.endpoints.graphApiVersion}`
      : graphBase(ctx);
    return graphProfile(
      `${base}/${encodeURIComponent(igsid)}?fields=name,username,profile_pic`,
      c.instagramAccessToken ?? c.pageAccessToken!,
      "Instagram",
      ctx.timeoutMs,
    );
  },
};
