import {
  CAPABILITIES,
  type ChannelType,
  type CommentReplies,
  type CommentReplyMode,
  type MessageComment,
} from "@parley/protocol";
import type { OutgoingMessage } from "../../channels/types";
import type { Queryable } from "../../db/client";
import { type CommentReplyVerdict, commentReplyVerdict } from "../../domain/comment-replies";
import { AppError } from "../../lib/errors";

type OutgoingComment = NonNullable<OutgoingMessage["comment"]>;

interface TargetRow {
  id: string;
  provider_message_id: string;
  comment: MessageComment;
  created_at: Date;
  privately_replied: boolean;
}

/**
 * The comment a reply answers: the quoted message when it is one of the customer's comments in this
 * conversation, else the customer's latest comment that is still there.
 */
async function target(
  q: Queryable,
  conversationId: string,
  quotedMessageId: string | null,
  opts: { beforeSeq?: number } = {},
): Promise<TargetRow | null> {
  const [row] = await q.query<TargetRow>(
    `select m.id, m.provider_message_id, m.comment, m.created_at,
       exists (select 1 from messages r where r.connection_id = m.connection_id and r.comment ->> 'mode' = 'private'
         and r.comment ->> 'replyTo' = m.provider_message_id and r.delivery_state is distinct from 'failed'
         and ($3::bigint is null or r.seq < $3::bigint)) as privately_replied
     from messages m
     where m.conversation_id = $1 and m.direction = 'inbound' and m.comment is not null
       and m.provider_message_id is not null
       and ($2::uuid is null or m.id = $2::uuid)
     -- The latest comment still there; when none is, the latest (whose refusal then says why).
     order by (m.comment ->> 'removedAt' is not null or m.comment ->> 'deletedAt' is not null), m.seq desc
     limit 1`,
    [conversationId, quotedMessageId, opts.beforeSeq ?? null],
  );
  return row ?? null;
}

const verdict = (
  mode: CommentReplyMode,
  t: TargetRow | null,
  now: Date,
  channel: string,
): CommentReplyVerdict =>
  commentReplyVerdict({
    mode,
    now,
    comment: t ? { at: t.created_at, removed: !!t.comment.removedAt, deleted: !!t.comment.deletedAt } : null,
    privatelyReplied: t?.privately_replied ?? false,
    privateReplyDays: CAPABILITIES[channel as ChannelType]?.comments?.privateReplyDays ?? 7,
    mention: t?.comment.mention ?? null,
  });

const present = (v: CommentReplyVerdict) => ({
  allowed: v.allowed,
  reason: v.allowed ? null : v.reason,
  closesAt: v.closesAt?.toISOString() ?? null,
});

/** For the composer: which comment a reply goes under, and whether a public and a private reply can go now. */
export async function commentReplies(
  q: Queryable,
  conversationId: string,
  channel: string,
  now: Date,
): Promise<CommentReplies> {
  const t = await target(q, conversationId, null);
  return {
    commentMessageId: t?.id ?? null,
    mention: t?.comment.mention ?? null,
    public: present(verdict("public", t, now, channel)),
    private: present(verdict("private", t, now, channel)),
  };
}

/**
 * In sendMessage, for a comment conversation: the reply's comment facts (public or private, the comment it
 * answers), or a 422 `window_closed` with the reason (a second private reply, one after 7 days, a removed
 * comment). The conversation is locked by the caller, so two private replies cannot both pass.
 */
export async function prepareCommentReply(
  q: Queryable,
  conversation: { id: string; connection_type: string; post_id?: string | null },
  input: { mode: CommentReplyMode | null; quotedMessageId: string | null },
  now: Date,
): Promise<MessageComment> {
  const mode = input.mode ?? "public";
  const t = await target(q, conversation.id, input.quotedMessageId);
  if (input.quotedMessageId && !t)
    throw new AppError(
      "validation_failed",
      "The quoted message is not a customer's comment in this conversation: quote a comment or none.",
    );
  const v = verdict(mode, t, now, conversation.connection_type);
  if (!v.allowed)
    throw new AppError("window_closed", v.reason, { reason: v.reason, mode, closesAt: present(v).closesAt });
  return { postId: conversation.post_id ?? null, mode, replyTo: t!.provider_message_id };
}

/**
 * In the send job: how a message of a comment conversation goes. One written without a choice (a bot's
 * reply, an automation) goes as a public reply under the customer's latest comment that is still there.
 * A reply to a mention names the media and, unless the mention is in a caption, the comment.
 */
export async function commentOfSend(
  q: Queryable,
  message: { conversation_id: string; comment?: MessageComment | null },
): Promise<OutgoingComment | null> {
  const c = message.comment;
  let reply: { mode: CommentReplyMode; commentId: string };
  if (c?.mode && c.replyTo) reply = { mode: c.mode, commentId: c.replyTo };
  else {
    const [row] = await q.query<{ kind: string }>("select kind from conversations where id = $1", [
      message.conversation_id,
    ]);
    if (row?.kind !== "comment") return null;
    const t = await target(q, message.conversation_id, null);
    if (!t) return null;
    reply = { mode: "public", commentId: t.provider_message_id };
  }
  const [answered] = await q.query<{ mention: string | null; post_id: string | null }>(
    `select comment ->> 'mention' as mention, comment ->> 'postId' as post_id from messages
     where conversation_id = $1 and provider_message_id = $2 and direction = 'inbound'`,
    [message.conversation_id, reply.commentId],
  );
  const mention =
    answered?.mention && answered.post_id
      ? { mediaId: answered.post_id, commentId: answered.mention === "comment" ? reply.commentId : null }
      : null;
  return { ...reply, mention };
}

/** In the send job: a private reply is checked again when it goes (a retried one can outlive the 7 days). */
export async function commentSendRefusal(
  q: Queryable,
  message: { conversation_id: string; seq: number; comment?: MessageComment | null },
  channel: string,
  now: Date,
): Promise<string | null> {
  const c = message.comment;
  if (!c?.mode || !c.replyTo) return null;
  const [row] = await q.query<{ id: string }>(
    "select id from messages where conversation_id = $1 and provider_message_id = $2 and direction = 'inbound'",
    [message.conversation_id, c.replyTo],
  );
  const t = row ? await target(q, message.conversation_id, row.id, { beforeSeq: message.seq }) : null;
  const v = verdict(c.mode, t, now, channel);
  return v.allowed ? null : v.reason;
}
