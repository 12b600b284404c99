import { type AppContext, type Tx, transact } from "../../../context";
import type { Actor } from "../../../domain/permissions";
import { conflict, notFound } from "../../../lib/errors";
import { conversationForActor } from "../../conversations/access";
import { accessOf, loadConversationRow, presentConversation } from "../../conversations/present";
import { enqueueDistribution } from "../../distribution/jobs";
import { addSystemEvent } from "../../messages/system-event";
import type { HandoverReason } from "../schema";

/**
 * Takes a conversation from its bot back to people, inside the caller's transaction (the conversation row
 * locked): the bot session ends with the reason, messages not yet sent to the bot are dropped, the feed says
 * so, `conversation.assigned` goes out and the conversation returns to distribution (or waits unassigned in
 * the queue when its scope does not distribute). False when the bot no longer has it.
 */
export async function handOver(
  tx: Tx,
  input: {
    workspaceId: string;
    conversationId: string;
    botId: string;
    reason: HandoverReason;
    note: string | null;
    byUserId: string | null;
  },
): Promise<boolean> {
  const before = await loadConversationRow(tx.q, input.workspaceId, input.conversationId);
  if (!before || before.bot_id !== input.botId) return false;
  await tx.q.query(
    "update conversations set bot_id = null, bot_waiting_since = null, updated_at = $2 where id = $1",
    [input.conversationId, tx.now],
  );
  await tx.q.query(
    `update bot_sessions set ended_at = $2, handover_reason = $3, handover_note = $4
     where conversation_id = $1 and ended_at is null`,
    [input.conversationId, tx.now, input.reason, input.note],
  );
  await tx.q.query(
    `update bot_deliveries set status = 'dropped', updated_at = $2, lease_until = null
     where conversation_id = $1 and status = 'pending'`,
    [input.conversationId, tx.now],
  );
  const [bot] = await tx.q.query<{ name: string }>("select name from bots where id = $1", [input.botId]);
  const after = (await loadConversationRow(tx.q, input.workspaceId, input.conversationId))!;
  const audience = { conversation: { ...accessOf(after), previousAssigneeId: before.assignee_id } };
  await addSystemEvent(
    tx,
    { workspaceId: input.workspaceId, conversationId: after.id, connectionId: after.connection_id },
    {
      kind: "handed_over",
      byUserId: input.byUserId,
      botId: input.botId,
      botName: bot?.name ?? null,
      reason: input.reason,
      note: input.note,
    },
    audience,
  );
  tx.emit(input.workspaceId, {
    type: "conversation.assigned",
    conversationId: after.id,
    conversation: presentConversation(after),
    previousAssigneeId: before.assignee_id,
    byUserId: input.byUserId,
    audience,
  });
  if (after.status !== "closed" && after.assignee_id === null)
    await enqueueDistribution(tx, input.workspaceId, [after.id]);
  return true;
}

/**
 * `POST /api/conversations/:id/handover`: a bot (its token) hands its conversation to people; a person or
 * another token who may reassign the conversation can do it too. A conversation that is not with a bot
 * answers 409; a bot asking about a conversation it does not have, 404.
 */
export async function requestHandover(ctx: AppContext, actor: Actor, id: string, note: string | null) {
  return transact(ctx, async (tx) => {
    let botId: string | null;
    if (actor.botId) {
      const [row] = await tx.q.query<{ bot_id: string | null }>(
        "select bot_id from conversations where workspace_id = $1 and id = $2 and bot_id = $3 for update",
        [actor.workspaceId, id, actor.botId],
      );
      if (!row) throw notFound("Conversation");
      botId = actor.botId;
    } else {
      const { row } = await conversationForActor(tx.q, actor, id, {
        lock: true,
        need: "assign",
        why: "Only the responsible agent or a supervisor can take this conversation from its bot.",
      });
      botId = row.bot_id;
    }
    if (!botId) throw conflict("This conversation is not with a bot.");
    await handOver(tx, {
      workspaceId: actor.workspaceId,
      conversationId: id,
      botId,
      reason: actor.botId ? "api" : "agent",
      note,
      byUserId: actor.botId ? null : actor.userId,
    });
    return presentConversation((await loadConversationRow(tx.q, actor.workspaceId, id))!);
  });
}
