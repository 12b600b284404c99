import { type AppContext, transact } from "../../context";
import { AppError } from "../../lib/errors";
import { iso } from "../../lib/time";
import type { SignInLimiter } from "./signin-limiter";
import { auditAuth, type Prover } from "./two-factor/audit";
import { loadTwoFactor } from "./two-factor/store";
import { type Proof, prove } from "./two-factor/verify";

/** How long a sign-in or a step-up counts as proof for dangerous actions. */
export const STEP_UP_MAX_AGE_MS = 10 * 60_000;

/** Until when the session counts as recently proven (its sign-in or last step-up plus ten minutes), or null. */
export async function recentAuthUntil(ctx: AppContext, sessionId: string): Promise<Date | null> {
  const [row] = await ctx.db.query<{ at: Date }>(
    "select coalesce(reauthenticated_at, created_at) as at from sessions where id = $1",
    [sessionId],
  );
  if (!row) return null;
  const until = new Date(new Date(row.at).getTime() + STEP_UP_MAX_AGE_MS);
  return until > ctx.clock.now() ? until : null;
}

/**
 * Refuses a dangerous action (exports, erasure, bulk deletion, channel credentials) unless the caller's
 * session proved who its person is within the last ten minutes: signing in counts, and so does
 * POST /api/auth/step-up. Callers without a session (API tokens) are not asked. One line in a route:
 * `await requireRecentAuth(ctx, actor);`
 */
export async function requireRecentAuth(
  ctx: AppContext,
  actor: { sessionId?: string | null | undefined },
): Promise<void> {
  if (!actor.sessionId) return;
  if (await recentAuthUntil(ctx, actor.sessionId)) return;
  throw new AppError(
    "step_up_required",
    "Confirm it is you before this action: enter your password or a code from your authenticator app again. It then stays confirmed for 10 minutes.",
  );
}

/**
 * Renews the session's proof with the password, a current code or a recovery code (spent, and audited as
 * `auth.recovery_code_used` too: it is the way in for someone without their phone); audited as `auth.step_up`.
 */
export async function stepUp(
  ctx: AppContext,
  limiter: SignInLimiter,
  who: Prover,
  sessionId: string,
  proof: Proof,
) {
  if (
    (proof.code !== undefined || proof.recoveryCode !== undefined) &&
    !(await loadTwoFactor(ctx.db, who.userId))?.enabled_at
  )
    throw new AppError(
      "validation_failed",
      "Two-factor sign-in is not on for you: confirm with your password.",
    );
  const proven = await prove(ctx, limiter, who, proof, { password: true, recovery: true });
  return transact(ctx, async (tx) => {
    await tx.q.query("update sessions set reauthenticated_at = $2 where id = $1", [sessionId, tx.now]);
    await auditAuth(tx.q, who, "auth.step_up", { method: proven.method }, tx.now);
    return {
      recentUntil: iso(new Date(tx.now.getTime() + STEP_UP_MAX_AGE_MS))!,
      recoveryCodesLeft: proven.recoveryCodesLeft,
    };
  });
}
