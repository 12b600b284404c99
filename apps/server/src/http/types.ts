import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import type { Actor } from "../domain/permissions";

export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

/** A person signed in with the session cookie. */
export interface SessionActor extends Actor {
  sessionId: string;
  csrfToken: string;
  name: string;
  email: string;
  tokenId?: undefined;
  /** When the session was last used, as stored (written at most once a minute). */
  lastSeenAt?: Date;
  /** The person's role requires two-factor sign-in and they have not set it up (R802). */
  twoFactorEnrolmentRequired?: boolean;
}

/**
 * A workspace API token (R806, `Authorization: Bearer prl_…`): acts in the workspace with exactly the token's
 * permissions (never more than its creator still holds). `userId`, `name` and `email` are the creator's, for
 * authorship; `tokenId` names the token in the audit log.
 */
export interface TokenActor extends Actor {
  tokenId: string;
  tokenName: string;
  name: string;
  email: string;
  sessionId?: undefined;
  csrfToken?: undefined;
}

/** Whoever called a non-public route: a signed-in person or an API token. */
export type RequestActor = SessionActor | TokenActor;

declare module "fastify" {
  interface FastifyRequest {
    actor: RequestActor | null;
    rawBody: Buffer | null;
  }
  interface FastifyContextConfig {
    /** false: the route is public (no session needed). */
    auth?: boolean;
    /** true: only a signed-in person may call it, never an API token (see `http/person-only.ts`). */
    personOnly?: boolean;
  }
}

/** The caller; routes that are not public can rely on it (the auth hook ran). */
export function actorOf(req: { actor: RequestActor | null }): RequestActor {
  if (!req.actor) throw new Error("actorOf called on a public route");
  return req.actor;
}

/**
 * The signed-in person, on a route only a person may call (`http/person-only.ts` refuses API tokens there
 * before the handler runs).
 */
export function sessionActorOf(req: { actor: RequestActor | null }): SessionActor {
  const actor = actorOf(req);
  if (actor.tokenId !== undefined) throw new Error("sessionActorOf called on a route an API token may call");
  return actor;
}

/** Where a request came from, as the audit log records it (with the API token it came through, if any). */
export function requestSource(req: {
  ip: string;
  headers: { "user-agent"?: string };
  actor?: RequestActor | null;
}) {
  return {
    ip: req.ip,
    userAgent: req.headers["user-agent"]?.slice(0, 500) ?? null,
    tokenId: req.actor?.tokenId ?? null,
  };
}
