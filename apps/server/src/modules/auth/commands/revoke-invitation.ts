import { type AppContext, transact } from "../../../context";
import type { Actor } from "../../../domain/permissions";
import { notFound } from "../../../lib/errors";
import { type AuditSource, recordAudit } from "../../audit/record";

/** Revokes an invitation not yet accepted (audited). */
export async function revokeInvitation(ctx: AppContext, actor: Actor, id: string, source: AuditSource) {
  await transact(ctx, async (tx) => {
    const [row] = await tx.q.query<{ email: string; role: string }>(
      "delete from invitations where id = $1 and workspace_id = $2 and accepted_at is null returning email, role",
      [id, actor.workspaceId],
    );
    if (!row) throw notFound("Invitation");
    await recordAudit(tx.q, {
      workspaceId: actor.workspaceId,
      userId: actor.userId,
      action: "invitation.revoked",
      targetType: "invitation",
      targetId: id,
      data: { email: row.email, role: row.role },
      ...source,
      at: tx.now,
    });
  });
}
