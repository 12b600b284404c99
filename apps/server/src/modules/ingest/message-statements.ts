import { prepared } from "../../db/client";
import { CONVERSATION_SELECT, type ConversationRow, conversationFrom } from "../conversations/present";

/** Finds and locks the conversations of known contacts, in id order (concurrent batches lock alike). */
export const LOCK_CONVERSATIONS = prepared(
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

/** A row of WRITE_MESSAGES: an inserted message (what the database chose for it) with its conversation's row. */
export type WrittenRow = ConversationRow & {
  outside_hours: boolean;
  message_id: string;
  message_seq: number;
  message_connection_id: string;
  message_provider_id: string;
  message_quoted_id: string | null;
  message_direction: "inbound" | "outbound";
};

/**
 * A batch's messages and their conversations in one statement, so one round trip. The insert skips a
 * provider id seen before (or earlier in the batch). Each conversation that got messages is updated from
 * what was inserted: its last message (the highest seq) with the preview the caller worked out for it, its
 * last inbound message, the customer's last time (a provider's clock ahead of ours is capped at `$9`, the
 * transaction's time), and when it started waiting for an answer: kept while only the customer wrote,
 * cleared when the business's echo came last, this batch when the customer wrote again after an echo. The
 * answer is a row per inserted message with its conversation's list row (repeated for a conversation that
 * got several), the channel's outside-hours reply switch with it.
 */
export const WRITE_MESSAGES = prepared(
  "ingest.write-messages",
  `with u as (
       select * from unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::jsonb[], $7::text[],
           $8::text[], $10::boolean[], $11::jsonb[], $12::timestamptz[], $13::text[])
         with ordinality as u(workspace_id, conversation_id, connection_id, contact_id, text, attachments, quoted,
           provider_message_id, echo, comment, at, preview, ord)),
     ins as (
       insert into messages (workspace_id, conversation_id, connection_id, direction, kind, author_type, author_id,
           text, attachments, quoted_message_id, provider_message_id, delivery_state, queued_at, sent_at,
           created_at, comment)
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
         from u
         order by u.ord
         on conflict (connection_id, provider_message_id) where provider_message_id is not null do nothing
         returning id, seq, conversation_id, connection_id, provider_message_id, quoted_message_id, direction,
           author_type),
     -- Each inserted message with the first item of the batch that carried it.
     m as (
       select distinct on (ins.id) ins.*, u.at, u.preview
       from ins
       join u on u.connection_id = ins.connection_id and u.provider_message_id = ins.provider_message_id
         and u.conversation_id = ins.conversation_id
       order by ins.id, u.ord),
     v as (
       select m.conversation_id as id,
         (array_agg(m.id order by m.seq desc))[1] as last_message_id,
         (array_agg(m.preview order by m.seq desc))[1] as preview,
         (array_agg(m.author_type order by m.seq desc))[1] as author,
         (array_agg(m.direction order by m.seq desc))[1] as direction,
         max(m.seq) filter (where m.direction = 'inbound') as last_inbound_seq,
         max(least(m.at, $9::timestamptz)) filter (where m.direction = 'inbound') as last_customer_at,
         bool_or(m.direction = 'outbound') as echoed
       from m
       group by m.conversation_id),
     c as (
       update conversations c set
         last_activity_at = greatest(c.last_activity_at, $9), updated_at = $9, last_message_id = v.last_message_id,
         last_message_preview = v.preview, last_message_author = v.author, last_message_author_id = null,
         last_message_direction = v.direction,
         last_outbound_state = case when v.direction = 'outbound' then 'sent' else c.last_outbound_state end,
         last_inbound_seq = coalesce(v.last_inbound_seq, c.last_inbound_seq),
         -- Never backwards: a provider's late retry of an old message must not close the messaging window.
         last_customer_message_at = greatest(c.last_customer_message_at, v.last_customer_at),
         first_unanswered_at = case when not v.echoed then coalesce(c.first_unanswered_at, $9)
                               when v.direction = 'outbound' then null else $9::timestamptz end,
         status = case when c.status = 'closed' then 'open' else c.status end,
         closed_at = case when c.status = 'closed' then null else c.closed_at end,
         -- The customer writing wakes a snoozed conversation.
         snoozed_until = case when v.last_inbound_seq is not null then null else c.snoozed_until end,
         snoozed_by = case when v.last_inbound_seq is not null then null else c.snoozed_by end
       from v where c.id = v.id
       returning c.*)
   ${CONVERSATION_SELECT},
     exists (select 1 from outside_hours_replies r where r.connection_id = c.connection_id and r.enabled)
       as outside_hours,
     m.id as message_id, m.seq as message_seq, m.connection_id as message_connection_id,
     m.provider_message_id as message_provider_id,
     m.quoted_message_id as message_quoted_id, m.direction as message_direction
   ${conversationFrom("c")}
   join m on m.conversation_id = c.id
   order by m.seq`,
);
