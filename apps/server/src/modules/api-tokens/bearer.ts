import type { FastifyReply, FastifyRequest } from "fastify";
import type { AppContext } from "../../context";
import { requestSource } from "../../http/types";
import { AppError } from "../../lib/errors";
import { recordAudit } from "../audit/record";
import { missedPermissions, resolveApiToken, TOKEN_PREFIX } from "./resolve";

/** What a bot's token may call (R702): replying in and handing over its own conversations. */
const BOT_ROUTES = new Set(["POST /api/conversations/:id/messages", "POST /api/conversations/:id/handover"]);

/** The credentials of `Authorization: Bearer <secret>`, or null without one. */
export function bearerSecret(req: FastifyRequest): string | null {
  const h = req.headers.authorization;
  if (typeof h !== "string") return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m ? m[1]! : null;
}

/** Whether a request names an API token (a public route may take one, e.g. to download a file). */
export const carriesApiToken = (req: FastifyRequest) => bearerSecret(req)?.startsWith(TOKEN_PREFIX) === true;

/**
 * Authenticates a request by its API token and sets `req.actor` (R806). `required`: the route needs a caller,
 * so a token that cannot act is a 401 (or a 429 over its rate limit); otherwise such a request goes on
 * without a caller. No CSRF check: a bearer token is never sent by a browser on its own.
 */
export async function authenticateBearer(
  ctx: AppContext,
  req: FastifyRequest,
  reply: FastifyReply,
  required: boolean,
): Promise<void> {
  const secret = bearerSecret(req);
  if (!secret) {
    if (required)
      throw new AppError("unauthenticated", "Send an API token as `Authorization: Bearer prl_…`.");
    return;
  }
  const now = ctx.clock.now();
  const r = await resolveApiToken(ctx.db, secret, req.ip, now);
  if (r.kind === "ok") {
    if (r.actor.botId && !BOT_ROUTES.has(`${req.method} ${req.routeOptions.url}`))
      throw new AppError(
        "forbidden",
        "A bot's token can only reply to and hand over the bot's conversations (POST /api/conversations/{id}/messages, POST /api/conversations/{id}/handover).",
      );
    req.actor = r.actor;
    if (r.newAddress)
      await recordAudit(ctx.db, {
        workspaceId: r.actor.workspaceId,
        userId: r.actor.userId,
        action: "api_token.new_address",
        targetType: "api_token",
        targetId: r.actor.tokenId,
        data: { tokenId: r.actor.tokenId, name: r.actor.tokenName, ip: req.ip },
        ...requestSource(req),
        at: now,
      });
    return;
  }
  if (!required) return;
  if (r.kind === "rate_limited") {
    reply.header("retry-after", String(r.retryAfterSeconds));
    throw new AppError(
      "rate_limited",
      `The API token "${r.name}" made more than ${r.limit} requests this minute. Try again in ${r.retryAfterSeconds} seconds.`,
      { retryAfterSeconds: r.retryAfterSeconds },
    );
  }
  const messages = {
    unknown:
      "This API token is not valid: check that it was copied whole, or create a new one in Settings → API.",
    revoked: `The API token "${"name" in r ? r.name : ""}" was revoked: create a new one in Settings → API.`,
    expired: `The API token "${"name" in r ? r.name : ""}" has expired: create a new one in Settings → API.`,
    inactive_creator: `The API token "${"name" in r ? r.name : ""}" belongs to a person whose account is disabled: create a new one in Settings → API.`,
  } as const;
  throw new AppError("unauthenticated", messages[r.kind], { reason: r.kind });
}

/**
 * A refusal of a token's request, naming the permissions its checks asked for that the token does not hold
 * (whatever the route's own message says), so the token's owner knows what to add.
 */
export function explainRefusal(req: FastifyRequest, err: AppError): AppError {
  if (err.code !== "forbidden" || !req.actor?.tokenId) return err;
  const missing = missedPermissions(req.actor.permissions);
  if (!missing.length) return err;
  return new AppError(
    "forbidden",
    `${err.message} This API token does not hold the permission${missing.length > 1 ? "s" : ""} ${missing.map((p) => `"${p}"`).join(", ")}: create a token with it.`,
    { ...(typeof err.details === "object" ? err.details : {}), missingPermissions: missing },
  );
}
