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

export interface SessionActor extends Actor {
  sessionId: string;
  csrfToken: string;
  name: string;
  email: string;
  /** When the session was last used, as stored (written at most once a minute). */
  lastSeenAt?: Date;
}

declare module "fastify" {
  interface FastifyRequest {
    actor: SessionActor | null;
    rawBody: Buffer | null;
  }
  interface FastifyContextConfig {
    /** false: the route is public (no session needed). */
    auth?: boolean;
  }
}

/** The signed-in caller; routes that are not public can rely on it (the auth hook ran). */
export function actorOf(req: { actor: SessionActor | null }): SessionActor {
  if (!req.actor) throw new Error("actorOf called on a public route");
  return req.actor;
}

/** Where a request came from, as the audit log records it. */
export function requestSource(req: { ip: string; headers: { "user-agent"?: string } }) {
  return { ip: req.ip, userAgent: req.headers["user-agent"]?.slice(0, 500) ?? null };
}
