import type { AppContext } from "../../../context";
import { uniqueViolation } from "../../../db/errors";
import { kysely } from "../../../db/kysely";
import type { Actor } from "../../../domain/permissions";
import { notFound } from "../../../lib/errors";
import { assertMayChangeCanned } from "../policy";
import { CANNED_COLUMNS, presentCanned } from "../present";
import type { CannedInput } from "./create-canned-reply";

/** Changes the fields given (its author or a supervisor); a shortcut another reply has is a 409. */
export async function editCannedReply(
  ctx: AppContext,
  actor: Actor,
  id: string,
  patch: Partial<CannedInput>,
) {
  await assertMayChangeCanned(ctx, actor, id, "edit");
  const row = await kysely(ctx.db)
    .updateTable("canned_replies")
    .set({ ...patch, updated_at: ctx.clock.now() })
    .where("workspace_id", "=", actor.workspaceId)
    .where("id", "=", id)
    .returning(CANNED_COLUMNS)
    .executeTakeFirst()
    .catch(uniqueViolation("Another canned reply has this shortcut."));
  if (!row) throw notFound("Canned reply");
  return presentCanned(row);
}
