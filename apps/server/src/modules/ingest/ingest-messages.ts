import type { Conversation } from "@parley/protocol";
import { type InboundEvent, storedAttachment } from "../../channels/types";
import type { Tx } from "../../context";
import { prepared } from "../../db/client";
import type { EventAudience } from "../../domain/permissions";
import type { EventDraft } from "../../events/store";
import { inTurns } from "../../lib/turns";
import { storedComment } from "../comments/stored";
import {
  accessOf,
  CONVERSATION_SELECT,
  type ConversationRow,
  conversationFrom,
  presentConversation,
} from "../conversations/present";
import { enqueueDistribution } from "../distribution/jobs";
import { MESSAGE_COLUMNS, type MessageRow, presentMessage } from "../messages/present";
import { addSystemEvent } from "../messages/system-event";
import { queueAfterIngest } from "./after-ingest";
import { findOrCreateIdentity, lockConversation } from "./ingest-targets";

export interface ConnectionRef {
  id: string;
  workspaceId: string;
  /** The connection's channel, where the caller knows it: work that only some channels need skips the rest. */
  type?: string;
}

export type InboundMessage = Extract<InboundEvent, { kind: "message" }>;

export type MessageOutcome = {
  kind: "message";
  status: "created" | "duplicate" | "contact_blocked";
  messageId: string | null;
  conversationId: string | null;
};

export interface Target {
  contactId: string;
  blocked: boolean;
  conversationId: string;
  status: "open" | "in_progress" | "closed";
  created: boolean;
  /** Snoozed before this batch: a customer's message wakes it. */
  snoozed?: boolean;
}

const LOCK_CONVERSATIONS = prepared(
  "ingest.lock-conversations",
  `select i.connection_id, i.external_id, i.contact_id, ct.blocked_at is not null as blocked, c.id, c.status,
       c.snoozed_until is not null as snoozed
     from unnest($1::uuid[], $2::text[]) as k(connection_id, external_id)
     join contact_identities i on i.connection_id = k.connection_id and i.external_id = k.external_id
     join contacts ct on ct.id = i.contact_id
     join conversations c on c.identity_id = i.id
     order by c.id
     for update of c`,
);

const INSERT_MESSAGES = prepared(
  "ingest.insert-messages",
  `insert into messages (workspace_id, conversation_id, connection_id, direction, kind, author_type, author_id, text,
           attachments, quoted_message_id, provider_message_id, delivery_state, queued_at, sent_at, created_at, comment)
         select u.workspace_id, u.conversation_id, u.connection_id,
           -- An echo is the business's own message sent from the provider's app: an agent message, already sent.
           case when u.echo then 'outbound' else 'inbound' end, 'message',
           case when u.echo then 'user' else 'contact' end, case when u.echo then null else u.contact_id end,
           u.text, u.attachments,
           (select q.id from messages q where q.connection_id = u.connection_id and q.provider_message_id = u.quoted
              and q.conversation_id = u.conversation_id),
           u.provider_message_id,
           case when u.echo then 'sent' end, case when u.echo then $9::timestamptz end,
           case when u.echo then $9::timestamptz end, $9, u.comment
         from unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::jsonb[], $7::text[], $8::text[],
             $10::boolean[], $11::jsonb[])
           with ordinality as u(workspace_id, conversation_id, connection_id, contact_id, text, attachments, quoted,
             provider_message_id, echo, comment, ord)
         order by u.ord
         on conflict (connection_id, provider_message_id) where provider_message_id is not null do nothing
         returning ${MESSAGE_COLUMNS}, connection_id`,
);

const UPDATE_CONVERSATIONS = prepared(
  "ingest.update-conversations",
  `with v as (
           select * from unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::int8[], $7::timestamptz[], $8::text[])
             as v(id, last_message_id, preview, author, direction, last_inbound_seq, last_customer_at, unanswered)),
         c as (
           update conversations c set
             last_activity_at = greatest(c.last_activity_at, $9), updated_at = $9, last_message_id = v.last_message_id, last_message_preview = v.preview,
             last_message_author = v.author, last_message_author_id = null, last_message_direction = v.direction,
             last_outbound_state = case when v.direction = 'outbound' then 'sent' else c.last_outbound_state end,
             last_inbound_seq = coalesce(v.last_inbound_seq, c.last_inbound_seq),
             -- Never backwards: a provider's late retry of an old message must not close the messaging window.
             last_customer_message_at = greatest(c.last_customer_message_at, v.last_customer_at),
             first_unanswered_at = case v.unanswered when 'clear' then null when 'reset' then $9::timestamptz
                                   else coalesce(c.first_unanswered_at, $9) end,
             status = case when c.status = 'closed' then 'open' else c.status end,
             closed_at = case when c.status = 'closed' then null else c.closed_at end,
              -- The customer writing wakes a snoozed conversation.
              snoozed_until = case when v.last_inbound_seq is not null then null else c.snoozed_until end,
              snoozed_by = case when v.last_inbound_seq is not null then null else c.snoozed_by end
           from v where c.id = v.id
           returning c.*)
         ${CONVERSATION_SELECT},
           exists (select 1 from outside_hours_replies r where r.connection_id = c.connection_id and r.enabled)
             as outside_hours
         ${conversationFrom("c")}`,
);

/**
 * How many messages' events a batch builds in one turn of the event loop (a tenth of a millisecond or more
 * each: presenting the message, the event with its conversation, serialising it): a batch of up to 200 is
 * not built in one stretch.
 */
export const EVENTS_PER_TURN = 50;

const key = (connectionId: string, externalId: string) => `${connectionId}\u0000${externalId}`;

/**
 * Ingests many inbound messages in the caller's transaction with a handful of statements whatever their
 * number: one to find and lock the known conversations (in id order, so concurrent batches lock alike), one
 * insert for all messages (idempotent by provider id), one update for all touched conversations. Unknown
 * contacts take the slow path, one at a time. Events are emitted in the order the messages came.
 */
export async function ingestMessages(
  tx: Tx,
  items: { connection: ConnectionRef; message: InboundMessage }[],
): Promise<MessageOutcome[]> {
  if (items.length === 0) return [];
  const targets = new Map<string, Target>();

  // 1. Known contacts with their conversations, locked.
  const pairs = [
    ...new Map(items.map((i) => [key(i.connection.id, i.message.externalContactId), i])).values(),
  ];
  const known = await tx.q.query<{
    connection_id: string;
    external_id: string;
    contact_id: string;
    blocked: boolean;
    id: string;
    status: Target["status"];
    snoozed: boolean;
  }>(LOCK_CONVERSATIONS, [pairs.map((p) => p.connection.id), pairs.map((p) => p.message.externalContactId)]);
  for (const r of known) {
    targets.set(key(r.connection_id, r.external_id), {
      contactId: r.contact_id,
      blocked: r.blocked,
      conversationId: r.id,
      status: r.status,
      created: false,
      snoozed: r.snoozed,
    });
  }

  // 2. New contacts (or a contact without a conversation): one at a time, in a stable order.
  const unknown = pairs
    .filter((p) => !targets.has(key(p.connection.id, p.message.externalContactId)))
    .sort((a, b) =>
      key(a.connection.id, a.message.externalContactId) < key(b.connection.id, b.message.externalContactId)
        ? -1
        : 1,
    );
  for (const p of unknown) {
    const identity = await findOrCreateIdentity(tx, p.connection, p.message);
    const conv = identity.blocked
      ? { id: "", status: "open" as const, created: false }
      : await lockConversation(tx, p.connection, identity, p.message);
    targets.set(key(p.connection.id, p.message.externalContactId), {
      contactId: identity.contact_id,
      blocked: identity.blocked,
      conversationId: conv.id,
      status: conv.status,
      created: conv.created,
      snoozed: "snoozed" in conv && conv.snoozed === true,
    });
  }

  // 3. All messages in one insert; a provider id seen before (or twice in this batch) inserts nothing.
  const accepted = items
    .map((item, index) => ({
      ...item,
      index,
      target: targets.get(key(item.connection.id, item.message.externalContactId))!,
    }))
    .filter((a) => !a.target.blocked);
  const inserted = accepted.length
    ? await tx.q.query<MessageRow & { connection_id: string }>(INSERT_MESSAGES, [
        accepted.map((a) => a.connection.workspaceId),
        accepted.map((a) => a.target.conversationId),
        accepted.map((a) => a.connection.id),
        accepted.map((a) => a.target.contactId),
        accepted.map((a) => a.message.text),
        accepted.map((a) => JSON.stringify(a.message.attachments.map(storedAttachment))),
        accepted.map((a) => a.message.quotedProviderMessageId ?? null),
        accepted.map((a) => a.message.providerMessageId),
        tx.now,
        accepted.map((a) => a.message.echo === true),
        accepted.map((a) => storedComment(a.message)),
      ])
    : [];
  const byProviderId = new Map(inserted.map((m) => [key(m.connection_id, m.provider_message_id!), m]));

  // 4. One update for every conversation that got messages, returning what the events need.
  interface Touched {
    last: MessageRow;
    lastInbound: MessageRow | null;
    lastCustomerAt: Date | null;
    lastEchoSeq: number;
  }
  const perConversation = new Map<string, Touched>();
  for (const a of accepted) {
    const m = byProviderId.get(key(a.connection.id, a.message.providerMessageId));
    if (!m || m.conversation_id !== a.target.conversationId) continue;
    const agg = perConversation.get(m.conversation_id) ?? {
      last: m,
      lastInbound: null,
      lastCustomerAt: null,
      lastEchoSeq: 0,
    };
    if (m.seq >= agg.last.seq) agg.last = m;
    if (m.direction === "inbound") {
      if (!agg.lastInbound || m.seq > agg.lastInbound.seq) agg.lastInbound = m;
      // A provider's clock ahead of ours (skew) is capped at the time we received the message.
      const at = new Date(Math.min(a.message.at.getTime(), tx.now.getTime()));
      if (!agg.lastCustomerAt || at > agg.lastCustomerAt) agg.lastCustomerAt = at;
    } else {
      agg.lastEchoSeq = Math.max(agg.lastEchoSeq, m.seq);
    }
    perConversation.set(m.conversation_id, agg);
  }
  const convs = [...perConversation.entries()];
  // Unanswered since: kept when only the customer wrote; cleared when the business's echo came last; the
  // start of this batch when the customer wrote again after an echo.
  const unanswered = (t: Touched) =>
    t.lastEchoSeq === 0 ? "keep" : t.last.direction === "outbound" ? "clear" : "reset";
  const updated = convs.length
    ? await tx.q.query<ConversationRow & { outside_hours: boolean }>(UPDATE_CONVERSATIONS, [
        convs.map(([id]) => id),
        convs.map(([, t]) => t.last.id),
        convs.map(([, t]) => preview(t.last.text, t.last.attachments.length)),
        convs.map(([, t]) => t.last.author_type),
        convs.map(([, t]) => t.last.direction),
        convs.map(([, t]) => t.lastInbound?.seq ?? null),
        convs.map(([, t]) => t.lastCustomerAt),
        convs.map(([, t]) => unanswered(t)),
        tx.now,
      ])
    : [];
  // Each conversation presented once for its events, EVENTS_PER_TURN to a turn like the events below.
  const after = new Map<string, { conversation: Conversation; audience: EventAudience }>();
  for await (const r of inTurns(updated, EVENTS_PER_TURN)) {
    after.set(r.id, { conversation: presentConversation(r), audience: { conversation: accessOf(r) } });
  }

  // The update said which conversations a bot holds and which connections reply outside hours: the jobs'
  // own statements run only when there is something for them.
  const rowOf = new Map(updated.map((r) => [r.id, r]));
  await queueAfterIngest(tx, {
    inboundMessageIds: inserted
      .filter((m) => m.direction === "inbound" && rowOf.get(m.conversation_id)?.bot_id !== null)
      .map((m) => m.id),
    newConversationIds: accepted.filter((a) => a.target.created).map((a) => a.target.conversationId),
    customerWroteIn: convs
      .filter(([id, t]) => t.lastInbound && rowOf.get(id)?.outside_hours !== false)
      .map(([id]) => id),
  });

  // 5. Events and outcomes, in the order the messages came.
  const announced = new Set<string>();
  const outcomes: MessageOutcome[] = items.map(() => ({
    kind: "message",
    status: "contact_blocked",
    messageId: null,
    conversationId: null,
  }));
  const toDistribute = new Map<string, string[]>();
  // New conversations' `conversation.created`: quiet (no fan-out job) when distribution takes them.
  const created = new Map<string, EventDraft>();
  // A large batch builds its events over several turns of the event loop (see EVENTS_PER_TURN).
  for await (const a of inTurns(accepted, EVENTS_PER_TURN)) {
    const m = byProviderId.get(key(a.connection.id, a.message.providerMessageId));
    const firstOfBatch = m && m.conversation_id === a.target.conversationId && !announced.has(m.id);
    if (!m || !firstOfBatch) {
      outcomes[a.index] = {
        kind: "message",
        status: "duplicate",
        messageId: null,
        conversationId: a.target.conversationId,
      };
      continue;
    }
    announced.add(m.id);
    const view = after.get(a.target.conversationId)!;
    if (!announced.has(`conversation:${a.target.conversationId}`)) {
      announced.add(`conversation:${a.target.conversationId}`);
      if (a.target.created || a.target.status === "closed") {
        const list = toDistribute.get(a.connection.workspaceId);
        if (list) list.push(a.target.conversationId);
        else toDistribute.set(a.connection.workspaceId, [a.target.conversationId]);
      }
      if (a.target.created) {
        const draft: EventDraft = {
          type: "conversation.created",
          conversationId: a.target.conversationId,
          ...view,
        };
        created.set(a.target.conversationId, draft);
        tx.emit(a.connection.workspaceId, draft);
      } else if (a.target.status === "closed") {
        // The customer reopened it by writing: a line in the feed, as when an agent reopens.
        await addSystemEvent(
          tx,
          {
            workspaceId: a.connection.workspaceId,
            conversationId: a.target.conversationId,
            connectionId: a.connection.id,
          },
          { kind: "reopened", byUserId: null, byContact: true, from: "closed", to: "open" },
          view.audience,
        );
        tx.emit(a.connection.workspaceId, {
          type: "conversation.status_changed",
          conversationId: a.target.conversationId,
          previousStatus: "closed",
          byUserId: null,
          ...view,
        });
      }
      if (a.target.snoozed && !view.conversation.snoozedUntil)
        await announceWoken(tx, a.connection, a.target.conversationId, view);
    }
    tx.emit(a.connection.workspaceId, {
      type: "message.created",
      conversationId: a.target.conversationId,
      message: presentMessage(m),
      ...view,
    });
    outcomes[a.index] = {
      kind: "message",
      status: "created",
      messageId: m.id,
      conversationId: a.target.conversationId,
    };
  }
  // New and reopened conversations go to distribution (R701) by a job: ingest never waits for the pick.
  // Those distributed notify nobody at arrival (their assignee hears of the assignment, see waiting.ts):
  // their event is appended without a fan-out job, as the fan-out would find nothing to do.
  for (const [workspaceId, ids] of toDistribute)
    for (const id of await enqueueDistribution(tx, workspaceId, ids, created)) {
      const draft = created.get(id);
      if (draft) draft.quiet = true;
    }
  return outcomes;
}

/** The customer wrote to a snoozed conversation: it is back, with a line in the feed and `conversation.updated`. */
async function announceWoken(
  tx: Tx,
  connection: ConnectionRef,
  conversationId: string,
  view: { conversation: Conversation; audience: EventAudience },
) {
  await addSystemEvent(
    tx,
    { workspaceId: connection.workspaceId, conversationId, connectionId: connection.id },
    { kind: "unsnoozed", byUserId: null, byContact: true, reason: "customer" },
    view.audience,
  );
  tx.emit(connection.workspaceId, { type: "conversation.updated", conversationId, ...view });
}

/**
 * A conversation's line in the list: a text of up to 200 UTF-16 units, cut to 199 and an ellipsis beyond that,
 * never between the two halves of a character outside the Basic Multilingual Plane (an emoji): half of one is
 * no character, and would be stored as U+FFFD.
 */
export function preview(text: string | null, attachments: number): string {
  if (text) {
    if (text.length <= 200) return text;
    const high = text.charCodeAt(198);
    return `${text.slice(0, high >= 0xd800 && high <= 0xdbff ? 198 : 199)}…`;
  }
  return attachments > 0 ? `📎 ${attachments}` : "";
}
