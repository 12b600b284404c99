import type { AppContext } from "../../../context";
import { kysely } from "../../../db/kysely";
import type { Actor } from "../../../domain/permissions";
import { assertMayChangeCanned } from "../policy";

/** Deletes a canned reply (its author or a supervisor). */
export async function deleteCannedReply(ctx: AppContext, actor: Actor, id: string): Promise<void> {
  await assertMayChangeCanned(ctx, actor, id, "delete");
  await kysely(ctx.db)
    .deleteFrom("canned_replies")
    .where("workspace_id", "=", actor.workspaceId)
    .where("id", "=", id)
    .execute();
}
