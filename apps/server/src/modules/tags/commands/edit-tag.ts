import { type AppContext, transact } from "../../../context";
import { uniqueViolation } from "../../../db/errors";
import { kysely } from "../../../db/kysely";
import { notFound } from "../../../lib/errors";
import { TAG_CONTACTS_JOB } from "../contacts-updated-job";
import { loadTag } from "../queries/tags";

/**
 * Renames or recolours a tag (only what is given); a name another tag has is a 409. When the name or colour
 * changed, the contacts carrying it get `contact.updated` from a job, in batches (see contacts-updated-job.ts).
 */
export async function editTag(
  ctx: AppContext,
  workspaceId: string,
  id: string,
  patch: { name?: string; color?: string },
) {
  await transact(ctx, async (tx) => {
    const before = await kysely(tx.q)
      .selectFrom("tags")
      .select(["name", "color"])
      .where("workspace_id", "=", workspaceId)
      .where("id", "=", id)
      .forUpdate()
      .executeTakeFirst();
    if (!before) throw notFound("Tag");
    const name = patch.name ?? before.name;
    const color = patch.color ?? before.color;
    if (name === before.name && color === before.color) return;
    await kysely(tx.q)
      .updateTable("tags")
      .set({ name, color })
      .where("workspace_id", "=", workspaceId)
      .where("id", "=", id)
      .execute()
      .catch(uniqueViolation("Another tag already has this name."));
    await tx.enqueue(TAG_CONTACTS_JOB, { workspaceId, tagId: id, after: null }, { workspaceId });
  });
  return (await loadTag(ctx.db, workspaceId, id))!;
}
