import type { Contact, ContactSummary } from "@parley/protocol";
import type { QueryClient } from "@tanstack/react-query";
import { readAgain } from "../../api/patch";

/** The summary a conversation carries of its contact, from the contact as the API answers it. */
export const summaryOf = (c: Contact): ContactSummary => ({
  id: c.id,
  name: c.name,
  nickname: c.nickname,
  email: c.email,
  phone: c.phone,
  avatarUrl: c.avatarUrl,
  blocked: c.blocked,
});

/**
 * A contact event from the socket (another agent edited, tagged or blocked the contact, or a customer wrote
 * for the first time): the contact's panel and the contact lists take it in place; a new contact makes the
 * contacts page's lists load again (where it belongs in a search is the server's to say).
 */
export function applyContact(qc: QueryClient, contact: Contact, created: boolean) {
  const replace = (list: Contact[] | undefined) => list?.map((x) => (x.id === contact.id ? contact : x));
  qc.setQueryData<Contact>(["contact", contact.id], (old) => (old ? contact : old));
  qc.setQueriesData<Contact[]>({ queryKey: ["contacts"] }, replace);
  qc.setQueriesData<Contact[]>({ queryKey: ["contact-links"] }, replace);
  if (created) void readAgain(qc, { queryKey: ["contacts"] });
}

/** A contact was erased (its conversations' own events remove them): it leaves the panel and every list. */
export function forgetContact(qc: QueryClient, contactId: string) {
  const without = (list: Contact[] | undefined) => list?.filter((x) => x.id !== contactId);
  qc.removeQueries({ queryKey: ["contact", contactId] });
  qc.setQueriesData<Contact[]>({ queryKey: ["contacts"] }, without);
  qc.setQueriesData<Contact[]>({ queryKey: ["contact-links"] }, without);
}
