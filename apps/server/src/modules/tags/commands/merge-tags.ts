import { type AppContext, transact } from "../../../context";
import { AppError, notFound } from "../../../lib/errors";
import { TAG_CONTACTS_JOB } from "../contacts-updated-job";
import { loadTag } from "../queries/tags";

/**
 * Merges one tag into another: in one statement, every contact carrying the merged tag gets the kept one
 * (pinned if either was pinned) and the merged tag is deleted (its contact links go with it). The contacts
 * carrying the kept tag then get `contact.updated` from the tag's job, in batches, as after a rename.
 */
export async function mergeTags(ctx: AppContext, workspaceId: string, fromId: string, intoId: string) {
  if (fromId === intoId)
    throw new AppError("validation_failed", "Choose another tag to merge this one into.");
  await transact(ctx, async (tx) => {
    const [row] = await tx.q.query<{ found: number }>(
      `with tags_found as (
         select id from tags where workspace_id = $1 and id in ($2, $3) for update),
       moved as (
         insert into contact_tags (contact_id, tag_id, workspace_id, pinned, created_at)
         select ct.contact_id, $3, ct.workspace_id, ct.pinned, ct.created_at from contact_tags ct
         where ct.tag_id = $2 and ct.workspace_id = $1 and (select count(*) from tags_found) = 2
         on conflict (contact_id, tag_id) do update set pinned = contact_tags.pinned or excluded.pinned),
       removed as (
         delete from tags where workspace_id = $1 and id = $2 and (select count(*) from tags_found) = 2)
       select (select count(*) from tags_found)::int as found`,
      [workspaceId, fromId, intoId],
    );
    if (row!.found !== 2) throw notFound("Tag");
    await tx.enqueue(TAG_CONTACTS_JOB, { workspaceId, tagId: intoId, after: null }, { workspaceId });
  });
  return (await loadTag(ctx.db, workspaceId, intoId))!;
}
