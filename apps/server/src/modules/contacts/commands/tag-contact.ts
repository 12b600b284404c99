import type { AppContext } from "../../../context";
import { existInWorkspace } from "../../../db/exists";
import { kysely } from "../../../db/kysely";
import { notFound } from "../../../lib/errors";
import { loadContact } from "../queries/contacts";

/** Puts a tag of the workspace on one of its contacts, or changes whether it is pinned; answers the contact. */
export async function tagContact(
  ctx: AppContext,
  workspaceId: string,
  contactId: string,
  tagId: string,
  pinned: boolean,
) {
  const found = await existInWorkspace(ctx.db, workspaceId, {
    c: ["contacts", contactId],
    t: ["tags", tagId],
  });
  if (!found.c) throw notFound("Contact");
  if (!found.t) throw notFound("Tag");
  await kysely(ctx.db)
    .insertInto("contact_tags")
    .values({
      contact_id: contactId,
      tag_id: tagId,
      workspace_id: workspaceId,
      pinned,
      created_at: ctx.clock.now(),
    })
    .onConflict((oc) =>
      oc.columns(["contact_id", "tag_id"]).doUpdateSet((eb) => ({ pinned: eb.ref("excluded.pinned") })),
    )
    .execute();
  return loadContact(ctx.db, workspaceId, contactId);
}

/** Takes a tag off a contact; 404 when the contact did not have it. */
export async function untagContact(ctx: AppContext, workspaceId: string, contactId: string, tagId: string) {
  const removed = await kysely(ctx.db)
    .deleteFrom("contact_tags")
    .where("contact_id", "=", contactId)
    .where("tag_id", "=", tagId)
    .where("workspace_id", "=", workspaceId)
    .returning("tag_id")
    .executeTakeFirst();
  if (!removed) throw notFound("Contact tag");
}
