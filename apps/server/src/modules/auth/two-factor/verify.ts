import type { AppContext } from "../../../context";
import { AppError } from "../../../lib/errors";
import { verifyPassword } from "../sessions";
import type { SignInLimiter } from "../signin-limiter";
import { auditAuth, type Prover } from "./audit";
import { acceptStep, loadTwoFactor, recoveryCodesLeft, useRecoveryCode } from "./store";
import { matchingStep } from "./totp";

/** A proof of identity: the password, a code from the authenticator app, or (where allowed) a recovery code. */
export interface Proof {
  password?: string | undefined;
  code?: string | undefined;
  recoveryCode?: string | undefined;
}

/** The outcome of a good proof: whether a recovery code was spent, and how many are left. */
export interface Proven {
  method: "password" | "code" | "recovery_code";
  recoveryCodesLeft: number | null;
}

/** Refuses at once, with how long to wait, while wrong codes and passwords of this person are being slowed down. */
export async function refuseWhileLimited(
  limiter: SignInLimiter,
  reply: { header(name: string, value: string): unknown },
  ip: string,
  email: string,
) {
  const wait = await limiter.waitMs(ip, email);
  if (wait <= 0) return;
  const seconds = Math.ceil(wait / 1000);
  reply.header("retry-after", String(seconds));
  throw new AppError("rate_limited", `Too many wrong codes or passwords. Try again in ${seconds} seconds.`, {
    retryAfterSeconds: seconds,
  });
}

/**
 * Checks a code from the authenticator app against a secret in force (or waiting for confirmation when
 * `pending`): right now, and newer than the last accepted one. Takes its time-step as used.
 */
export async function checkTotp(ctx: AppContext, userId: string, code: string, pending = false) {
  const row = await loadTwoFactor(ctx.db, userId);
  if (!row || (row.enabled_at === null) !== pending) return false;
  const step = matchingStep(ctx.secrets.open<string>(row.secret_enc), code, ctx.clock.now());
  return step !== null && (await acceptStep(ctx.db, userId, step));
}

/**
 * Checks one proof of who the caller is. A wrong one is counted by the limiter (the caller refuses while it
 * slows this person down), a wrong code is audited as `auth.two_factor_failed`, a used recovery code as
 * `auth.recovery_code_used`. Passwords and recovery codes are accepted only where `allow` says so; `pending`
 * checks a code against the secret waiting for confirmation instead of the one in force.
 */
export async function prove(
  ctx: AppContext,
  limiter: SignInLimiter,
  who: Prover,
  proof: Proof,
  allow: { password: boolean; recovery: boolean; pending?: boolean },
): Promise<Proven> {
  const now = ctx.clock.now();
  let proven: Proven | null = null;
  if (proof.password !== undefined) {
    if (!allow.password) throw new AppError("validation_failed", "Send a code from your authenticator app.");
    const [row] = await ctx.db.query<{ password_hash: string | null }>(
      "select password_hash from users where id = $1",
      [who.userId],
    );
    if (row?.password_hash && (await verifyPassword(row.password_hash, proof.password)))
      proven = { method: "password", recoveryCodesLeft: null };
  } else if (proof.code !== undefined) {
    if (await checkTotp(ctx, who.userId, proof.code, allow.pending))
      proven = { method: "code", recoveryCodesLeft: null };
  } else if (proof.recoveryCode !== undefined && allow.recovery) {
    if (await useRecoveryCode(ctx.db, who.userId, proof.recoveryCode, now)) {
      const left = await recoveryCodesLeft(ctx.db, who.userId);
      proven = { method: "recovery_code", recoveryCodesLeft: left };
      await auditAuth(ctx.db, who, "auth.recovery_code_used", { left }, now);
    }
  } else {
    throw new AppError("validation_failed", "Send the password or a code.");
  }
  if (!proven) {
    await limiter.failed(who.ip, who.email);
    if (proof.password === undefined)
      await auditAuth(
        ctx.db,
        who,
        "auth.two_factor_failed",
        { method: proof.code ? "code" : "recovery_code" },
        now,
      );
    throw new AppError(
      "invalid_credentials",
      proof.password !== undefined
        ? "The password is wrong."
        : "The code is wrong or was used already. Wait for the next code from your app.",
    );
  }
  await limiter.succeeded(who.ip, who.email);
  return proven;
}
