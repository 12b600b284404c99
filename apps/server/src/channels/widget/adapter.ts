import { WIDGET_CAPABILITIES, WidgetSettings } from "@parley/protocol";
import type { Queryable } from "../../db/client";
import { hmacSha256Hex, randomToken, safeEqual } from "../../lib/crypto";
import { AppError } from "../../lib/errors";
import { type ChannelAdapter, ChannelSendError } from "../types";

export interface WidgetCredentials {
  /** Signs the site's signed-in user ids (identity verification); shown once, like other secrets. */
  identitySecret: string;
}

/** A visitor whose socket has not been heard from for this long has left the site. */
export const PRESENCE_TIMEOUT_MS = 60_000;

/** The identity hash a site's backend computes for its signed-in user: HMAC-SHA256(secret, user id), hex. */
export const identityHash = (secret: string, userId: string) => hmacSha256Hex(secret, userId);

export function verifyIdentity(credentials: WidgetCredentials, userId: string, hash: string): boolean {
  return safeEqual(hash.toLowerCase(), identityHash(credentials.identitySecret, userId));
}

/** When the visitor (any of its tabs or browsers) was last seen, or null if never. */
export async function lastSeen(
  db: Queryable,
  connectionId: string,
  externalId: string,
): Promise<Date | null> {
  const [row] = await db.query<{ seen: Date | null }>(
    "select max(last_seen_at) as seen from widget_visitors where connection_id = $1 and external_id = $2",
    [connectionId, externalId],
  );
  return row?.seen ? new Date(row.seen) : null;
}

/**
 * The website chat widget: Parley's own protocol, no provider. Visitors write through the visitor API
 * (modules/widget), which hands their messages to the one ingest command; agents' replies reach the visitor's
 * socket as soon as they are stored, and `send` only checks that the visitor is still on the site.
 */
export const widgetChannel: ChannelAdapter<WidgetCredentials, WidgetSettings> = {
  type: "widget",
  capabilities: WIDGET_CAPABILITIES,
  settingsSchema: WidgetSettings,
  connectable: false,

  // The secret is always Parley's own: rotating generates a new one.
  createCredentials: () => ({ identitySecret: randomToken(32) }),

  revealOnCreate: (credentials, connectionId, publicUrl) => ({
    embedCode: `<script src="${publicUrl}/widget/loader.js" data-parley-widget="${connectionId}" async></script>`,
    identitySecret: credentials.identitySecret,
  }),

  // No webhooks: visitors use the visitor API.
  verify: () => false,
  parse() {
    throw new AppError("bad_request", "The web chat widget has no webhook: visitors use /api/widget.");
  },

  async send(connection, message, ctx) {
    const now = ctx.now();
    const seen = await lastSeen(ctx.db, connection.id, message.externalContactId);
    if (!seen || now.getTime() - seen.getTime() > PRESENCE_TIMEOUT_MS) {
      throw new ChannelSendError(
        "visitor_left",
        "The visitor left the site before this message reached them; they will see it if they come back.",
        false,
      );
    }
    // The widget shows the message from the stored feed; its acknowledgements report it by this id.
    return { providerMessageId: message.id };
  },
};
