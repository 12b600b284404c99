import type { Role } from "@parley/protocol";
import { type AppContext, transact } from "../../../context";
import type { Actor } from "../../../domain/permissions";
import { randomToken, sha256Hex } from "../../../lib/crypto";
import { AppError, badRequest, forbidden, notFound } from "../../../lib/errors";
import { type AuditSource, recordAudit } from "../../audit/record";
import { mayGrant, normalized } from "../../roles/guard";
import { builtInPermissions, loadCustomRole } from "../../roles/queries/list-roles";
import { emailInvitation } from "../../users/invitation-email";
import { INVITATION_COLUMNS, type InvitationRow, presentInvitation } from "../present";

const INVITATION_TTL_MS = 7 * 86400_000;

/**
 * Invites a person (audited): a one-time link valid for a week, emailed when SMTP is configured. Refused
 * when the email already has an account.
 */
export async function invite(
  ctx: AppContext,
  actor: Actor,
  input: { email: string; role?: Exclude<Role, "owner"> | undefined; customRoleId?: string | undefined },
  source: AuditSource,
) {
  const { role, customRoleId } = await invitedRole(ctx, actor, input);
  const taken = await ctx.db.query("select 1 from users where lower(email) = $1", [input.email]);
  if (taken.length) throw new AppError("conflict", "A user with this email already exists.");
  const token = randomToken(32);
  const row = await transact(ctx, async (tx) => {
    const [inv] = await tx.q.query<InvitationRow>(
      `insert into invitations (workspace_id, email, role, custom_role_id, token_hash, invited_by, expires_at, created_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8) returning ${INVITATION_COLUMNS}`,
      [
        actor.workspaceId,
        input.email,
        role,
        customRoleId,
        sha256Hex(token),
        actor.userId,
        new Date(tx.now.getTime() + INVITATION_TTL_MS),
        tx.now,
      ],
    );
    await recordAudit(tx.q, {
      workspaceId: actor.workspaceId,
      userId: actor.userId,
      action: "invitation.created",
      targetType: "invitation",
      targetId: inv!.id,
      data: { email: input.email, role, customRoleId },
      ...source,
      at: tx.now,
    });
    return inv!;
  });
  const acceptUrl = `${ctx.config.publicUrl}/invite/${token}`;
  const emailed = await emailInvitation(ctx, actor.userId, input.email, acceptUrl);
  return { invitation: presentInvitation(row), acceptUrl, emailed };
}

/**
 * The role an invitation gives: a built-in one (admins only by the owner), or a custom role of the workspace,
 * whose base goes in `role`. Like giving a role to a member, the inviter must hold every permission it grants.
 */
async function invitedRole(
  ctx: AppContext,
  actor: Actor,
  input: { role?: Exclude<Role, "owner"> | undefined; customRoleId?: string | undefined },
): Promise<{ role: Exclude<Role, "owner">; customRoleId: string | null }> {
  if (input.customRoleId) {
    if (input.role) throw badRequest("Give either a role or a custom role, not both.");
    const custom = await loadCustomRole(ctx.db, actor.workspaceId, input.customRoleId);
    if (!custom) throw notFound("Role");
    mayGrant(actor, [], normalized(custom.permissions));
    return { role: custom.base, customRoleId: custom.id };
  }
  if (!input.role)
    throw badRequest("Give the role (admin, supervisor, agent) or a custom role (customRoleId).");
  if (input.role === "admin" && actor.role !== "owner") throw forbidden("Only the owner can invite admins.");
  mayGrant(actor, [], await builtInPermissions(ctx.db, actor.workspaceId, input.role));
  return { role: input.role, customRoleId: null };
}
