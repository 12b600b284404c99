import { type AppContext, transact } from "../../context";
import type { Actor } from "../../domain/permissions";
import { AppError, conflict, notFound } from "../../lib/errors";
import { type AuditSource, recordAudit } from "../audit/record";
import { conversationForActor } from "../conversations/access";
import { accessOf } from "../conversations/present";
import { conversationWindow, senderOf, windowRefusal } from "../conversations/window";
import { MESSAGE_COLUMNS, type MessageRow, presentMessage } from "../messages/present";
import { SEND_MESSAGE_JOB } from "../messages/send-job";

/**
 * Sends a failed reply again (R301): the same message goes back to queued in its place in the feed and a
 * new send job is queued. The earlier attempt's times and failure are cleared: the ticks describe the
 * attempt in progress. Parts of a multi-part message that already reached the customer are not sent again. Checked like a new reply: permission, blocked contact, messaging window.
 */
export async function retryMessage(
  ctx: AppContext,
  actor: Actor,
  conversationId: string,
  messageId: string,
  source: AuditSource,
) {
  return transact(ctx, async (tx) => {
    const { row: conv } = await conversationForActor(tx.q, actor, conversationId, {
      lock: true,
      need: "reply",
      why: "Only the agent responsible for this conversation or its operators can send messages in it.",
    });
    const [m] = await tx.q.query<MessageRow>(
      `select ${MESSAGE_COLUMNS} from messages where id = $1 and conversation_id = $2 for update`,
      [messageId, conversationId],
    );
    if (m?.direction !== "outbound" || m.kind !== "message") throw notFound("Message");
    if (m.delivery_state !== "failed") throw conflict("Only a message that failed can be sent again.");
    if (conv.contact_blocked_at)
      throw new AppError("contact_blocked", "This contact is blocked: unblock them to send messages.");
    // The window of the message's author (a bot's or a rule's message is automation), as the send job checks.
    const window = await conversationWindow(tx.q, conv.id, tx.now, { sender: senderOf(m.author_type) });
    if (!window.allowed && !(window.only === "template" && m.template)) throw windowRefusal(window);
    const [updated] = await tx.q.query<MessageRow>(
      `update messages set delivery_state = 'queued', queued_at = $2, sent_at = null, delivered_at = null,
         read_at = null, failed_at = null, failure_reason = null, failure_detail = null, provider_message_id = null,
         waiting_reason = null, retry_at = null, rate_limited_since = null
       where id = $1 returning ${MESSAGE_COLUMNS}`,
      [m.id, tx.now],
    );
    await tx.q.query(
      "update conversations set last_outbound_state = 'queued' where id = $1 and last_message_id = $2",
      [conv.id, m.id],
    );
    await tx.enqueue(
      SEND_MESSAGE_JOB,
      { messageId: m.id, workspaceId: actor.workspaceId },
      { workspaceId: actor.workspaceId },
    );
    await recordAudit(tx.q, {
      workspaceId: actor.workspaceId,
      userId: actor.userId,
      action: "message.retried",
      targetType: "message",
      targetId: m.id,
      data: { failureReason: m.failure_reason, failureDetail: m.failure_detail },
      ...source,
      at: tx.now,
    });
    const message = presentMessage(updated!);
    tx.emit(actor.workspaceId, {
      type: "message.updated",
      conversationId: conv.id,
      message,
      audience: { conversation: accessOf(conv) },
    });
    return message;
  });
}
