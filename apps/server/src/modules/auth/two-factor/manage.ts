import type { Role } from "@parley/protocol";
import { type AppContext, transact } from "../../../context";
import { conflict } from "../../../lib/errors";
import { iso } from "../../../lib/time";
import type { SignInLimiter } from "../signin-limiter";
import { auditAuth as audit, type Prover } from "./audit";
import { requiresTwoFactor } from "./policy";
import {
  loadTwoFactor,
  markEnabled,
  recoveryCodesLeft,
  removeTwoFactor,
  replaceRecoveryCodes,
  savePendingSecret,
} from "./store";
import { enrolmentOf, newSecret } from "./totp";
import { type Proof, prove } from "./verify";

/** A person's two-factor state as their profile shows it. */
export async function twoFactorStatus(
  ctx: AppContext,
  who: { userId: string; workspaceId: string; role: Role },
) {
  const row = await loadTwoFactor(ctx.db, who.userId);
  const enabled = Boolean(row?.enabled_at);
  return {
    enabled,
    enabledAt: iso(row?.enabled_at ?? null),
    recoveryCodesLeft: enabled ? await recoveryCodesLeft(ctx.db, who.userId) : 0,
    required: await requiresTwoFactor(ctx.db, { workspace_id: who.workspaceId, role: who.role }),
  };
}

/** Makes a new secret waiting for its first code; nothing is in force until it is confirmed. */
export async function startEnrolment(ctx: AppContext, who: { userId: string; email: string }) {
  const row = await loadTwoFactor(ctx.db, who.userId);
  if (row?.enabled_at)
    throw conflict("Two-factor sign-in is on already; turn it off first to set up a new app.");
  const secret = newSecret();
  await savePendingSecret(ctx.db, who.userId, ctx.secrets.seal(secret), ctx.clock.now());
  return enrolmentOf(secret, who.email);
}

/** Turns two-factor sign-in on with the first right code from the app, and answers ten new recovery codes. */
export async function confirmEnrolment(ctx: AppContext, limiter: SignInLimiter, who: Prover, code: string) {
  const row = await loadTwoFactor(ctx.db, who.userId);
  if (row?.enabled_at) throw conflict("Two-factor sign-in is on already.");
  if (!row)
    throw conflict("Start setting up two-factor sign-in first: there is no secret waiting for a code.");
  await prove(ctx, limiter, who, { code }, { password: false, recovery: false, pending: true });
  return transact(ctx, async (tx) => {
    await markEnabled(tx.q, who.userId, tx.now);
    const codes = await replaceRecoveryCodes(tx.q, who.userId, tx.now);
    await audit(tx.q, who, "auth.two_factor_enabled", {}, tx.now);
    return codes;
  });
}

/** Turns two-factor sign-in off with the password or a code, unless the person's role requires it. */
export async function disableTwoFactor(
  ctx: AppContext,
  limiter: SignInLimiter,
  who: Prover & { role: Role },
  proof: Proof,
) {
  const row = await loadTwoFactor(ctx.db, who.userId);
  if (!row?.enabled_at) throw conflict("Two-factor sign-in is not on.");
  if (await requiresTwoFactor(ctx.db, { workspace_id: who.workspaceId, role: who.role }))
    throw conflict("Your workspace requires two-factor sign-in for your role, so it cannot be turned off.");
  const proven = await prove(ctx, limiter, who, proof, { password: true, recovery: true });
  await transact(ctx, async (tx) => {
    await removeTwoFactor(tx.q, who.userId);
    await audit(tx.q, who, "auth.two_factor_disabled", { method: proven.method }, tx.now);
  });
}

/** Replaces the recovery codes (the old ones stop working) and answers the new ones, once. */
export async function regenerateRecoveryCodes(ctx: AppContext, who: Prover) {
  const row = await loadTwoFactor(ctx.db, who.userId);
  if (!row?.enabled_at) throw conflict("Two-factor sign-in is not on.");
  return transact(ctx, async (tx) => {
    const codes = await replaceRecoveryCodes(tx.q, who.userId, tx.now);
    await audit(tx.q, who, "auth.recovery_codes_regenerated", {}, tx.now);
    return codes;
  });
}
