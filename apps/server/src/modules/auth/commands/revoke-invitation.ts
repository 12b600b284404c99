import type { AppContext } from "../../../context";
import type { Actor } from "../../../domain/permissions";
import { notFound } from "../../../lib/errors";

/** Revokes an invitation not yet accepted. */
export async function revokeInvitation(ctx: AppContext, actor: Actor, id: string) {
  const rows = await ctx.db.query(
    "delete from invitations where id = $1 and workspace_id = $2 and accepted_at is null returning id",
    [id, actor.workspaceId],
  );
  if (!rows.length) throw notFound("Invitation");
}
