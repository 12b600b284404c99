import type { Tx } from "../../context";
import { commenterContact } from "../comments/stored";
import { emitContactCreated, newContact } from "../contacts/events";
import { conversationNumberSequence } from "../conversations/numbers";
import type { ConnectionRef, InboundMessage, Target } from "./ingest-messages";

/**
 * The customer's identity on the connection, created (with a new contact) the first time they write. A
 * commenter's identity is per post (one conversation per post and commenter, R451): their other identities
 * on the connection (direct messages, comments on other posts) lead to the same contact.
 */
export async function findOrCreateIdentity(
  tx: Tx,
  connection: ConnectionRef,
  e: InboundMessage,
): Promise<{ id: string; contact_id: string; blocked: boolean }> {
  const found = await tx.q.query<{ id: string; contact_id: string; blocked: boolean }>(
    `select i.id, i.contact_id, c.blocked_at is not null as blocked
     from contact_identities i join contacts c on c.id = i.contact_id
     where i.connection_id = $1 and i.external_id = $2`,
    [connection.id, e.externalContactId],
  );
  if (found[0]) return found[0];
  const known = e.comment ? await commenterContact(tx, connection.id, e.comment.authorId) : null;
  if (known) return createIdentity(tx, connection, e, known);
  const [contact] = await tx.q.query<{ id: string }>(
    `insert into contacts (workspace_id, name, nickname, email, phone, created_at, updated_at)
     values ($1, $2, $3, $4, $5, $6, $6) returning id`,
    [
      connection.workspaceId,
      e.contact.name ?? null,
      e.contact.nickname ?? null,
      e.contact.email ?? null,
      e.contact.phone ?? null,
      tx.now,
    ],
  );
  const [identity] = await tx.q.query<{ id: string }>(
    `insert into contact_identities (workspace_id, contact_id, connection_id, external_id, display_name, created_at)
     values ($1, $2, $3, $4, $5, $6) on conflict (connection_id, external_id) do nothing returning id`,
    [connection.workspaceId, contact!.id, connection.id, e.externalContactId, e.contact.name ?? null, tx.now],
  );
  if (identity) {
    emitContactCreated(
      tx,
      connection.workspaceId,
      newContact(
        contact!.id,
        {
          name: e.contact.name ?? null,
          nickname: e.contact.nickname ?? null,
          email: e.contact.email ?? null,
          phone: e.contact.phone ?? null,
        },
        tx.now,
      ),
    );
    return { id: identity.id, contact_id: contact!.id, blocked: false };
  }
  // Another transaction created the identity first: use it and drop our contact.
  await tx.q.query("delete from contacts where id = $1", [contact!.id]);
  return findOrCreateIdentity(tx, connection, e);
}

/** An identity for a contact Parley already knows (a commenter seen on another post or in direct messages). */
async function createIdentity(
  tx: Tx,
  connection: ConnectionRef,
  e: InboundMessage,
  known: { contact_id: string; blocked: boolean },
): Promise<{ id: string; contact_id: string; blocked: boolean }> {
  const [identity] = await tx.q.query<{ id: string }>(
    `insert into contact_identities (workspace_id, contact_id, connection_id, external_id, display_name, created_at)
     values ($1, $2, $3, $4, $5, $6) on conflict (connection_id, external_id) do nothing returning id`,
    [
      connection.workspaceId,
      known.contact_id,
      connection.id,
      e.externalContactId,
      e.contact.name ?? null,
      tx.now,
    ],
  );
  if (identity) return { id: identity.id, ...known };
  return findOrCreateIdentity(tx, connection, e);
}

/**
 * Finds the identity's conversation and locks it (inserts into it are serialised), or opens a new one: a
 * comment's is a comment conversation about its post.
 */
export async function lockConversation(
  tx: Tx,
  connection: ConnectionRef,
  identity: { id: string; contact_id: string },
  e: InboundMessage,
): Promise<{ id: string; status: Target["status"]; created: boolean; snoozed?: boolean }> {
  const [existing] = await tx.q.query<{ id: string; status: Target["status"]; snoozed: boolean }>(
    "select id, status, snoozed_until is not null as snoozed from conversations where identity_id = $1 for update",
    [identity.id],
  );
  if (existing) return { ...existing, created: false };
  const [num] = await tx.q.query<{ n: number }>("select nextval($1::regclass) as n", [
    conversationNumberSequence(connection.workspaceId),
  ]);
  const [created] = await tx.q.query<{ id: string }>(
    `insert into conversations (workspace_id, number, connection_id, contact_id, identity_id, source,
       last_activity_at, created_at, updated_at, kind, post_id)
     values ($1, $2, $3, $4, $5, $6, $7, $7, $7, $8, $9) on conflict (identity_id) do nothing returning id`,
    [
      connection.workspaceId,
      num!.n,
      connection.id,
      identity.contact_id,
      identity.id,
      JSON.stringify(e.source ?? {}),
      tx.now,
      e.comment ? "comment" : "direct",
      e.comment?.postId ?? null,
    ],
  );
  if (created) return { id: created.id, status: "open", created: true };
  return lockConversation(tx, connection, identity, e);
}
