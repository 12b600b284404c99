import type { AppContext } from "../../../context";
import { AppError } from "../../../lib/errors";
import { USER_COLUMNS, type UserRow } from "../../users/present";
import { sessionView } from "../queries/session-view";
import { createSession, resolveSession, timingDummy, verifyPassword } from "../sessions";
import type { SignInLimiter } from "../signin-limiter";
import { recordSignIn } from "./record-sign-in";

/**
 * Checks an email and password: an active user's password, or a dummy hash for an unknown email so both
 * cost the same. Wrong passwords are counted by the limiter.
 */
export async function checkPassword(
  ctx: AppContext,
  limiter: SignInLimiter,
  ip: string,
  email: string,
  password: string,
): Promise<UserRow> {
  const [user] = await ctx.db.query<UserRow & { password_hash: string | null }>(
    `select ${USER_COLUMNS}, password_hash from users where lower(email) = $1 and status = 'active'`,
    [email],
  );
  const ok = user?.password_hash
    ? await verifyPassword(user.password_hash, password)
    : await verifyPassword(await timingDummy(), password).then(() => false);
  if (!user || !ok) {
    await limiter.failed(ip, email);
    throw new AppError("invalid_credentials", "The email or password is wrong.");
  }
  await limiter.succeeded(ip, email);
  return user;
}

/** Opens a session for a user: its cookie token and the session answer (user, CSRF token, workspace). */
export async function startSession(
  ctx: AppContext,
  user: UserRow,
  meta: { ip: string | null; userAgent: string | null },
) {
  const now = ctx.clock.now();
  const session = await createSession(ctx.db, user, ctx.config.SESSION_TTL_HOURS, meta, now);
  await recordSignIn(ctx, user, meta, now);
  const actor = await resolveSession(ctx.db, session.token, now);
  if (!actor) throw new AppError("unauthenticated", "The session ended as it started; sign in again.");
  return { token: session.token, expiresAt: session.expiresAt, answer: await sessionView(ctx.db, actor) };
}
