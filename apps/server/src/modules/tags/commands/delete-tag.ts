import type { AppContext } from "../../../context";
import { kysely } from "../../../db/kysely";
import { notFound } from "../../../lib/errors";

/** Deletes a tag; it goes from every contact that had it. */
export async function deleteTag(ctx: AppContext, workspaceId: string, id: string): Promise<void> {
  const deleted = await kysely(ctx.db)
    .deleteFrom("tags")
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", id)
    .returning("id")
    .executeTakeFirst();
  if (!deleted) throw notFound("Tag");
}
