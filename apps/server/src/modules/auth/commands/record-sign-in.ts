import type { AppContext } from "../../../context";
import { AppError } from "../../../lib/errors";
import { recordAudit } from "../../audit/record";

interface Source {
  ip: string | null;
  userAgent: string | null;
}

/** `auth.sign_in`: a session was opened for the user (sign-in, first run, accepted invitation). */
export async function recordSignIn(
  ctx: AppContext,
  user: { id: string; workspace_id: string },
  source: Source,
  at: Date,
) {
  await ctx.db.tx((q) =>
    recordAudit(q, {
      workspaceId: user.workspace_id,
      userId: user.id,
      action: "auth.sign_in",
      targetType: "user",
      targetId: user.id,
      data: { userAgent: source.userAgent },
      ...source,
      at,
    }),
  );
}

/**
 * `auth.sign_in_failed`: a wrong password, an unknown email, or an attempt refused by the rate limit. It goes
 * to the workspace of the account the email names; an unknown email is recorded only when the server holds
 * a single workspace (otherwise no workspace can be said to have been targeted).
 */
export async function recordSignInFailed(
  ctx: AppContext,
  email: string,
  source: Source,
  reason: "wrong_password" | "rate_limited",
) {
  const at = ctx.clock.now();
  await ctx.db.tx(async (q) => {
    const [account] = await q.query<{ id: string; workspace_id: string }>(
      "select id, workspace_id from users where lower(email) = lower($1) limit 1",
      [email],
    );
    const workspaces = account
      ? [{ id: account.workspace_id }]
      : await q.query<{ id: string }>("select id from workspaces limit 2");
    if (workspaces.length !== 1) return;
    await recordAudit(q, {
      workspaceId: workspaces[0]!.id,
      userId: account?.id ?? null,
      action: "auth.sign_in_failed",
      targetType: "user",
      targetId: account?.id ?? null,
      data: { email: email.toLowerCase(), reason, userAgent: source.userAgent },
      ...source,
      at,
    });
  });
}

/** For `.catch` on the password check: records a wrong password, then rethrows whatever was thrown. */
export const failedSignIn =
  (ctx: AppContext, email: string, source: Source) =>
  async (err: unknown): Promise<never> => {
    if (err instanceof AppError && err.code === "invalid_credentials")
      await recordSignInFailed(ctx, email, source, "wrong_password");
    throw err;
  };
