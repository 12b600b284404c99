import { type AppContext, transact } from "../../../context";
import { randomToken, sha256Hex } from "../../../lib/crypto";
import { AppError } from "../../../lib/errors";
import { iso } from "../../../lib/time";
import { USER_COLUMNS, type UserRow } from "../../users/present";
import { startSession } from "../commands/sign-in";
import type { SignInLimiter } from "../signin-limiter";
import { auditAuth } from "./audit";
import { startEnrolment } from "./manage";
import { requiresTwoFactor } from "./policy";
import { loadTwoFactor, markEnabled, replaceRecoveryCodes } from "./store";
import { type Proof, prove, refuseWhileLimited } from "./verify";

/** How long the step between the password and the code may take (setting up an app takes a while). */
export const CHALLENGE_TTL_MS = 10 * 60_000;

/**
 * After a right password: null when the person signs in with the password alone; otherwise a short-lived,
 * single-use challenge (not a session) for the second step — a code, or, when the workspace requires
 * two-factor sign-in for their role and they have not set it up, the setup itself (the new secret and its QR).
 */
export async function secondStepFor(ctx: AppContext, user: UserRow) {
  const row = await loadTwoFactor(ctx.db, user.id);
  const kind: "code" | "enrol" | null = row?.enabled_at
    ? "code"
    : (await requiresTwoFactor(ctx.db, user))
      ? "enrol"
      : null;
  if (!kind) return null;
  const token = randomToken(32);
  const now = ctx.clock.now();
  const expiresAt = new Date(now.getTime() + CHALLENGE_TTL_MS);
  await ctx.db.query("delete from sign_in_challenges where user_id = $1 or expires_at < $2", [user.id, now]);
  await ctx.db.query(
    `insert into sign_in_challenges (id, user_id, kind, expires_at, created_at) values ($1, $2, $3, $4, $5)`,
    [sha256Hex(token), user.id, kind, expiresAt, now],
  );
  return {
    next: kind,
    challenge: token,
    expiresAt: iso(expiresAt)!,
    enrolment: kind === "enrol" ? await startEnrolment(ctx, { userId: user.id, email: user.email }) : null,
  };
}

/**
 * The second step of signing in: a code from the app or a recovery code (or, for a forced setup, the first code
 * of the new secret, which turns two-factor sign-in on). Wrong codes are slowed down like wrong passwords.
 * On success the challenge is spent and the session opens; a recovery code's use says how many are left.
 */
export async function completeSecondStep(
  ctx: AppContext,
  limiter: SignInLimiter,
  reply: { header(name: string, value: string): unknown },
  input: { challenge: string; code?: string | undefined; recoveryCode?: string | undefined },
  meta: { ip: string; userAgent: string | null },
) {
  const id = sha256Hex(input.challenge);
  const [found] = await ctx.db.query<UserRow & { kind: "code" | "enrol" }>(
    `select c.kind, u.*
     from sign_in_challenges c
     join lateral (select ${USER_COLUMNS} from users where users.id = c.user_id and users.status = 'active') u on true
     where c.id = $1 and c.used_at is null and c.expires_at > $2`,
    [id, ctx.clock.now()],
  );
  if (!found)
    throw new AppError("unauthenticated", "This sign-in step expired. Sign in with your password again.");
  const { kind, ...user } = found;
  const who = { userId: user.id, workspaceId: user.workspace_id, email: user.email, ...meta };
  await refuseWhileLimited(limiter, reply, meta.ip, user.email);
  const proof: Proof = {
    code: input.code,
    recoveryCode: input.code === undefined ? input.recoveryCode : undefined,
  };
  const proven = await prove(ctx, limiter, who, proof, {
    password: false,
    recovery: kind === "code",
    pending: kind === "enrol",
  });
  const recoveryCodes = await transact(ctx, async (tx) => {
    const spent = await tx.q.query(
      "update sign_in_challenges set used_at = $2 where id = $1 and used_at is null returning 1",
      [id, tx.now],
    );
    if (spent.length !== 1) throw new AppError("unauthenticated", "This sign-in step was used already.");
    if (kind !== "enrol") return null;
    await markEnabled(tx.q, user.id, tx.now);
    const codes = await replaceRecoveryCodes(tx.q, user.id, tx.now);
    await auditAuth(tx.q, who, "auth.two_factor_enabled", { required: true }, tx.now);
    return codes;
  });
  const session = await startSession(ctx, user, meta);
  return {
    session,
    twoFactor: {
      usedRecoveryCode: proven.method === "recovery_code",
      recoveryCodesLeft: proven.recoveryCodesLeft,
      recoveryCodes,
    },
  };
}
