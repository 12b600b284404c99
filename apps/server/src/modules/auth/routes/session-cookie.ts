import type { FastifyReply, FastifyRequest } from "fastify";
import type { AppContext } from "../../../context";
import { requestSource } from "../../../http/types";
import type { UserRow } from "../../users/present";
import { startSession } from "../commands/sign-in";
import { SESSION_COOKIE } from "../sessions";

/** Opens a session for the user and sets its cookie; answers with the session (user, CSRF token, workspace). */
export async function signInReply(ctx: AppContext, req: FastifyRequest, reply: FastifyReply, user: UserRow) {
  const session = await startSession(ctx, user, requestSource(req));
  return setSessionCookie(ctx, reply, session);
}

/** Sets the cookie of a session just opened; answers the session. */
export function setSessionCookie(
  ctx: AppContext,
  reply: FastifyReply,
  session: Awaited<ReturnType<typeof startSession>>,
) {
  reply.setCookie(SESSION_COOKIE, session.token, {
    httpOnly: true,
    sameSite: "lax",
    secure: ctx.config.publicUrl.startsWith("https://"),
    path: "/",
    expires: session.expiresAt,
  });
  return session.answer;
}
