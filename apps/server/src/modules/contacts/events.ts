import type { Contact } from "@parley/protocol";
import type { Tx } from "../../context";
import { loadContacts } from "./queries/contacts";

/**
 * Contact events. Every agent of the workspace may see its contacts (`GET /api/contacts/:id` asks no
 * permission), so the events go to the whole workspace (an empty audience). They carry the contact as the
 * API answers it, and are written in the transaction of the change.
 */

/** `contact.created` for a contact just inserted (ingest knows its fields: no query). */
export function emitContactCreated(tx: Tx, workspaceId: string, contact: Contact) {
  tx.emit(workspaceId, { type: "contact.created", contactId: contact.id, contact, audience: {} });
}

/** The fields of a contact just inserted, as the API would answer them (no tags yet, not blocked). */
export function newContact(
  id: string,
  fields: Partial<Pick<Contact, "name" | "nickname" | "email" | "phone" | "avatarUrl">>,
  at: Date,
): Contact {
  return {
    id,
    name: fields.name ?? null,
    nickname: fields.nickname ?? null,
    email: fields.email ?? null,
    phone: fields.phone ?? null,
    avatarUrl: fields.avatarUrl ?? null,
    blocked: false,
    company: null,
    createdAt: at.toISOString(),
    tags: [],
  };
}

/** `contact.erased` for a contact just erased (R307): its id and who erased it, nothing of the person. */
export function emitContactErased(tx: Tx, workspaceId: string, contactId: string, byUserId: string | null) {
  tx.emit(workspaceId, { type: "contact.erased", contactId, byUserId, audience: {} });
}

/**
 * `contact.updated` for each of these contacts, read as they are now inside the transaction (one query);
 * returns them in the order asked, those not found left out.
 */
export async function emitContactsUpdated(
  tx: Tx,
  workspaceId: string,
  contactIds: readonly string[],
): Promise<Contact[]> {
  const unique = [...new Set(contactIds)];
  const found = new Map((await loadContacts(tx.q, workspaceId, unique)).map((c) => [c.id, c]));
  const contacts = unique.map((id) => found.get(id)).filter((c): c is Contact => c !== undefined);
  for (const contact of contacts)
    tx.emit(workspaceId, { type: "contact.updated", contactId: contact.id, contact, audience: {} });
  return contacts;
}
