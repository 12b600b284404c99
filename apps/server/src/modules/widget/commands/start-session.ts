import crypto from "node:crypto";
import { verifyIdentity, type WidgetCredentials } from "../../../channels/widget/adapter";
import type { AppContext } from "../../../context";
import { randomToken } from "../../../lib/crypto";
import { AppError } from "../../../lib/errors";
import { publicSettings } from "../present";
import { latestVisitorMessages } from "../queries/latest-messages";
import { visitorConsent } from "../queries/visitor-consent";
import type { WidgetConnection } from "../queries/widget-connection";
import type { SessionBody } from "../schema";
import { visitSource } from "../visit-source";
import { agentsReadUpTo, tokenHash, type Visitor, visitorByToken, visitorConversation } from "../visitors";

type IdentityState = "none" | "verified" | "ignored";

/** The signed-in user the page vouches for (R602): checked against the widget's identity secret. */
function verifiedIdentity(ctx: AppContext, conn: WidgetConnection, identity: SessionBody["identity"]) {
  if (!identity) return { externalId: null, state: "none" as IdentityState };
  if (!conn.settings.identityVerification) return { externalId: null, state: "ignored" as IdentityState };
  const credentials = ctx.secrets.open<WidgetCredentials>(conn.credentials_enc);
  if (!identity.hash || !verifyIdentity(credentials, identity.userId, identity.hash)) {
    throw new AppError(
      "invalid_signature",
      "The identity hash does not match the user id: compute HMAC-SHA256 of the user id with the widget's identity secret, in hex, on your server.",
    );
  }
  return { externalId: `u:${identity.userId}`, state: "verified" as IdentityState };
}

/** The visitor a token names, when it may be resumed on this connection by this (signed-in or not) user. */
async function resumable(
  ctx: AppContext,
  connectionId: string,
  token: string | undefined,
  externalId: string | null,
) {
  if (!token) return null;
  const visitor = await visitorByToken(ctx.db, token).catch(() => null);
  // Another connection's token, another signed-in user, or a user who signed out: a new visitor.
  if (
    visitor &&
    (visitor.connectionId !== connectionId ||
      (externalId !== null && visitor.externalId !== externalId) ||
      (externalId === null && visitor.verified))
  )
    return null;
  return visitor;
}

/**
 * Starts a visitor session, or resumes the one the token names: records where the visitor came from and
 * what they told about themselves, and answers with their conversation's latest messages.
 */
export async function startVisitorSession(
  ctx: AppContext,
  conn: WidgetConnection,
  body: SessionBody,
  userAgent: string,
) {
  const { externalId, state } = verifiedIdentity(ctx, conn, body.identity);
  const identity = state === "verified" ? body.identity : undefined;
  const source = visitSource(body.page, userAgent);
  const contact = {
    ...(body.contact ?? {}),
    ...(identity?.name ? { name: identity.name } : {}),
    ...(identity?.email ? { email: identity.email } : {}),
  };
  const existing: Visitor | null = await resumable(ctx, conn.id, body.token, externalId);
  const now = ctx.clock.now();
  let token = body.token ?? "";
  if (!existing) {
    token = randomToken(24);
    const id = crypto.randomUUID();
    await ctx.db.query(
      `insert into widget_visitors (id, workspace_id, connection_id, token_hash, external_id, verified, last_seen_at, source, contact, created_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $7)`,
      [
        id,
        conn.workspace_id,
        conn.id,
        tokenHash(token),
        externalId ?? `v:${id}`,
        state === "verified",
        now,
        JSON.stringify(source),
        JSON.stringify(contact),
      ],
    );
  } else {
    // The landing page and UTM stay those of the first visit; the current page follows the visitor.
    await ctx.db.query(
      `update widget_visitors set last_seen_at = $2, source = $3::jsonb || source || $4::jsonb,
         contact = contact || $5::jsonb where id = $1`,
      [
        existing.id,
        now,
        JSON.stringify(source),
        JSON.stringify({ currentPage: source.currentPage ?? "" }),
        JSON.stringify(contact),
      ],
    );
  }
  const visitor = await visitorByToken(ctx.db, token);
  const conversationId = await visitorConversation(ctx.db, visitor);
  if (conversationId && source.currentPage) {
    await ctx.db.query("update conversations set source = source || $2::jsonb where id = $1", [
      conversationId,
      JSON.stringify({ currentPage: source.currentPage }),
    ]);
  }
  return {
    token,
    visitorId: visitor.id,
    identity: state,
    conversationId,
    messages: conversationId ? await latestVisitorMessages(ctx, conversationId) : [],
    readUpTo: conversationId ? await agentsReadUpTo(ctx.db, visitor, conversationId) : 0,
    contact: visitor.contact,
    settings: publicSettings(conn.settings),
    consent: await visitorConsent(ctx.db, visitor),
  };
}
