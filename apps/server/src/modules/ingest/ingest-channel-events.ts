import type { InboundEvent } from "../../channels/types";
import type { AppContext, Tx } from "../../context";
import { emitContactCreated, newContact } from "../contacts/events";
import type { ChannelEvent, ChannelEventOutcome, RecordedAccountError } from "./channel-event";
import { ingestAccountError } from "./ingest-account-errors";
import type { ConnectionRef } from "./ingest-messages";
import { applySenderState, emitUpdated } from "./refresh-senders";

export const isChannelEvent = (e: InboundEvent): e is ChannelEvent =>
  e.kind === "contact" ||
  e.kind === "unsubscribed" ||
  e.kind === "identity_moved" ||
  e.kind === "account_error";

/**
 * Applies one non-message channel event in the ingest transaction. Account errors are returned for the
 * caller to write into the connection's health after commit.
 */
export async function ingestChannelEvent(
  ctx: AppContext,
  tx: Tx,
  connection: ConnectionRef,
  e: ChannelEvent,
  errors: RecordedAccountError[],
): Promise<ChannelEventOutcome> {
  switch (e.kind) {
    case "contact":
      return ingestContact(tx, connection, e);
    case "unsubscribed":
      return ingestUnsubscribed(tx, connection, e);
    case "identity_moved":
      return moveIdentity(tx, connection, e);
    case "account_error":
      return ingestAccountError(ctx, tx, connection, e, errors);
  }
}

/**
 * A customer known without a message (Viber `subscribed` / `conversation_started`): the contact and its
 * identity are stored (no conversation: the inbox shows conversations people wrote in; agents find the
 * contact in the contacts search and "write to contact" opens the conversation). A known one gets its
 * profile name refreshed and, when they subscribed, an earlier unsubscription cleared.
 */
async function ingestContact(
  tx: Tx,
  connection: ConnectionRef,
  e: Extract<ChannelEvent, { kind: "contact" }>,
): Promise<ChannelEventOutcome> {
  const name = e.contact.name?.trim() || null;
  const [existing] = await tx.q.query<{ id: string }>(
    "select id from contact_identities where connection_id = $1 and external_id = $2",
    [connection.id, e.externalContactId],
  );
  if (existing) {
    const { identityIds } = await applySenderState(tx, [
      {
        workspaceId: connection.workspaceId,
        connectionId: connection.id,
        externalId: e.externalContactId,
        name,
        subscribedAt: e.subscribed ? e.at : null,
      },
    ]);
    return { kind: "contact", status: identityIds.length ? "updated" : "unchanged" };
  }
  const avatar = e.contact.avatarUrl && /^https:\/\//.test(e.contact.avatarUrl) ? e.contact.avatarUrl : null;
  const [contact] = await tx.q.query<{ id: string }>(
    `insert into contacts (workspace_id, name, avatar_url, created_at, updated_at)
     values ($1, $2, $3, $4, $4) returning id`,
    [connection.workspaceId, name, avatar, tx.now],
  );
  const [identity] = await tx.q.query<{ id: string }>(
    `insert into contact_identities (workspace_id, contact_id, connection_id, external_id, display_name,
       subscription_changed_at, created_at)
     values ($1, $2, $3, $4, $5, $6, $7) on conflict (connection_id, external_id) do nothing returning id`,
    [connection.workspaceId, contact!.id, connection.id, e.externalContactId, name, e.at, tx.now],
  );
  if (!identity) {
    // Stored meanwhile by another transaction: drop ours.
    await tx.q.query("delete from contacts where id = $1", [contact!.id]);
    return { kind: "contact", status: "unchanged" };
  }
  emitContactCreated(
    tx,
    connection.workspaceId,
    newContact(contact!.id, { name, avatarUrl: avatar }, tx.now),
  );
  return { kind: "contact", status: "created" };
}

/** Viber `unsubscribed`: recorded on the identity unless a later subscription or message was applied. */
async function ingestUnsubscribed(
  tx: Tx,
  connection: ConnectionRef,
  e: Extract<ChannelEvent, { kind: "unsubscribed" }>,
): Promise<ChannelEventOutcome> {
  const [row] = await tx.q.query<{ id: string; applied: boolean }>(
    `select id, (subscription_changed_at is null or subscription_changed_at < $3) as applied
     from contact_identities where connection_id = $1 and external_id = $2 for update`,
    [connection.id, e.externalContactId, e.at],
  );
  if (!row) return { kind: "unsubscribed", status: "unknown_contact" };
  if (!row.applied) return { kind: "unsubscribed", status: "unchanged" };
  await tx.q.query(
    "update contact_identities set unsubscribed_at = $2, subscription_changed_at = $2 where id = $1",
    [row.id, e.at],
  );
  const convs = await tx.q.query<{ id: string }>("select id from conversations where identity_id = $1", [
    row.id,
  ]);
  for (const c of convs) await emitUpdated(tx, connection.workspaceId, c.id);
  return { kind: "unsubscribed", status: "updated" };
}

/**
 * The chat moved (Telegram: a group became a supergroup). The identity takes the new id, so replies go to
 * the new chat and its messages continue the same conversation. Both service messages (in the old chat
 * and in the new one) say it: the second finds nothing left to move. If the new chat already has an
 * identity (its first message arrived before the move was reported), that one is merged into the old:
 * its messages join the old conversation (their order is kept: `seq` is global), its conversation and
 * identity go, and its contact too when nothing else refers to it.
 */
async function moveIdentity(
  tx: Tx,
  connection: ConnectionRef,
  e: Extract<ChannelEvent, { kind: "identity_moved" }>,
): Promise<ChannelEventOutcome> {
  if (e.fromExternalId === e.toExternalId) return { kind: "identity_moved", status: "unchanged" };
  const identities = await tx.q.query<{ id: string; external_id: string; contact_id: string }>(
    `select id, external_id, contact_id from contact_identities
     where connection_id = $1 and external_id = any($2::text[]) order by id for update`,
    [connection.id, [e.fromExternalId, e.toExternalId]],
  );
  const from = identities.find((i) => i.external_id === e.fromExternalId);
  const to = identities.find((i) => i.external_id === e.toExternalId);
  if (!from) return { kind: "identity_moved", status: to ? "unchanged" : "unknown_contact" };
  if (to) {
    const convs = await tx.q.query<{ id: string; identity_id: string }>(
      "select id, identity_id from conversations where identity_id = any($1::uuid[]) order by id for update",
      [[from.id, to.id]],
    );
    const keep = convs.find((c) => c.identity_id === from.id);
    const drop = convs.find((c) => c.identity_id === to.id);
    if (keep && drop) {
      await tx.q.query("update messages set conversation_id = $1 where conversation_id = $2", [
        keep.id,
        drop.id,
      ]);
      await tx.q.query(
        `update conversations k set
           last_activity_at = greatest(k.last_activity_at, d.last_activity_at),
           last_customer_message_at = greatest(k.last_customer_message_at, d.last_customer_message_at),
           last_inbound_seq = greatest(k.last_inbound_seq, d.last_inbound_seq),
           first_unanswered_at = coalesce(k.first_unanswered_at, d.first_unanswered_at),
           last_message_id = case when d.last_activity_at > k.last_activity_at then d.last_message_id else k.last_message_id end,
           last_message_preview = case when d.last_activity_at > k.last_activity_at then d.last_message_preview else k.last_message_preview end,
           last_message_author = case when d.last_activity_at > k.last_activity_at then d.last_message_author else k.last_message_author end,
           last_message_author_id = case when d.last_activity_at > k.last_activity_at then d.last_message_author_id else k.last_message_author_id end,
           last_message_direction = case when d.last_activity_at > k.last_activity_at then d.last_message_direction else k.last_message_direction end,
           status = case when k.status = 'closed' and d.status <> 'closed' then 'open' else k.status end,
           closed_at = case when k.status = 'closed' and d.status <> 'closed' then null else k.closed_at end,
           updated_at = $3
         from conversations d where k.id = $1 and d.id = $2`,
        [keep.id, drop.id, tx.now],
      );
      await tx.q.query("delete from conversations where id = $1", [drop.id]);
      tx.emit(connection.workspaceId, {
        type: "conversation.deleted",
        conversationId: drop.id,
        byUserId: null,
      });
    } else if (drop) {
      // Only the new chat had a conversation: it becomes the moved identity's.
      await tx.q.query("update conversations set identity_id = $1, contact_id = $2 where id = $3", [
        from.id,
        from.contact_id,
        drop.id,
      ]);
    }
    await tx.q.query("delete from contact_identities where id = $1", [to.id]);
    if (to.contact_id !== from.contact_id) {
      await tx.q.query(
        `delete from contacts c where c.id = $1
           and not exists (select 1 from contact_identities i where i.contact_id = c.id)
           and not exists (select 1 from conversations v where v.contact_id = c.id)`,
        [to.contact_id],
      );
    }
  }
  await tx.q.query("update contact_identities set external_id = $2 where id = $1", [from.id, e.toExternalId]);
  const convs = await tx.q.query<{ id: string }>("select id from conversations where identity_id = $1", [
    from.id,
  ]);
  for (const c of convs) await emitUpdated(tx, connection.workspaceId, c.id);
  return { kind: "identity_moved", status: "updated" };
}
