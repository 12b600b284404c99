import type { Attachment, Conversation, MessageComment } from "@parley/protocol";
import { type InboundEvent, storedAttachment } from "../../channels/types";
import type { Tx } from "../../context";
import type { EventAudience } from "../../domain/permissions";
import type { EventDraft } from "../../events/store";
import { inTurns } from "../../lib/turns";
import { storedComment } from "../comments/stored";
import { accessOf, presentConversation } from "../conversations/present";
import { enqueueDistribution } from "../distribution/jobs";
import { type MessageRow, presentMessage } from "../messages/present";
import { addSystemEvent } from "../messages/system-event";
import { queueAfterIngest } from "./after-ingest";
import { findOrCreateIdentity, lockConversation } from "./ingest-targets";
import { LOCK_CONVERSATIONS, WRITE_MESSAGES, type WrittenRow } from "./message-statements";

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

/**
 * How many messages' events a batch builds in one turn of the event loop (a tenth of a millisecond or more
 * each: presenting the message, the event with its conversation, serialising it): a batch of up to 200 is
 * not built in one stretch.
 */
export const EVENTS_PER_TURN = 50;

const key = (connectionId: string, externalId: string) => `${connectionId}\u0000${externalId}`;

/**
 * Ingests many inbound messages in the caller's transaction with a handful of statements whatever their
 * number: one to find and lock the known conversations (in id order, so concurrent batches lock alike), and one
 * that inserts all messages (idempotent by provider id) and updates the conversations they went to
 * (`WRITE_MESSAGES`). Unknown contacts take the slow path, one at a time. Events are emitted in the order the
 * messages came.
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

  // 3. All messages and their conversations in one statement; a provider id seen before (or twice in this
  // batch) inserts nothing.
  const accepted = items
    .map((item, index) => ({
      ...item,
      index,
      target: targets.get(key(item.connection.id, item.message.externalContactId))!,
      attachments: item.message.attachments.map(storedAttachment),
      comment: storedComment(item.message),
    }))
    .filter((a) => !a.target.blocked);
  const written = accepted.length
    ? await tx.q.query<WrittenRow>(WRITE_MESSAGES, [
        accepted.map((a) => a.connection.workspaceId),
        accepted.map((a) => a.target.conversationId),
        accepted.map((a) => a.connection.id),
        accepted.map((a) => a.target.contactId),
        accepted.map((a) => a.message.text),
        accepted.map((a) => JSON.stringify(a.attachments)),
        accepted.map((a) => a.message.quotedProviderMessageId ?? null),
        accepted.map((a) => a.message.providerMessageId),
        tx.now,
        accepted.map((a) => a.message.echo === true),
        accepted.map((a) => (a.comment ? JSON.stringify(a.comment) : null)),
        accepted.map((a) => a.message.at),
        accepted.map((a) => preview(a.message.text, a.attachments.length)),
      ])
    : [];
  const byProviderId = new Map(written.map((r) => [key(r.message_connection_id, r.message_provider_id), r]));
  // A row per message: each conversation's row once.
  const updated = [...new Map(written.map((r) => [r.id, r])).values()];
  // Each conversation presented once for its events, EVENTS_PER_TURN to a turn like the events below.
  const after = new Map<string, { conversation: Conversation; audience: EventAudience }>();
  for await (const r of inTurns(updated, EVENTS_PER_TURN)) {
    after.set(r.id, { conversation: presentConversation(r), audience: { conversation: accessOf(r) } });
  }

  // The update said which conversations a bot holds and which connections reply outside hours: the jobs'
  // own statements run only when there is something for them.
  await queueAfterIngest(tx, {
    inboundMessageIds: written
      .filter((r) => r.message_direction === "inbound" && r.bot_id !== null)
      .map((r) => r.message_id),
    newConversationIds: accepted.filter((a) => a.target.created).map((a) => a.target.conversationId),
    customerWroteIn: [
      ...new Set(
        written.filter((r) => r.message_direction === "inbound" && r.outside_hours).map((r) => r.id),
      ),
    ],
  });

  // 4. Events and outcomes, in the order the messages came.
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
    const firstOfBatch = m && m.id === a.target.conversationId && !announced.has(m.message_id);
    if (!m || !firstOfBatch) {
      outcomes[a.index] = {
        kind: "message",
        status: "duplicate",
        messageId: null,
        conversationId: a.target.conversationId,
      };
      continue;
    }
    announced.add(m.message_id);
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
      message: presentMessage(insertedMessage(a, m, tx.now)),
      ...view,
    });
    outcomes[a.index] = {
      kind: "message",
      status: "created",
      messageId: m.message_id,
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
 * The row of a message the batch inserted: what the insert wrote from the item, with what the database chose
 * (its id, seq and quoted message). Reading the whole row back would cost its parsing for nothing.
 */
function insertedMessage(
  a: { message: InboundMessage; target: Target; attachments: Attachment[]; comment: MessageComment | null },
  r: WrittenRow,
  now: Date,
): MessageRow {
  const echo = a.message.echo === true;
  return {
    id: r.message_id,
    seq: r.message_seq,
    conversation_id: r.id,
    direction: echo ? "outbound" : "inbound",
    kind: "message",
    author_type: echo ? "user" : "contact",
    author_id: echo ? null : a.target.contactId,
    text: a.message.text,
    attachments: a.attachments,
    quoted_message_id: r.message_quoted_id,
    event: null,
    provider_message_id: r.message_provider_id,
    delivery_state: echo ? "sent" : null,
    queued_at: echo ? now : null,
    sent_at: echo ? now : null,
    delivered_at: null,
    read_at: null,
    failed_at: null,
    failure_reason: null,
    failure_detail: null,
    waiting_reason: null,
    retry_at: null,
    template: null,
    reactions: [],
    comment: a.comment,
    created_at: now,
  };
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
