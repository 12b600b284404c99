import { type AppContext, transact } from "../../../context";
import { kysely } from "../../../db/kysely";
import { notFound } from "../../../lib/errors";
import { emitContactsUpdated } from "../events";

export interface ContactChange {
  name?: string | null;
  nickname?: string | null;
  email?: string | null;
  phone?: string | null;
  company?: string | null;
}

/** Changes the fields given (null clears one), with a `contact.updated` event, and answers the contact. */
export async function editContact(ctx: AppContext, workspaceId: string, id: string, change: ContactChange) {
  return transact(ctx, async (tx) => {
    const updated = await kysely(tx.q)
      .updateTable("contacts")
      .set({ ...change, updated_at: tx.now })
      .where("workspace_id", "=", workspaceId)
      .where("id", "=", id)
      .returning("id")
      .executeTakeFirst();
    if (!updated) throw notFound("Contact");
    const [contact] = await emitContactsUpdated(tx, workspaceId, [id]);
    return contact!;
  });
}
