import { countNonSpace, LIMITS } from "@parley/protocol";
import { type AppContext, transact } from "../../../context";
import { AppError, forbidden, notFound } from "../../../lib/errors";
import { accessOf, loadConversationRow, presentConversation } from "../../conversations/present";
import { conversationWindow, windowRefusal } from "../../conversations/window";
import { preview } from "../../ingest/ingest-messages";
import { MESSAGE_COLUMNS, type MessageRow, presentMessage } from "../../messages/present";
import { SEND_MESSAGE_JOB } from "../../messages/send-job";

export interface BotReplyInput {
  conversationId: string;
  text: string | null;
  attachments: unknown[];
  clientId: string | null;
  note: boolean;
}

/**
 * A bot's reply (`POST /api/conversations/:id/messages` with the bot's token): authored by the bot, queued
 * with the durable send job like an agent's reply, in the bot's own conversations only. It stops the bot's
 * time limit; the conversation keeps no agent. Text only: a bot sends no files and writes no notes.
 */
export async function sendBotReply(
  ctx: AppContext,
  workspaceId: string,
  botId: string,
  input: BotReplyInput,
) {
  if (input.note)
    throw forbidden("A bot cannot write internal notes; send a reply or hand the conversation over.");
  if (input.attachments.length)
    throw new AppError("validation_failed", "A bot can send text only, not files.");
  const text = input.text?.trim() ? input.text : null;
  if (!text) throw new AppError("validation_failed", "Write a message.");
  if (countNonSpace(text) > LIMITS.messageNonSpaceChars)
    throw new AppError(
      "validation_failed",
      `A message may have at most ${LIMITS.messageNonSpaceChars} characters not counting spaces; this one has ${countNonSpace(text)}.`,
    );
  return transact(ctx, async (tx) => {
    const [locked] = await tx.q.query(
      "select 1 from conversations where workspace_id = $1 and id = $2 and bot_id = $3 for update",
      [workspaceId, input.conversationId, botId],
    );
    // Another bot's conversation, one handed over already, or another workspace's: the same answer.
    if (!locked) throw notFound("Conversation");
    const conv = (await loadConversationRow(tx.q, workspaceId, input.conversationId))!;
    if (conv.contact_blocked_at)
      throw new AppError("contact_blocked", "This contact is blocked: unblock them to send messages.");
    // A bot is automation: on Messenger and Instagram it has the 24-hour window only, never the human-agent tag.
    const window = await conversationWindow(tx.q, conv.id, tx.now, { sender: "automation" });
    if (!window.allowed) throw windowRefusal(window);
    if (input.clientId) {
      const [dupe] = await tx.q.query<MessageRow>(
        `select ${MESSAGE_COLUMNS} from messages where conversation_id = $1 and author_id = $2 and client_id = $3`,
        [conv.id, botId, input.clientId],
      );
      if (dupe) return { message: presentMessage(dupe), duplicate: true };
    }
    const [row] = await tx.q.query<MessageRow>(
      `insert into messages (workspace_id, conversation_id, connection_id, direction, kind, author_type, author_id,
         text, client_id, delivery_state, queued_at, created_at)
       values ($1, $2, $3, 'outbound', 'message', 'bot', $4, $5, $6, 'queued', $7, $7)
       returning ${MESSAGE_COLUMNS}`,
      [workspaceId, conv.id, conv.connection_id, botId, text, input.clientId, tx.now],
    );
    const message = row!;
    await tx.q.query(
      `update conversations set last_activity_at = greatest(last_activity_at, $2), updated_at = $2,
         last_message_id = $3, last_message_preview = $4, last_message_author = 'bot',
         last_message_direction = 'outbound', last_outbound_state = 'queued', first_unanswered_at = null,
         bot_waiting_since = null
       where id = $1`,
      [conv.id, tx.now, message.id, preview(text, 0)],
    );
    await tx.enqueue(SEND_MESSAGE_JOB, { messageId: message.id, workspaceId }, { workspaceId });
    const after = (await loadConversationRow(tx.q, workspaceId, conv.id))!;
    tx.emit(workspaceId, {
      type: "message.created",
      conversationId: conv.id,
      message: presentMessage(message),
      conversation: presentConversation(after),
      audience: { conversation: accessOf(after) },
    });
    return { message: presentMessage(message), duplicate: false };
  });
}
