import { type AppContext, type Tx, transact } from "../../../context";
import type { Actor } from "../../../domain/permissions";
import { conflict, notFound } from "../../../lib/errors";
import { conversationForActor } from "../../conversations/access";
import { accessOf, loadConversationRow, presentConversation } from "../../conversations/present";
import { addSystemEvent } from "../../messages/system-event";
import { queueLatestForBot } from "../deliver";
import { handOver } from "./handover";

/**
 * Hands a conversation to a bot, inside the caller's transaction (the API other modules call, e.g. rules):
 * the conversation leaves its agent (it stays in its team), a bot session starts, the feed says so and
 * `conversation.assigned` goes out. When the customer is waiting for an answer, their latest message is sent
 * to the bot at once and the bot's time limit starts. Handing it to the bot it already has changes nothing.
 * The conversation row must be locked by the caller or not yet visible to others.
 */
export async function handToBot(
  tx: Tx,
  input: { workspaceId: string; conversationId: string; botId: string; byUserId: string | null },
): Promise<boolean> {
  const [bot] = await tx.q.query<{ id: string; name: string }>(
    "select id, name from bots where workspace_id = $1 and id = $2",
    [input.workspaceId, input.botId],
  );
  if (!bot) throw notFound("Bot");
  const before = await loadConversationRow(tx.q, input.workspaceId, input.conversationId);
  if (!before) throw notFound("Conversation");
  if (before.bot_id === bot.id) return false;
  if (before.bot_id) await handOver(tx, { ...input, botId: before.bot_id, reason: "agent", note: null });
  await tx.q.query(
    `update conversations set bot_id = $2, assignee_id = null, updated_at = $3,
       bot_waiting_since = case when first_unanswered_at is not null then $3::timestamptz end
     where id = $1`,
    [input.conversationId, bot.id, tx.now],
  );
  await tx.q.query(
    `insert into bot_sessions (workspace_id, bot_id, conversation_id, started_at) values ($1, $2, $3, $4)`,
    [input.workspaceId, bot.id, input.conversationId, tx.now],
  );
  if (before.first_unanswered_at) await queueLatestForBot(tx, input.conversationId, bot.id);
  const after = (await loadConversationRow(tx.q, input.workspaceId, input.conversationId))!;
  const audience = { conversation: { ...accessOf(after), previousAssigneeId: before.assignee_id } };
  await addSystemEvent(
    tx,
    { workspaceId: input.workspaceId, conversationId: after.id, connectionId: after.connection_id },
    {
      kind: "bot_assigned",
      byUserId: input.byUserId,
      botId: bot.id,
      botName: bot.name,
      from: before.assignee_id,
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
  return true;
}

/**
 * From the conversation header's assign menu: hands the conversation to a bot, or (`botId` null) takes it
 * from its bot back to people. Whoever may reassign the conversation may do either.
 */
export async function assignConversationBot(ctx: AppContext, actor: Actor, id: string, botId: string | null) {
  return transact(ctx, async (tx) => {
    const { row } = await conversationForActor(tx.q, actor, id, {
      lock: true,
      need: "assign",
      why: "Only the responsible agent or a supervisor can hand this conversation to a bot.",
    });
    if (botId) {
      await handToBot(tx, {
        workspaceId: actor.workspaceId,
        conversationId: id,
        botId,
        byUserId: actor.userId,
      });
    } else {
      if (!row.bot_id) throw conflict("This conversation is not with a bot.");
      await handOver(tx, {
        workspaceId: actor.workspaceId,
        conversationId: id,
        botId: row.bot_id,
        reason: "agent",
        note: null,
        byUserId: actor.userId,
      });
    }
    return presentConversation((await loadConversationRow(tx.q, actor.workspaceId, id))!);
  });
}
