import type { AppContext } from "../../../context";
import type { Actor } from "../../../domain/permissions";
import { conversationForActor } from "../../conversations/access";

/** The ids of a conversation's messages marked important, in feed order. */
export async function importantMessageIds(ctx: AppContext, actor: Actor, conversationId: string) {
  await conversationForActor(ctx.db, actor, conversationId);
  // The conversation's messages (by their conversation index), each probed in the marks' primary key.
  const rows = await ctx.db.query<{ message_id: string }>(
    `select im.message_id from messages m join important_messages im on im.message_id = m.id
     where m.conversation_id = $1 and im.workspace_id = $2 order by m.seq`,
    [conversationId, actor.workspaceId],
  );
  return { messageIds: rows.map((r) => r.message_id) };
}
