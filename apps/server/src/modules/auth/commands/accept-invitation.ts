import { type AppContext, transact } from "../../../context";
import { uniqueViolation } from "../../../db/errors";
import { AppError } from "../../../lib/errors";
import { type AuditSource, recordAudit } from "../../audit/record";
import { USER_COLUMNS, type UserRow } from "../../users/present";
import { findInvitation } from "../queries/invitations";
import { hashPassword } from "../sessions";

/**
 * Accepts an invitation: claims it once and creates the invited account with the invitation's role, and its
 * custom role when it gives one (audited).
 */
export async function acceptInvitation(
  ctx: AppContext,
  input: { token: string; name: string; password: string },
  source: AuditSource,
) {
  const inv = await findInvitation(ctx.db, input.token, ctx.clock.now());
  const passwordHash = await hashPassword(input.password);
  return transact(ctx, async (tx) => {
    const claimed = await tx.q.query(
      "update invitations set accepted_at = $2 where id = $1 and accepted_at is null returning id",
      [inv.id, tx.now],
    );
    if (!claimed.length) throw new AppError("conflict", "This invitation has just been used.");
    // The email may have got an account since the invitation was sent (another invitation).
    const [u] = await tx.q
      .query<UserRow>(
        `insert into users (workspace_id, email, name, role, custom_role_id, password_hash, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $7) returning ${USER_COLUMNS}`,
        [inv.workspace_id, inv.email, input.name, inv.role, inv.custom_role_id, passwordHash, tx.now],
      )
      .catch(uniqueViolation("A user with this email already exists: sign in instead."));
    await recordAudit(tx.q, {
      workspaceId: inv.workspace_id,
      userId: u!.id,
      action: "invitation.accepted",
      targetType: "invitation",
      targetId: inv.id,
      data: { email: inv.email, role: inv.role, customRoleId: inv.custom_role_id },
      ...source,
      at: tx.now,
    });
    return u!;
  });
}
