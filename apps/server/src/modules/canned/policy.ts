import type { AppContext } from "../../context";
import { kysely } from "../../db/kysely";
import { type Actor, can } from "../../domain/permissions";
import { forbidden, notFound } from "../../lib/errors";

/** A canned reply is changed by its author or a supervisor; answers 404 when the workspace has no such reply. */
export async function assertMayChangeCanned(
  ctx: AppContext,
  actor: Actor,
  id: string,
  verb: "edit" | "delete",
): Promise<void> {
  const existing = await kysely(ctx.db)
    .selectFrom("canned_replies")
    .select("created_by")
    .where("workspace_id", "=", actor.workspaceId)
    .where("id", "=", id)
    .executeTakeFirst();
  if (!existing) throw notFound("Canned reply");
  if (!can(actor, "content.manage") && existing.created_by !== actor.userId)
    throw forbidden(`Only its author or a supervisor can ${verb} this canned reply.`);
}
