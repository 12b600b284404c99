import type { Role } from "@parley/protocol";
import { type AppContext, transact } from "../../../context";
import type { Actor } from "../../../domain/permissions";
import { randomToken, sha256Hex } from "../../../lib/crypto";
import { AppError } from "../../../lib/errors";
import { type AuditSource, recordAudit } from "../../audit/record";
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
  input: { email: string; role: Exclude<Role, "owner"> },
  source: AuditSource,
) {
  const taken = await ctx.db.query("select 1 from users where lower(email) = $1", [input.email]);
  if (taken.length) throw new AppError("conflict", "A user with this email already exists.");
  const token = randomToken(32);
  const row = await transact(ctx, async (tx) => {
    const [inv] = await tx.q.query<InvitationRow>(
      `insert into invitations (workspace_id, email, role, token_hash, invited_by, expires_at, created_at)
       values ($1, $2, $3, $4, $5, $6, $7) returning ${INVITATION_COLUMNS}`,
      [
        actor.workspaceId,
        input.email,
        input.role,
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
      data: { email: input.email, role: input.role },
      ...source,
      at: tx.now,
    });
    return inv!;
  });
  const acceptUrl = `${ctx.config.publicUrl}/invite/${token}`;
  const emailed = await emailInvitation(ctx, actor.userId, input.email, acceptUrl);
  return { invitation: presentInvitation(row), acceptUrl, emailed };
}
