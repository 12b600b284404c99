import type { AppContext } from "../../../context";
import { uniqueViolation } from "../../../db/errors";
import { kysely } from "../../../db/kysely";
import { notFound } from "../../../lib/errors";
import { loadTag } from "../queries/tags";

/** Renames or recolours a tag (only what is given); a name another tag has is a 409. */
export async function editTag(
  ctx: AppContext,
  workspaceId: string,
  id: string,
  patch: { name?: string; color?: string },
) {
  const changed = await kysely(ctx.db)
    .updateTable("tags")
    .set((eb) => ({ name: patch.name ?? eb.ref("name"), color: patch.color ?? eb.ref("color") }))
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", id)
    .returning("id")
    .executeTakeFirst()
    .catch(uniqueViolation("Another tag already has this name."));
  if (!changed) throw notFound("Tag");
  return (await loadTag(ctx.db, workspaceId, id))!;
}
