import type { Tx } from "../../context";
import { emitContactsUpdated } from "../contacts/events";
import { accessOf, loadConversationRow, presentConversation } from "../conversations/present";
import { conversationWindow, presentWindow } from "../conversations/window";
import type { ConnectionRef, InboundMessage } from "./ingest-messages";

/**
 * Applies what messages say about their sender before they are written, in one statement for the batch:
 *
 * - **Profile names** (events marked `profile`): a name that differs from the identity's `display_name` (the
 *   name the provider gave last) replaces it. The contact's own name follows only while it still is the
 *   provider-given one (equal to the identity's previous `display_name`, or empty): a name an agent typed
 *   differs from it and is never overwritten. (An agent who types exactly the provider's name keeps getting
 *   the provider's changes, which is what that name means.)
 * - **Subscriptions** (events marked `subscribes`): a message from a customer who had unsubscribed shows they
 *   are back; an unsubscription later than the message stays.
 *
 * Contacts whose name changed get `contact.updated` and `conversation.updated` events for their
 * conversations, so open inboxes show the new name (the messages' own events carry it too).
 */
export async function refreshSenders(
  tx: Tx,
  items: { connection: ConnectionRef; message: InboundMessage }[],
): Promise<void> {
  const latest = new Map<string, { connection: ConnectionRef; message: InboundMessage }>();
  for (const i of items) {
    if (!i.message.profile && !i.message.subscribes) continue;
    if (i.message.echo) continue;
    const k = `${i.connection.id}\u0000${i.message.externalContactId}`;
    const seen = latest.get(k);
    if (!seen || seen.message.at <= i.message.at) latest.set(k, i);
  }
  if (latest.size === 0) return;
  const rows = [...latest.values()];
  await applySenderState(
    tx,
    rows.map((r) => ({
      workspaceId: r.connection.workspaceId,
      connectionId: r.connection.id,
      externalId: r.message.externalContactId,
      name: r.message.profile ? (r.message.contact.name?.trim() ?? null) : null,
      subscribedAt: r.message.subscribes ? r.message.at : null,
    })),
  );
}

interface SenderState {
  workspaceId: string;
  connectionId: string;
  externalId: string;
  /** The provider's current name (null: not stated). */
  name: string | null;
  /** They are subscribed as of this time (null: not stated). */
  subscribedAt: Date | null;
}

export async function applySenderState(tx: Tx, rows: SenderState[]): Promise<{ identityIds: string[] }> {
  const changed = await tx.q.query<{
    identity_id: string;
    contact_id: string;
    workspace_id: string;
    contact_renamed: boolean;
    resubscribed: boolean;
  }>(
    `with v as (
       select * from unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[])
         as v(connection_id, external_id, name, subscribed_at)),
     old as (
       select i.id, i.contact_id, i.workspace_id, i.display_name as old_name,
         case when v.name is not null and v.name <> '' and v.name is distinct from i.display_name
           then v.name end as new_name,
         (v.subscribed_at is not null and i.unsubscribed_at is not null
           and (i.subscription_changed_at is null or i.subscription_changed_at < v.subscribed_at)) as resubscribes,
         -- Remembered even when nothing was undone, so an older unsubscription arriving late changes nothing.
         (v.subscribed_at is not null
           and (i.subscription_changed_at is null or i.subscription_changed_at < v.subscribed_at)) as newer,
         v.subscribed_at
       from v join contact_identities i on i.connection_id = v.connection_id and i.external_id = v.external_id
       order by i.id
       for update of i),
     ui as (
       update contact_identities i set
         display_name = coalesce(old.new_name, i.display_name),
         unsubscribed_at = case when old.resubscribes then null else i.unsubscribed_at end,
         subscription_changed_at = case when old.newer then old.subscribed_at else i.subscription_changed_at end
       from old where i.id = old.id and (old.new_name is not null or old.newer)
       returning i.id),
     uc as (
       update contacts c set name = old.new_name, updated_at = $5
       from old where c.id = old.contact_id and old.new_name is not null
         and (c.name is null or c.name = '' or c.name = old.old_name)
       returning c.id)
     select old.id as identity_id, old.contact_id, old.workspace_id,
       exists (select 1 from uc where uc.id = old.contact_id) as contact_renamed, old.resubscribes as resubscribed
     from old where old.new_name is not null or old.resubscribes`,
    [
      rows.map((r) => r.connectionId),
      rows.map((r) => r.externalId),
      rows.map((r) => r.name),
      rows.map((r) => r.subscribedAt),
      tx.now,
    ],
  );
  if (changed.length === 0) return { identityIds: [] };
  const renamed = new Map<string, string[]>();
  for (const c of changed.filter((x) => x.contact_renamed))
    renamed.set(c.workspace_id, [...(renamed.get(c.workspace_id) ?? []), c.contact_id]);
  for (const [workspaceId, ids] of renamed) await emitContactsUpdated(tx, workspaceId, ids);
  // Open inboxes: the contact's conversations with the new name, the window with the subscription.
  const conversations = await tx.q.query<{ id: string; workspace_id: string }>(
    `select c.id, c.workspace_id from conversations c
     where c.contact_id = any($1::uuid[]) or c.identity_id = any($2::uuid[])`,
    [
      changed.filter((c) => c.contact_renamed).map((c) => c.contact_id),
      changed.filter((c) => c.resubscribed).map((c) => c.identity_id),
    ],
  );
  for (const c of conversations) await emitUpdated(tx, c.workspace_id, c.id);
  return { identityIds: changed.map((c) => c.identity_id) };
}

/** `conversation.updated` with the conversation as it is now, including what may be sent to it. */
export async function emitUpdated(tx: Tx, workspaceId: string, conversationId: string) {
  const row = await loadConversationRow(tx.q, workspaceId, conversationId);
  if (!row) return;
  tx.emit(workspaceId, {
    type: "conversation.updated",
    conversationId,
    conversation: {
      ...presentConversation(row),
      window: presentWindow(await conversationWindow(tx.q, conversationId, tx.now, { sender: "person" })),
    },
    audience: { conversation: accessOf(row) },
  });
}
