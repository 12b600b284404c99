import type { ConversationStatus } from "@parley/protocol";
import { type AppContext, transact } from "../../context";
import type { Actor } from "../../domain/permissions";
import { conversationForActor } from "./access";
import { announceStatusChange } from "./commands/announce-status";
import { closeConversation } from "./commands/close-conversation";
import { presentConversation } from "./present";

/** Open, take in progress, or close a conversation (R206, R208), with a system line in the feed. */
export async function changeStatus(ctx: AppContext, actor: Actor, id: string, status: ConversationStatus) {
  return transact(ctx, async (tx) => {
    const { row } = await conversationForActor(tx.q, actor, id, {
      lock: true,
      need: "changeStatus",
      why: "Only the agent responsible for this conversation can change its status.",
    });
    if (row.status === status) return presentConversation(row);
    if (status === "closed") return closeConversation(tx, row, { userId: actor.userId });
    // Taking a queued conversation in progress assigns it to whoever took it.
    const took = status === "in_progress" && row.assignee_id === null;
    await tx.q.query(
      `update conversations set status = $2, updated_at = $3, closed_at = null,
         assignee_id = case when $4 then $5::uuid else assignee_id end
       where id = $1`,
      [id, status, tx.now, took, actor.userId],
    );
    return announceStatusChange(tx, row, { userId: actor.userId, took });
  });
}
