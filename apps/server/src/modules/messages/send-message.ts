import {
  type Attachment,
  CAPABILITIES,
  type ChannelType,
  type CommentReplyMode,
  countNonSpace,
  LIMITS,
  textLimitProblem,
} from "@parley/protocol";
import { type AppContext, type Tx, transact } from "../../context";
import type { Actor } from "../../domain/permissions";
import { conversationPolicy, mustHold } from "../../domain/permissions";
import { AppError, forbidden, notFound } from "../../lib/errors";
import { resolveAttachments } from "../../storage/uploads";
import { sendBotReply } from "../bots/commands/bot-reply";
import { prepareCommentReply } from "../comments/reply";
import { accessOf, loadConversationRow, presentConversation } from "../conversations/present";
import { conversationWindow, windowRefusal } from "../conversations/window";
import { preview } from "../ingest/ingest-messages";
import type { StoredTemplateRef } from "../templates/render";
import { queueMarkSeen } from "./mark-seen-job";
import { MESSAGE_COLUMNS, type MessageRow, presentMessage } from "./present";
import { SEND_MESSAGE_JOB } from "./send-job";
import { addSystemEvent } from "./system-event";

const CHANNEL_NAMES: Record<ChannelType, string> = {
  api: "The API channel",
  telegram: "Telegram",
  telegram_user: "Telegram",
  whatsapp: "WhatsApp",
  viber: "Viber",
  messenger: "Messenger",
  instagram: "Instagram",
  widget: "The website chat",
  email: "Email",
  line: "LINE",
  wechat: "WeChat",
  sms: "SMS",
};

export interface SendInput {
  conversationId: string;
  text: string | null;
  attachments: Attachment[];
  quotedMessageId: string | null;
  /** The client's idempotency key: a retried request returns the first message instead of sending twice. */
  clientId: string | null;
  note: boolean;
  /** Sent as this provider template (`text` is its rendered text): allowed where the window allows only templates. */
  template?: StoredTemplateRef | null;
  /**
   * Written by an automation rule (the actor's id is the rule's): the author is a bot, and a reply to a
   * conversation in the queue leaves it there instead of assigning it to the writer.
   */
  byRule?: boolean;
  /** In a comment conversation (R451): a public reply under the comment (default) or a private one. */
  commentReply?: CommentReplyMode | null;
}

/**
 * Writes an agent's reply as queued together with the durable job that sends it (or a note, which is
 * never sent anywhere). Replying to a conversation in the queue assigns it to the writer; replying to a
 * closed one reopens it (R206, R501).
 */
export async function sendMessage(ctx: AppContext, actor: Actor, input: SendInput) {
  // A bot's token (R702): its reply is the bot's, in its own conversations only.
  if (actor.botId) return sendBotReply(ctx, actor.workspaceId, actor.botId, input);
  checkMessageInput(input);
  return transact(ctx, (tx) => writeMessage(tx, ctx, actor, input));
}

/** Refuses a message with nothing in it, or with more text than a message may have, before anything is read. */
export function checkMessageInput(input: Pick<SendInput, "text" | "attachments" | "note">) {
  if (!input.text?.trim() && input.attachments.length === 0) {
    throw new AppError("validation_failed", "Write a message or attach a file.");
  }
  if (input.text && !input.note && countNonSpace(input.text) > LIMITS.messageNonSpaceChars) {
    throw new AppError(
      "validation_failed",
      `A message may have at most ${LIMITS.messageNonSpaceChars} characters not counting spaces; this one has ${countNonSpace(input.text)}.`,
    );
  }
}

/**
 * `sendMessage` for a person, inside the caller's transaction (after `checkMessageInput`): a refusal rolls
 * back whatever the caller changed before it.
 */
export async function writeMessage(tx: Tx, ctx: AppContext, actor: Actor, input: SendInput) {
  const [locked] = await tx.q.query<{ id: string }>(
    "select id from conversations where workspace_id = $1 and id = $2 for update",
    [actor.workspaceId, input.conversationId],
  );
  if (!locked) throw notFound("Conversation");
  const conv = (await loadConversationRow(tx.q, actor.workspaceId, input.conversationId))!;
  const policy = conversationPolicy(actor, accessOf(conv));
  if (!policy.read) throw notFound("Conversation");
  if (!input.note) mustHold(actor, "conversations.reply");
  if (input.note ? !policy.note : !policy.reply) {
    throw forbidden("Only the agent responsible for this conversation or its operators can reply to it.");
  }
  if (!input.note && conv.contact_blocked_at) {
    throw new AppError("contact_blocked", "This contact is blocked: unblock them to send messages.");
  }
  if (!input.note) {
    // Refused before sending when the channel's messaging window forbids it (R503); a rule's message is
    // automation (on Messenger and Instagram: the 24-hour window only, never the human-agent tag).
    const window = await conversationWindow(tx.q, conv.id, tx.now, {
      sender: input.byRule ? "automation" : "person",
    });
    const asTemplate = !window.allowed && window.only === "template" && !!input.template;
    if (!window.allowed && !asTemplate) throw windowRefusal(window);
  }
  // A comment conversation's reply goes under the comment or privately (R451), by its own rules.
  if (input.commentReply && conv.kind !== "comment")
    throw new AppError("validation_failed", "commentReply is only for conversations about a comment.");
  const comment =
    !input.note && conv.kind === "comment"
      ? await prepareCommentReply(
          tx.q,
          conv,
          { mode: input.commentReply ?? null, quotedMessageId: input.quotedMessageId },
          tx.now,
        )
      : null;
  if (comment && input.attachments.length > 0)
    throw new AppError("validation_failed", "A reply to a comment carries text only: remove the files.");
  // Text longer than the channel takes in one message, where the channel does not send it in parts
  // (Telegram does): refused now with the limit, instead of failing at the provider.
  const caps = CAPABILITIES[conv.connection_type as ChannelType];
  const tooLong = !input.note && !input.template && input.text && caps && textLimitProblem(caps, input.text);
  if (tooLong) {
    throw new AppError(
      "validation_failed",
      `${CHANNEL_NAMES[conv.connection_type as ChannelType] ?? "This channel"} takes at most ${tooLong.max} ${tooLong.unit} in one message; this one has ${tooLong.length}. Shorten it or send it as several messages.`,
      { reason: "too_long", ...tooLong },
    );
  }
  // Parley's own files as stored (never the client's idea of their type or size), within the channel's limits.
  const attachments = await resolveAttachments(
    tx.q,
    actor.workspaceId,
    conv.connection_type,
    input.attachments,
  );
  if (input.clientId) {
    const [dupe] = await tx.q.query<MessageRow>(
      `select ${MESSAGE_COLUMNS} from messages where conversation_id = $1 and author_id = $2 and client_id = $3`,
      [conv.id, actor.userId, input.clientId],
    );
    if (dupe) return { message: presentMessage(dupe), duplicate: true };
  }
  if (input.quotedMessageId) {
    const q = await tx.q.query("select 1 from messages where id = $1 and conversation_id = $2", [
      input.quotedMessageId,
      conv.id,
    ]);
    if (q.length === 0)
      throw new AppError("validation_failed", "The quoted message is not in this conversation.");
  }
  if (!input.note) {
    // A reply to a closed conversation reopens it and one to a queued conversation takes it: the feed says so
    // before the reply itself.
    const where = {
      workspaceId: actor.workspaceId,
      conversationId: conv.id,
      connectionId: conv.connection_id,
    };
    const audience = { conversation: { ...accessOf(conv), assigneeId: conv.assignee_id ?? actor.userId } };
    if (conv.status === "closed") {
      await addSystemEvent(
        tx,
        where,
        { kind: "reopened", byUserId: actor.userId, from: "closed", to: "open" },
        audience,
      );
    }
    if (conv.assignee_id === null && !input.byRule) {
      await addSystemEvent(
        tx,
        where,
        { kind: "assigned", byUserId: actor.userId, from: null, to: actor.userId },
        audience,
      );
    }
  }
  const [row] = await tx.q.query<MessageRow>(
    `insert into messages (workspace_id, conversation_id, connection_id, direction, kind, author_type, author_id,
       text, attachments, quoted_message_id, client_id, delivery_state, queued_at, created_at, template, comment)
     values ($1, $2, $3, $4, $5, $14, $6, $7, $8, $9, $10, $11, $12, $12, $13, $15)
     returning ${MESSAGE_COLUMNS}`,
    [
      actor.workspaceId,
      conv.id,
      conv.connection_id,
      input.note ? "internal" : "outbound",
      input.note ? "note" : "message",
      actor.userId,
      input.text,
      JSON.stringify(attachments),
      input.quotedMessageId,
      input.clientId,
      input.note ? null : "queued",
      tx.now,
      input.template && !input.note ? JSON.stringify(input.template) : null,
      input.byRule ? "bot" : "user",
      comment ? JSON.stringify(comment) : null,
    ],
  );
  const message = row!;
  if (!input.note) {
    const takes = conv.assignee_id === null && !input.byRule;
    const reopens = conv.status === "closed";
    await tx.q.query(
      `update conversations set last_activity_at = greatest(last_activity_at, $2), updated_at = $2, last_message_id = $3,
         last_message_preview = $4, last_message_author = $6,
         last_message_author_id = case when $6 = 'user' then $5::uuid end, last_message_direction = 'outbound',
         last_outbound_state = 'queued', first_unanswered_at = null,
         assignee_id = case when $7 then assignee_id else coalesce(assignee_id, $5) end,
         status = case when status = 'closed' then 'open' else status end,
         closed_at = case when status = 'closed' then null else closed_at end
       where id = $1`,
      [
        conv.id,
        tx.now,
        message.id,
        preview(input.text, attachments.length),
        actor.userId,
        input.byRule ? "bot" : "user",
        !!input.byRule,
      ],
    );
    await queueMarkSeen(tx, ctx, actor.workspaceId, conv.id, "reply");
    await tx.enqueue(
      SEND_MESSAGE_JOB,
      { messageId: message.id, workspaceId: actor.workspaceId },
      { workspaceId: actor.workspaceId },
    );
    const after = (await loadConversationRow(tx.q, actor.workspaceId, conv.id))!;
    const conversation = presentConversation(after);
    const audience = { conversation: { ...accessOf(after), previousAssigneeId: conv.assignee_id } };
    if (takes) {
      tx.emit(actor.workspaceId, {
        type: "conversation.assigned",
        conversationId: conv.id,
        conversation,
        previousAssigneeId: null,
        byUserId: actor.userId,
        audience,
      });
    }
    if (reopens) {
      tx.emit(actor.workspaceId, {
        type: "conversation.status_changed",
        conversationId: conv.id,
        conversation,
        previousStatus: "closed",
        byUserId: actor.userId,
        audience,
      });
    }
    tx.emit(actor.workspaceId, {
      type: "message.created",
      conversationId: conv.id,
      message: presentMessage(message),
      conversation,
      audience,
    });
  } else {
    tx.emit(actor.workspaceId, {
      type: "message.created",
      conversationId: conv.id,
      message: presentMessage(message),
      audience: { conversation: accessOf(conv) },
    });
  }
  // A rule is no person: it has no read position or draft.
  if (input.byRule) return { message: presentMessage(message), duplicate: false };
  // The writer has read everything up to their own message.
  await tx.q.query(
    `insert into read_cursors (workspace_id, conversation_id, user_id, last_read_seq, marked_unread, read_at)
     values ($1, $2, $3, $4, false, $5)
     on conflict (conversation_id, user_id) do update set last_read_seq = greatest(read_cursors.last_read_seq, excluded.last_read_seq),
       marked_unread = false, read_at = excluded.read_at`,
    [actor.workspaceId, conv.id, actor.userId, message.seq, tx.now],
  );
  await tx.q.query("delete from drafts where conversation_id = $1 and user_id = $2", [conv.id, actor.userId]);
  return { message: presentMessage(message), duplicate: false };
}
