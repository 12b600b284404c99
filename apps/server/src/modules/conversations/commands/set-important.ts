import { type AppContext, transact } from "../../../context";
import type { Actor } from "../../../domain/permissions";
import { conversationForActor } from "../access";
import { presentConversation } from "../present";
import { announceUpdate } from "./announce-update";

/**
 * Marks a conversation important (starred) for the whole team, or takes the mark off, with a line in the feed
 * and `conversation.updated`. Needs the same right as changing its status. Setting what is already set
 * changes nothing and writes nothing. (Not to be confused with marking one outgoing message important for
 * read rules: `modules/notifications/commands/mark-important.ts`.)
 */
export async function setImportant(ctx: AppContext, actor: Actor, id: string, important: boolean) {
  return transact(ctx, async (tx) => {
    const { row } = await conversationForActor(tx.q, actor, id, {
      lock: true,
      need: "changeStatus",
      why: "Only the agent responsible for this conversation can mark it important.",
    });
    if ((row.important_at !== null && row.important_at !== undefined) === important)
      return presentConversation(row);
    await tx.q.query(
      `update conversations set important_at = $2, important_by = $3, updated_at = $4 where id = $1`,
      [id, important ? tx.now : null, important ? actor.userId : null, tx.now],
    );
    return announceUpdate(tx, row, {
      kind: important ? "marked_important" : "unmarked_important",
      byUserId: actor.userId,
    });
  });
}
