import type { AppContext } from "../../../context";
import { kysely } from "../../../db/kysely";
import { notFound } from "../../../lib/errors";
import { loadContact } from "../queries/contacts";

export interface ContactChange {
  name?: string | null;
  nickname?: string | null;
  email?: string | null;
  phone?: string | null;
  company?: string | null;
}

/** Changes the fields given (null clears one) and answers the contact. */
export async function editContact(ctx: AppContext, workspaceId: string, id: string, change: ContactChange) {
  const updated = await kysely(ctx.db)
    .updateTable("contacts")
    .set({ ...change, updated_at: ctx.clock.now() })
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", id)
    .returning("id")
    .executeTakeFirst();
  if (!updated) throw notFound("Contact");
  return loadContact(ctx.db, workspaceId, id);
}
