import type { ChannelAdapter } from "../types";
import { webhookUrl } from "../webhook-url";
import { parseMetaWebhook } from "./inbound";
import type { MetaSettings } from "./payloads";
import { answerChallenge, verifyMetaSignature } from "./signing";

interface MetaCredentials {
  appSecret: string;
  verifyToken: string;
  appId?: string;
}

/**
 * The webhook half Messenger and Instagram share: signed with the app secret, Meta's hub handshake with the
 * connection's verify token, one envelope (`object` "page" or "instagram") addressed to the account.
 */
export function metaWebhook<C extends MetaCredentials>(
  type: "messenger" | "instagram",
  object: "page" | "instagram",
  accountIdOf: (credentials: C) => string,
): Pick<ChannelAdapter<C, MetaSettings>, "revealOnCreate" | "verify" | "verifyChallenge" | "parse"> {
  return {
    revealOnCreate: (credentials, connectionId, publicUrl) => ({
      webhookUrl: webhookUrl(publicUrl, type, connectionId),
      verifyToken: credentials.verifyToken,
    }),
    verify: (raw, headers, credentials) => verifyMetaSignature(raw, headers, credentials.appSecret),
    verifyChallenge: (query, connection) => answerChallenge(query, connection.credentials.verifyToken),
    parse: (raw, connection, ctx) =>
      parseMetaWebhook(
        raw,
        {
          object,
          accountId: accountIdOf(connection.credentials),
          ...(connection.credentials.appId ? { appId: connection.credentials.appId } : {}),
        },
        ctx,
      ),
  };
}
