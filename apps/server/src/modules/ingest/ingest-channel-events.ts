import type { InboundEvent } from "../../channels/types";
import type { AppContext, Tx } from "../../context";
import { accessOf, loadConversationRow, presentConversation } from "../conversations/present";
import { conversationWindow, presentWindow } from "../conversations/window";
import { createNotification } from "../notifications/create";
import { loadSettings } from "../notifications/settings";
import type { ConnectionRef, InboundMessage } from "./ingest-messages";

type ChannelEvent = Extract<
  InboundEvent,
  { kind: "contact" | "unsubscribed" | "identity_moved" | "account_error" }
>;

export type ChannelEventOutcome = {
  kind: ChannelEvent["kind"];
  status: "created" | "updated" | "unchanged" | "unknown_contact";
};

/** An account error recorded in this transaction: the connection's health is written after commit. */
export interface RecordedAccountError {
  connectionId: string;
  text: string;
  at: Date;
}

export const isChannelEvent = (e: InboundEvent): e is ChannelEvent =>
  e.kind === "contact" ||
  e.kind === "unsubscribed" ||
  e.kind === "identity_moved" ||
  e.kind === "account_error";

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
 * Contacts whose name changed get `conversation.updated` events for their conversations, so open inboxes
 * show the new name (the messages' own events carry it too).
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

async function applySenderState(tx: Tx, rows: SenderState[]): Promise<{ identityIds: string[] }> {
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
async function emitUpdated(tx: Tx, workspaceId: string, conversationId: string) {
  const row = await loadConversationRow(tx.q, workspaceId, conversationId);
  if (!row) return;
  tx.emit(workspaceId, {
    type: "conversation.updated",
    conversationId,
    conversation: {
      ...presentConversation(row),
      window: presentWindow(await conversationWindow(tx.q, conversationId, tx.now)),
    },
    audience: { conversation: accessOf(row) },
  });
}

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

/**
 * An account-level provider error: kept for the diagnostics (once per code and time, so a retried webhook
 * adds nothing) and told to the workspace's owners and admins in their notification centre.
 */
async function ingestAccountError(
  ctx: AppContext,
  tx: Tx,
  connection: ConnectionRef,
  e: Extract<ChannelEvent, { kind: "account_error" }>,
  errors: RecordedAccountError[],
): Promise<ChannelEventOutcome> {
  const code = e.code.slice(0, 50);
  const title = e.title.slice(0, 300);
  const detail = e.detail?.slice(0, 1000) ?? null;
  const repeated = await tx.q.query<{ id: string }>(
    `update channel_account_errors set last_at = greatest(last_at, $5), occurrences = occurrences + 1
     where id = (select id from channel_account_errors
                 where connection_id = $1 and code = $2 and title = $3 and detail is not distinct from $4
                   and last_at > $5::timestamptz - interval '1 day'
                 order by last_at desc limit 1)
     returning id`,
    [connection.id, code, title, detail, e.at],
  );
  if (repeated.length) return { kind: "account_error", status: "unchanged" };
  const [row] = await tx.q.query<{ id: string; name: string }>(
    `insert into channel_account_errors (workspace_id, connection_id, code, title, detail, at, last_at, created_at)
     values ($1, $2, $3, $4, $5, $6, $6, $7) on conflict (connection_id, code, at) do nothing
     returning id, (select name from channel_connections where id = $2) as name`,
    [connection.workspaceId, connection.id, code, title, detail, e.at, tx.now],
  );
  if (!row) return { kind: "account_error", status: "unchanged" };
  const text = `${e.code} ${e.title}${e.detail ? `: ${e.detail}` : ""}`.slice(0, 1000);
  errors.push({ connectionId: connection.id, text, at: e.at });
  const admins = await tx.q.query<{ id: string }>(
    `select id from users where workspace_id = $1 and role in ('owner', 'admin') and status = 'active'
     order by id`,
    [connection.workspaceId],
  );
  const settings = await loadSettings(
    tx.q,
    admins.map((a) => a.id),
  );
  for (const a of admins) {
    await createNotification(ctx, tx, {
      workspaceId: connection.workspaceId,
      userId: a.id,
      kind: "channel_problem",
      conversationId: null,
      messageId: null,
      // The web app shows "Channel problem: <connection name>" in the agent's language.
      title: row.name,
      body: text,
      dedupeKey: `channel_problem:${row.id}`,
      means: { inApp: true, push: false, email: false },
      settings: settings.get(a.id)!,
    });
  }
  return { kind: "account_error", status: "created" };
}

/** The connection's health after commit: the latest account error becomes its last error. */
export async function recordAccountErrors(ctx: AppContext, errors: RecordedAccountError[]) {
  for (const e of errors) {
    await ctx.db
      .query(
        `update channel_connections set error_count = error_count + 1,
           last_error = case when last_error_at is null or last_error_at <= $3 then $2 else last_error end,
           last_error_at = greatest(last_error_at, $3)
         where id = $1`,
        [e.connectionId, e.text, e.at],
      )
      .catch((err) => ctx.log.warn({ err }, "could not record the connection's account error"));
  }
}
