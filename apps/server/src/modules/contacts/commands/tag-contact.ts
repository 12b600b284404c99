import { type AppContext, transact } from "../../../context";
import { existInWorkspace } from "../../../db/exists";
import { kysely } from "../../../db/kysely";
import { notFound } from "../../../lib/errors";
import { emitContactsUpdated } from "../events";

/**
 * Puts a tag of the workspace on one of its contacts, or changes whether it is pinned, with a
 * `contact.updated` event; answers the contact.
 */
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
  return transact(ctx, async (tx) => {
    await kysely(tx.q)
      .insertInto("contact_tags")
      .values({
        contact_id: contactId,
        tag_id: tagId,
        workspace_id: workspaceId,
        pinned,
        created_at: tx.now,
      })
      .onConflict((oc) =>
        oc.columns(["contact_id", "tag_id"]).doUpdateSet((eb) => ({ pinned: eb.ref("excluded.pinned") })),
      )
      .execute();
    const [contact] = await emitContactsUpdated(tx, workspaceId, [contactId]);
    // Erased meanwhile: the tag's row went with it.
    if (!contact) throw notFound("Contact");
    return contact;
  });
}

/** Takes a tag off a contact, with a `contact.updated` event; 404 when the contact did not have it. */
export async function untagContact(ctx: AppContext, workspaceId: string, contactId: string, tagId: string) {
  await transact(ctx, async (tx) => {
    const removed = await kysely(tx.q)
      .deleteFrom("contact_tags")
      .where("contact_id", "=", contactId)
      .where("tag_id", "=", tagId)
      .where("workspace_id", "=", workspaceId)
      .returning("tag_id")
      .executeTakeFirst();
    if (!removed) throw notFound("Contact tag");
    await emitContactsUpdated(tx, workspaceId, [contactId]);
  });
}
