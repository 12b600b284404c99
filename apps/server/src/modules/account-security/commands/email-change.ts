import { type AppContext, transact } from "../../../context";
import { uniqueViolation } from "../../../db/errors";
import type { SessionActor } from "../../../http/types";
import { AppError } from "../../../lib/errors";
import { recordAudit } from "../../audit/record";
import { verifyPassword } from "../../auth/sessions";
import { claimLink, createLink } from "../links";
import { canMail, JOB_ACCOUNT_MAIL } from "../mail";
import type { Source } from "./password-reset";

const TAKEN = "This email address is already used by another account: choose another one.";

async function assertFree(q: { query: AppContext["db"]["query"] }, email: string, userId: string) {
  const [taken] = await q.query<{ id: string }>("select id from users where lower(email) = $1", [email]);
  if (taken && taken.id !== userId) throw new AppError("conflict", TAKEN, { reason: "taken" });
  if (taken) throw new AppError("bad_request", "This is already your email address.", { reason: "same" });
}

/**
 * Asks to change my email: needs my password and a mail server, and sends a confirmation link to the new
 * address (the address changes only when it is used).
 */
export async function requestEmailChange(
  ctx: AppContext,
  actor: SessionActor,
  input: { email: string; password: string },
  source: Source,
) {
  if (!canMail(ctx))
    throw new AppError(
      "unprocessable",
      "Parley has no mail server configured (SMTP_HOST), so it cannot confirm a new address: ask an admin.",
      { reason: "no_smtp" },
    );
  const [row] = await ctx.db.query<{ password_hash: string | null }>(
    "select password_hash from users where id = $1",
    [actor.userId],
  );
  if (!row?.password_hash || !(await verifyPassword(row.password_hash, input.password)))
    throw new AppError("invalid_credentials", "The password is wrong.");
  await assertFree(ctx.db, input.email, actor.userId);
  return transact(ctx, async (tx) => {
    const link = await createLink(
      ctx,
      tx.q,
      { kind: "email_change", workspaceId: actor.workspaceId, userId: actor.userId, newEmail: input.email },
      tx.now,
    );
    await recordAudit(tx.q, {
      workspaceId: actor.workspaceId,
      userId: actor.userId,
      action: "auth.email_change_requested",
      targetType: "user",
      targetId: actor.userId,
      data: { from: actor.email, to: input.email },
      ...source,
      at: tx.now,
    });
    await tx.enqueue(
      JOB_ACCOUNT_MAIL,
      { kind: "link", linkId: link!.id },
      { workspaceId: actor.workspaceId },
    );
    return { email: input.email, expiresAt: link!.expiresAt.toISOString() };
  });
}

/** Confirms a new email address from its link (once, within 24 hours); the old address gets a notice. */
export async function confirmEmailChange(ctx: AppContext, token: string, source: Source) {
  return transact(ctx, async (tx) => {
    const link = await claimLink(tx.q, token, "email_change", tx.now);
    const newEmail = link.new_email!;
    const [before] = await tx.q.query<{ email: string }>(
      "select email from users where id = $1 and status = 'active'",
      [link.user_id],
    );
    if (!before)
      throw new AppError("forbidden", "This account is deactivated: ask an admin to reactivate it.");
    await assertFree(tx.q, newEmail, link.user_id);
    await tx.q
      .query("update users set email = $2, updated_at = $3 where id = $1", [link.user_id, newEmail, tx.now])
      .catch(uniqueViolation(TAKEN));
    await recordAudit(tx.q, {
      workspaceId: link.workspace_id,
      userId: link.user_id,
      action: "auth.email_changed",
      targetType: "user",
      targetId: link.user_id,
      data: { from: before.email, to: newEmail },
      ...source,
      at: tx.now,
    });
    await tx.enqueue(
      JOB_ACCOUNT_MAIL,
      { kind: "email_changed", userId: link.user_id, oldEmail: before.email, newEmail },
      { workspaceId: link.workspace_id },
    );
    return { email: newEmail };
  });
}
