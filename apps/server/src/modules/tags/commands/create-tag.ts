import type { AppContext } from "../../../context";
import { uniqueViolation } from "../../../db/errors";
import { kysely } from "../../../db/kysely";
import { loadTag } from "../queries/tags";

/** Adds a tag to the workspace; a name already used is a 409. */
export async function createTag(
  ctx: AppContext,
  workspaceId: string,
  input: { name: string; color: string },
) {
  const { id } = await kysely(ctx.db)
    .insertInto("tags")
    .values({ workspace_id: workspaceId, name: input.name, color: input.color, created_at: ctx.clock.now() })
    .returning("id")
    .executeTakeFirstOrThrow()
    .catch(uniqueViolation(`A tag named "${input.name}" already exists.`));
  return (await loadTag(ctx.db, workspaceId, id))!;
}
