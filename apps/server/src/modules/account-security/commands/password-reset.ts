import { randomUUID } from "node:crypto";
import { type AppContext, transact } from "../../../context";
import { kysely } from "../../../db/kysely";
import { type Actor, can } from "../../../domain/permissions";
import { AppError, forbidden, notFound } from "../../../lib/errors";
import { recordAudit } from "../../audit/record";
import { hashPassword } from "../../auth/sessions";
import { endSessions } from "../../users/commands/end-sessions";
import { loadUserRow } from "../../users/queries/users";
import { claimLink, createLink, linkUrl } from "../links";
import { JOB_RESET_REQUEST } from "../mail";

export interface Source {
  ip: string | null;
  userAgent: string | null;
}

/**
 * "Forgot password": the same work whatever the address (one job row), so neither the answer nor its time
 * tells whether an account exists. The job finds the account and mails the link.
 */
export async function requestPasswordReset(ctx: AppContext, email: string, source: Source) {
  await transact(ctx, (tx) =>
    tx.enqueue(JOB_RESET_REQUEST, {
      email,
      linkId: randomUUID(),
      ip: source.ip,
      userAgent: source.userAgent,
    }),
  );
}

/** Sets a new password from a reset link (once, within the hour) and ends every session of the person. */
export async function confirmPasswordReset(
  ctx: AppContext,
  input: { token: string; password: string },
  source: Source,
) {
  const hash = await hashPassword(input.password);
  const user = await transact(ctx, async (tx) => {
    const link = await claimLink(tx.q, input.token, "password_reset", tx.now);
    const updated = await kysely(tx.q)
      .updateTable("users")
      .set({ password_hash: hash, updated_at: tx.now })
      .where("id", "=", link.user_id)
      .where("status", "=", "active")
      .returning(["id", "workspace_id"])
      .executeTakeFirst();
    if (!updated)
      throw new AppError("forbidden", "This account is deactivated: ask an admin to reactivate it.");
    await recordAudit(tx.q, {
      workspaceId: link.workspace_id,
      userId: link.user_id,
      action: "auth.password_reset",
      targetType: "user",
      targetId: link.user_id,
      data: { link: link.id },
      ...source,
      at: tx.now,
    });
    return updated;
  });
  const ended = await endSessions(ctx, user.workspace_id, user.id, null);
  return { signedOutSessions: ended };
}

/**
 * Whether an admin may act on a person's account security (reset link, sessions): `people.manage`; the
 * owner's account only by the owner, an admin's only by the owner or that admin.
 */
export function assertManages(actor: Actor, target: { id: string; role: string }) {
  if (!can(actor, "people.manage"))
    throw forbidden("Managing people's sign-in needs the people.manage permission (owners and admins).");
  if (target.id === actor.userId) return;
  if (target.role === "owner") throw forbidden("Only the owner manages the owner's sign-in.");
  if (target.role === "admin" && actor.role !== "owner")
    throw forbidden("Only the owner manages an admin's sign-in.");
}

/** An admin issues a reset link for a person (to hand over when Parley cannot email it). */
export async function issueResetLink(ctx: AppContext, actor: Actor, targetId: string, source: Source) {
  const target = await loadUserRow(ctx.db, actor.workspaceId, targetId);
  if (!target) throw notFound("User");
  assertManages(actor, target);
  if (target.status !== "active")
    throw new AppError("conflict", "This person's account is not active: reactivate it first.");
  return transact(ctx, async (tx) => {
    const link = await createLink(
      ctx,
      tx.q,
      { kind: "password_reset", workspaceId: actor.workspaceId, userId: target.id },
      tx.now,
    );
    await recordAudit(tx.q, {
      workspaceId: actor.workspaceId,
      userId: actor.userId,
      action: "auth.password_reset_requested",
      targetType: "user",
      targetId: target.id,
      data: { by: "admin", emailed: false },
      ...source,
      at: tx.now,
    });
    return { url: linkUrl(ctx, "password_reset", link!.id), expiresAt: link!.expiresAt.toISOString() };
  });
}
