import type { InboundEvent } from "../../channels/types";
import type { Tx } from "../../context";
import { accessOf, loadConversationRow } from "../conversations/present";
import type { ConnectionRef, InboundMessage, MessageOutcome } from "../ingest/ingest-messages";
import { MESSAGE_COLUMNS, type MessageRow, presentMessage } from "../messages/present";
import { addMessageWords } from "../search/vocabulary";
import { POST_DETAILS_JOB } from "./post-job";

export type CommentChange = Extract<InboundEvent, { kind: "comment_changed" }>;
export type CommentOutcome = {
  kind: "comment_changed" | "ignored";
  status: "updated" | "unchanged" | "unknown_message" | "ignored";
  messageId?: string | null;
  reason?: string;
};

/**
 * The business's own comments (a Page or account commenting, from Meta's app or another tool) belong to the
 * conversation of the comment they answer. Each is given that conversation's identity; one Parley cannot
 * place is returned with the reason it is not stored: it answers no comment Parley knows, or it is the
 * echo of Parley's own public reply still being sent (recorded by the send itself).
 */
export async function routeCommentEchoes(
  tx: Tx,
  items: { connection: ConnectionRef; message: InboundMessage }[],
): Promise<Map<InboundMessage, string>> {
  const dropped = new Map<InboundMessage, string>();
  for (const { connection, message: m } of items) {
    if (!m.comment || !m.echo) continue;
    const [known] = await tx.q.query<{ external_id: string }>(
      `select i.external_id from messages m join conversations c on c.id = m.conversation_id
       join contact_identities i on i.id = c.identity_id
       where m.connection_id = $1 and m.provider_message_id = $2`,
      [connection.id, m.providerMessageId],
    );
    if (known) {
      m.externalContactId = known.external_id; // stored already: a duplicate
      continue;
    }
    const [parent] = m.comment.parentId
      ? await tx.q.query<{ external_id: string; conversation_id: string; sending: boolean }>(
          `select i.external_id, c.id as conversation_id,
             exists (select 1 from messages r where r.conversation_id = c.id and r.direction = 'outbound'
               and r.comment ->> 'replyTo' = $2 and r.comment ->> 'mode' = 'public'
               and r.delivery_state = 'queued') as sending
           from messages m join conversations c on c.id = m.conversation_id
           join contact_identities i on i.id = c.identity_id
           where m.connection_id = $1 and m.provider_message_id = $2 and c.kind = 'comment'`,
          [connection.id, m.comment.parentId],
        )
      : [];
    if (!parent) {
      dropped.set(
        m,
        `A comment by the business itself (${m.providerMessageId}) that answers no customer comment Parley knows: not stored.`,
      );
    } else if (parent.sending) {
      dropped.set(
        m,
        `The business's comment ${m.providerMessageId} is Parley's own public reply being sent: recorded by the send.`,
      );
    } else {
      m.externalContactId = parent.external_id;
    }
  }
  return dropped;
}

/**
 * A comment edited (the new text; the replaced one is kept in `comment.edits`) or removed by its author
 * (`comment.removedAt`: the agents still see what was written, marked deleted by the customer). Announced
 * with `message.updated`.
 */
export async function ingestCommentChange(
  tx: Tx,
  connection: ConnectionRef,
  e: CommentChange,
): Promise<CommentOutcome> {
  const [row] = await tx.q.query<MessageRow>(
    `select ${MESSAGE_COLUMNS} from messages
     where connection_id = $1 and provider_message_id = $2 and comment is not null for update`,
    [connection.id, e.providerMessageId],
  );
  if (!row) return { kind: "comment_changed", status: "unknown_message", messageId: null };
  const c = row.comment ?? { postId: null };
  if (e.change === "edited" && (c.removedAt || e.text === row.text))
    return { kind: "comment_changed", status: "unchanged", messageId: row.id };
  if (e.change === "removed" && c.removedAt)
    return { kind: "comment_changed", status: "unchanged", messageId: row.id };
  const next =
    e.change === "edited"
      ? { ...c, edits: [...(c.edits ?? []), { text: row.text, at: e.at.toISOString() }] }
      : { ...c, removedAt: e.at.toISOString() };
  const [updated] = await tx.q.query<MessageRow>(
    `update messages set comment = $2, text = $3 where id = $1 returning ${MESSAGE_COLUMNS}`,
    [row.id, JSON.stringify(next), e.change === "edited" ? e.text : row.text],
  );
  // An edit's new words: the message's seq may be behind the search vocabulary's watermark.
  if (e.change === "edited") await addMessageWords(tx.q, row.id);
  const view = await loadConversationRow(tx.q, connection.workspaceId, row.conversation_id);
  tx.emit(connection.workspaceId, {
    type: "message.updated",
    conversationId: row.conversation_id,
    message: presentMessage(updated!),
    audience: view ? { conversation: accessOf(view) } : {},
  });
  return { kind: "comment_changed", status: "updated", messageId: row.id };
}

/**
 * Posts seen for the first time get a `comment.post_details` job each, in the ingest transaction: the post's
 * text, link and picture are fetched after the webhook is acknowledged, never while Meta waits.
 */
export async function queuePostDetails(
  tx: Tx,
  items: { connection: ConnectionRef; message: InboundMessage }[],
  outcomes: MessageOutcome[],
) {
  const posts = new Map<string, { connection: ConnectionRef; postId: string; permalink: string | null }>();
  items.forEach((item, i) => {
    const c = item.message.comment;
    if (!c || outcomes[i]?.status !== "created") return;
    posts.set(`${item.connection.id}\u0000${c.postId}`, {
      connection: item.connection,
      postId: c.postId,
      permalink: c.permalinkUrl ?? null,
    });
  });
  if (posts.size === 0) return;
  const list = [...posts.values()];
  const fresh = await tx.q.query<{ workspace_id: string; connection_id: string; post_id: string }>(
    `insert into social_posts (workspace_id, connection_id, post_id, permalink_url, created_at, updated_at)
     select * , $5::timestamptz, $5::timestamptz from unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[])
     on conflict (connection_id, post_id) do nothing
     returning workspace_id, connection_id, post_id`,
    [
      list.map((p) => p.connection.workspaceId),
      list.map((p) => p.connection.id),
      list.map((p) => p.postId),
      list.map((p) => p.permalink),
      tx.now,
    ],
  );
  for (const p of fresh) {
    await tx.enqueue(
      POST_DETAILS_JOB,
      { connectionId: p.connection_id, postId: p.post_id, workspaceId: p.workspace_id },
      { workspaceId: p.workspace_id, idempotencyKey: `post-details:${p.connection_id}:${p.post_id}` },
    );
  }
}
