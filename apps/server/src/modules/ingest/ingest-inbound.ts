import type { InboundEvent } from "../../channels/types";
import { type AppContext, type Tx, transact } from "../../context";
import type { DeliveryReport } from "../../domain/delivery-state";
import { conversationNumberSequence } from "../conversations/numbers";
import {
  accessOf,
  CONVERSATION_SELECT,
  type ConversationRow,
  conversationFrom,
  presentConversation,
} from "../conversations/present";
import { MESSAGE_COLUMNS, type MessageRow, presentMessage } from "../messages/present";
import { updateDelivery } from "../messages/update-delivery";

export interface ConnectionRef {
  id: string;
  workspaceId: string;
}

export type IngestOutcome =
  | {
      kind: "message";
      status: "created" | "duplicate" | "contact_blocked";
      messageId: string | null;
      conversationId: string | null;
    }
  | { kind: "status"; status: "updated" | "unchanged" | "unknown_message"; messageId: string | null }
  | { kind: "read_watermark"; status: "updated" | "unchanged" | "unknown_contact"; count: number };

/**
 * The one ingest command every channel uses. In one transaction it finds or creates the contact and its
 * identity, finds or opens the conversation (a closed one reopens, R206), inserts the message idempotently
 * by provider id, updates the conversation and appends the domain events. Once it resolves, the events are
 * durable and the webhook may be acknowledged.
 */
export async function ingestInbound(
  ctx: AppContext,
  connection: ConnectionRef,
  events: InboundEvent[],
): Promise<IngestOutcome[]> {
  const outcomes = await transact(ctx, async (tx) => {
    const out: IngestOutcome[] = [];
    for (const e of events) {
      if (e.kind === "message") out.push(await ingestMessage(tx, connection, e));
      else if (e.kind === "status") out.push(await ingestStatus(tx, connection, e));
      else out.push(await ingestWatermark(tx, connection, e));
    }
    return out;
  });
  // Health is written after commit, not in the ingest transaction: there, a webhook opening a conversation
  // locked the workspace row before the connection row and the others the reverse, and concurrent webhooks
  // of one connection deadlocked on PostgreSQL.
  await recordHealth(ctx, connection.id, "last_webhook_at");
  if (events.some((e) => e.kind === "status")) await recordHealth(ctx, connection.id, "last_status_at");
  return outcomes;
}

/**
 * Health only needs about-the-second precision: skipping the write otherwise keeps concurrent webhooks of one
 * connection from queueing on its row lock. The events are already durable: a failure here is only logged.
 */
async function recordHealth(
  ctx: AppContext,
  connectionId: string,
  column: "last_webhook_at" | "last_status_at",
) {
  await ctx.db
    .query(
      `update channel_connections set ${column} = $2
       where id = $1 and (${column} is null or ${column} < $2::timestamptz - interval '1 second')`,
      [connectionId, ctx.clock.now()],
    )
    .catch((err) => ctx.log.warn({ err, connectionId }, "could not record the connection's health"));
}

type InboundMessage = Extract<InboundEvent, { kind: "message" }>;

async function findOrCreateIdentity(tx: Tx, connection: ConnectionRef, e: InboundMessage) {
  const found = await tx.q.query<{ id: string; contact_id: string; blocked: boolean }>(
    `select i.id, i.contact_id, c.blocked_at is not null as blocked
     from contact_identities i join contacts c on c.id = i.contact_id
     where i.connection_id = $1 and i.external_id = $2`,
    [connection.id, e.externalContactId],
  );
  if (found[0]) return found[0];
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
  if (identity) return { id: identity.id, contact_id: contact!.id, blocked: false };
  // Another transaction created the identity first: use it and drop our contact.
  await tx.q.query("delete from contacts where id = $1", [contact!.id]);
  return findOrCreateIdentity(tx, connection, e);
}

interface LockedConversation {
  id: string;
  status: "open" | "in_progress" | "closed";
  created: boolean;
}

/** Finds the identity's conversation and locks it (inserts into it are serialised), or opens a new one. */
async function lockConversation(
  tx: Tx,
  connection: ConnectionRef,
  identity: { id: string; contact_id: string },
  source: Record<string, string> | undefined,
): Promise<LockedConversation> {
  const [existing] = await tx.q.query<{ id: string; status: LockedConversation["status"] }>(
    "select id, status from conversations where identity_id = $1 for update",
    [identity.id],
  );
  if (existing) return { ...existing, created: false };
  const [num] = await tx.q.query<{ n: number }>("select nextval($1::regclass) as n", [
    conversationNumberSequence(connection.workspaceId),
  ]);
  const [created] = await tx.q.query<{ id: string }>(
    `insert into conversations (workspace_id, number, connection_id, contact_id, identity_id, source,
       last_activity_at, created_at, updated_at)
     values ($1, $2, $3, $4, $5, $6, $7, $7, $7) on conflict (identity_id) do nothing returning id`,
    [
      connection.workspaceId,
      num!.n,
      connection.id,
      identity.contact_id,
      identity.id,
      JSON.stringify(source ?? {}),
      tx.now,
    ],
  );
  if (created) return { id: created.id, status: "open", created: true };
  return lockConversation(tx, connection, identity, source);
}

async function ingestMessage(tx: Tx, connection: ConnectionRef, e: InboundMessage): Promise<IngestOutcome> {
  // The common case in one round trip: a known contact with its conversation, locked.
  const [known] = await tx.q.query<{
    contact_id: string;
    blocked: boolean;
    id: string;
    status: LockedConversation["status"];
  }>(
    `select i.contact_id, ct.blocked_at is not null as blocked, c.id, c.status
     from contact_identities i
     join contacts ct on ct.id = i.contact_id
     join conversations c on c.identity_id = i.id
     where i.connection_id = $1 and i.external_id = $2
     for update of c`,
    [connection.id, e.externalContactId],
  );
  let contactId: string;
  let conv: LockedConversation;
  if (known) {
    if (known.blocked)
      return { kind: "message", status: "contact_blocked", messageId: null, conversationId: null };
    contactId = known.contact_id;
    conv = { id: known.id, status: known.status, created: false };
  } else {
    const identity = await findOrCreateIdentity(tx, connection, e);
    if (identity.blocked)
      return { kind: "message", status: "contact_blocked", messageId: null, conversationId: null };
    contactId = identity.contact_id;
    conv = await lockConversation(tx, connection, identity, e.source);
  }
  const quoted = e.quotedProviderMessageId
    ? await tx.q.query<{ id: string }>(
        "select id from messages where connection_id = $1 and provider_message_id = $2 and conversation_id = $3",
        [connection.id, e.quotedProviderMessageId, conv.id],
      )
    : [];
  const [message] = await tx.q.query<MessageRow>(
    `insert into messages (workspace_id, conversation_id, connection_id, direction, kind, author_type, author_id, text,
       attachments, quoted_message_id, provider_message_id, created_at)
     values ($1, $2, $3, 'inbound', 'message', 'contact', $4, $5, $6, $7, $8, $9)
     on conflict (connection_id, provider_message_id) where provider_message_id is not null do nothing
     returning ${MESSAGE_COLUMNS}`,
    [
      connection.workspaceId,
      conv.id,
      connection.id,
      contactId,
      e.text,
      JSON.stringify(e.attachments),
      quoted[0]?.id ?? null,
      e.providerMessageId,
      tx.now,
    ],
  );
  if (!message) {
    return { kind: "message", status: "duplicate", messageId: null, conversationId: conv.id };
  }
  const reopened = conv.status === "closed";
  // Update and read back the conversation in one statement.
  const [row] = await tx.q.query<ConversationRow>(
    `with c as (
       update conversations set
         last_activity_at = $2, updated_at = $2, last_message_id = $3, last_message_preview = $4,
         last_message_author = 'contact', last_message_direction = 'inbound', last_inbound_seq = $5,
         first_unanswered_at = coalesce(first_unanswered_at, $2), last_customer_message_at = $6,
         status = case when status = 'closed' then 'open' else status end,
         closed_at = case when status = 'closed' then null else closed_at end
       where id = $1 returning *)
     ${CONVERSATION_SELECT} ${conversationFrom("c")}`,
    [conv.id, tx.now, message.id, preview(e.text, e.attachments.length), message.seq, e.at],
  );
  const conversation = presentConversation(row!);
  const audience = { conversation: accessOf(row!) };
  if (conv.created) {
    tx.emit(connection.workspaceId, {
      type: "conversation.created",
      conversationId: conv.id,
      conversation,
      audience,
    });
  } else if (reopened) {
    tx.emit(connection.workspaceId, {
      type: "conversation.status_changed",
      conversationId: conv.id,
      conversation,
      previousStatus: "closed",
      byUserId: null,
      audience,
    });
  }
  tx.emit(connection.workspaceId, {
    type: "message.created",
    conversationId: conv.id,
    message: presentMessage(message),
    conversation,
    audience,
  });
  return { kind: "message", status: "created", messageId: message.id, conversationId: conv.id };
}

export function preview(text: string | null, attachments: number): string {
  if (text) return text.length > 200 ? `${text.slice(0, 199)}…` : text;
  return attachments > 0 ? `📎 ${attachments}` : "";
}

async function ingestStatus(
  tx: Tx,
  connection: ConnectionRef,
  e: Extract<InboundEvent, { kind: "status" }>,
): Promise<IngestOutcome> {
  const [row] = await tx.q.query<MessageRow>(
    `select ${MESSAGE_COLUMNS} from messages
     where connection_id = $1 and provider_message_id = $2 and direction = 'outbound'
     for update`,
    [connection.id, e.providerMessageId],
  );
  if (!row) return { kind: "status", status: "unknown_message", messageId: null };
  const report: DeliveryReport =
    e.state === "failed"
      ? { state: "failed", at: e.at, reason: e.reason ?? "provider_error", detail: e.detail ?? null }
      : { state: e.state, at: e.at };
  const changed = await updateDelivery(tx, connection.workspaceId, row, report);
  return { kind: "status", status: changed ? "updated" : "unchanged", messageId: row.id };
}

async function ingestWatermark(
  tx: Tx,
  connection: ConnectionRef,
  e: Extract<InboundEvent, { kind: "read_watermark" }>,
): Promise<IngestOutcome> {
  const rows = await tx.q.query<MessageRow>(
    `select ${MESSAGE_COLUMNS.split(",")
      .map((c) => `m.${c.trim()}`)
      .join(", ")}
     from messages m
     join conversations c on c.id = m.conversation_id
     join contact_identities i on i.id = c.identity_id
     where i.connection_id = $1 and i.external_id = $2 and m.direction = 'outbound' and m.kind = 'message'
       and m.delivery_state in ('sent', 'delivered') and m.created_at <= $3
     order by m.seq for update of m`,
    [connection.id, e.externalContactId, e.upTo],
  );
  let count = 0;
  for (const row of rows) {
    if (await updateDelivery(tx, connection.workspaceId, row, { state: "read", at: e.at })) count++;
  }
  return { kind: "read_watermark", status: count > 0 ? "updated" : "unchanged", count };
}
