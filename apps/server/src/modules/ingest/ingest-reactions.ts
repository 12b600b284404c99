import type { MessageReaction } from "@parley/protocol";
import type { InboundEvent } from "../../channels/types";
import type { Tx } from "../../context";
import { accessOf, loadConversationRow, presentConversation } from "../conversations/present";
import { MESSAGE_COLUMNS, type MessageRow, presentMessage } from "../messages/present";
import type { ConnectionRef } from "./ingest-messages";

export type ReactionEvent = Extract<InboundEvent, { kind: "reaction" }>;

export type ReactionOutcome = {
  kind: "reaction";
  status: "updated" | "unchanged" | "unknown_message" | "unknown_contact";
  messageId: string | null;
};

/**
 * A customer's reaction to a message (Messenger / Instagram `message_reactions`): kept on the message (one per
 * customer: a new one replaces theirs, "unreact" removes it; a report older than the reaction held is
 * ignored) and announced with `message.updated`. A reaction is an interaction with the business: it renews the
 * messaging window (`last_customer_message_at` moves to its time, never backwards, never past now) even when the
 * message it is about is not known to Parley.
 */
export async function ingestReaction(
  tx: Tx,
  connection: ConnectionRef,
  e: ReactionEvent,
): Promise<ReactionOutcome> {
  const [conv] = await tx.q.query<{ id: string }>(
    `select c.id from conversations c join contact_identities i on i.id = c.identity_id
     where i.connection_id = $1 and i.external_id = $2`,
    [connection.id, e.externalContactId],
  );
  if (!conv) return { kind: "reaction", status: "unknown_contact", messageId: null };

  let outcome: ReactionOutcome = { kind: "reaction", status: "unknown_message", messageId: null };
  const [row] = await tx.q.query<MessageRow>(
    `select ${MESSAGE_COLUMNS} from messages
     where conversation_id = $1 and connection_id = $2 and provider_message_id = $3 for update`,
    [conv.id, connection.id, e.providerMessageId],
  );
  if (row) {
    outcome = { kind: "reaction", status: "unchanged", messageId: row.id };
    const current = row.reactions ?? [];
    const theirs = current.find((r) => r.authorType === "contact");
    const stale = theirs !== undefined && Date.parse(theirs.at) > e.at.getTime();
    const same = e.action === "react" ? theirs?.emoji === e.emoji : theirs === undefined;
    if (!stale && !same) {
      const next: MessageReaction[] = current.filter((r) => r.authorType !== "contact");
      if (e.action === "react" && e.emoji)
        next.push({ emoji: e.emoji, authorType: "contact", at: e.at.toISOString() });
      const [updated] = await tx.q.query<MessageRow>(
        `update messages set reactions = $2 where id = $1 returning ${MESSAGE_COLUMNS}`,
        [row.id, JSON.stringify(next)],
      );
      const view = await loadConversationRow(tx.q, connection.workspaceId, conv.id);
      tx.emit(connection.workspaceId, {
        type: "message.updated",
        conversationId: conv.id,
        message: presentMessage(updated!),
        audience: view ? { conversation: accessOf(view) } : {},
      });
      outcome = { kind: "reaction", status: "updated", messageId: row.id };
    }
  }

  if (e.action === "react") {
    // A provider clock ahead of ours never opens the window beyond now.
    const at = e.at.getTime() > tx.now.getTime() ? tx.now : e.at;
    const moved = await tx.q.query(
      `update conversations set last_customer_message_at = greatest(last_customer_message_at, $2::timestamptz),
         updated_at = $3
       where id = $1 and (last_customer_message_at is null or last_customer_message_at < $2::timestamptz)
       returning id`,
      [conv.id, at, tx.now],
    );
    if (moved.length) {
      const view = await loadConversationRow(tx.q, connection.workspaceId, conv.id);
      if (view)
        tx.emit(connection.workspaceId, {
          type: "conversation.updated",
          conversationId: conv.id,
          conversation: presentConversation(view),
          audience: { conversation: accessOf(view) },
        });
    }
  }
  return outcome;
}
