import type { MessageComment } from "@parley/protocol";
import { adapterContext } from "../../../channels/context";
import { ChannelSendError } from "../../../channels/types";
import { type AppContext, transact } from "../../../context";
import { type Actor, mustHold } from "../../../domain/permissions";
import { AppError, notFound } from "../../../lib/errors";
import { conversationForActor } from "../../conversations/access";
import { accessOf } from "../../conversations/present";
import { MESSAGE_COLUMNS, type MessageRow, presentMessage } from "../../messages/present";

export type ModerationAction = "hide" | "unhide" | "delete";

const DONE: Record<ModerationAction, string> = { hide: "hide", unhide: "unhide", delete: "delete" };

/**
 * Hides, unhides or deletes a comment at the provider (R451), from the message menu: the customer's comment
 * (hide, unhide, delete) or the business's own public reply (delete). The provider is asked first, outside
 * any transaction; only what it accepted is recorded (`comment.hidden`, `comment.deletedAt`) and announced
 * with `message.updated`. A provider's refusal is a 422 with its reason; an unreachable provider a 503.
 */
export async function moderateComment(
  ctx: AppContext,
  actor: Actor,
  messageId: string,
  action: ModerationAction,
) {
  mustHold(actor, "conversations.reply");
  const [m] = await ctx.db.query<MessageRow & { connection_id: string }>(
    `select ${MESSAGE_COLUMNS}, connection_id from messages where workspace_id = $1 and id = $2`,
    [actor.workspaceId, messageId],
  );
  if (!m) throw notFound("Message");
  await conversationForActor(ctx.db, actor, m.conversation_id, {
    need: "reply",
    why: "Only the agent responsible for this conversation or its operators can moderate its comments.",
  }).catch((err: AppError) => {
    throw err.code === "not_found" ? notFound("Message") : err;
  });
  const comment = m.comment;
  if (!comment || !m.provider_message_id || (m.direction === "outbound" && comment.mode !== "public"))
    throw new AppError("validation_failed", "This message is not a comment: only comments can be moderated.");
  if (m.direction === "outbound" && action !== "delete")
    throw new AppError("validation_failed", "The business's own replies can be deleted, not hidden.");
  if (m.direction === "inbound" && comment.mention)
    throw new AppError(
      "validation_failed",
      "This is a mention of the account on someone else's post: only the post's owner can hide or delete it on Instagram.",
    );
  if (comment.removedAt || comment.deletedAt)
    throw new AppError("conflict", "This comment no longer exists at the provider.");
  const [conn] = await ctx.db.query<{ type: string; credentials_enc: string; settings: unknown }>(
    "select type, credentials_enc, settings from channel_connections where id = $1",
    [m.connection_id],
  );
  const adapter = ctx.channels.get(conn!.type);
  if (!adapter.moderateComment)
    throw new AppError("validation_failed", "This channel cannot moderate comments.");
  const connection = { id: m.connection_id, workspaceId: actor.workspaceId, type: conn!.type };
  try {
    await adapter.moderateComment(
      { ...connection, credentials: ctx.secrets.open(conn!.credentials_enc), settings: conn!.settings },
      m.provider_message_id,
      action,
      adapterContext(ctx, connection),
    );
  } catch (err) {
    if (!(err instanceof ChannelSendError)) throw err;
    if (err.retryable)
      throw new AppError(
        "unavailable",
        `Could not ${DONE[action]} the comment now: ${err.detail}. Try again in a minute.`,
      );
    throw new AppError(
      "unprocessable",
      `The provider refused to ${DONE[action]} the comment: ${err.detail}`,
      {
        reason: err.reason,
      },
    );
  }
  return transact(ctx, async (tx) => {
    const [current] = await tx.q.query<MessageRow>(
      `select ${MESSAGE_COLUMNS} from messages where id = $1 for update`,
      [messageId],
    );
    const c: MessageComment = current?.comment ?? comment;
    const next: MessageComment =
      action === "delete" ? { ...c, deletedAt: tx.now.toISOString() } : { ...c, hidden: action === "hide" };
    const [row] = await tx.q.query<MessageRow>(
      `update messages set comment = $2 where id = $1 returning ${MESSAGE_COLUMNS}`,
      [messageId, JSON.stringify(next)],
    );
    const { row: conv } = await conversationForActor(tx.q, actor, row!.conversation_id);
    const message = presentMessage(row!);
    tx.emit(actor.workspaceId, {
      type: "message.updated",
      conversationId: conv.id,
      message,
      audience: { conversation: accessOf(conv) },
    });
    return { message };
  });
}
