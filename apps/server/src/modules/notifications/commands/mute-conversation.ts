import type { AppContext } from "../../../context";
import type { Actor } from "../../../domain/permissions";
import { conversationForActor } from "../../conversations/access";

/** Mutes or unmutes a conversation's notifications for the actor (one they may read). */
export async function muteConversation(
  ctx: AppContext,
  actor: Actor,
  conversationId: string,
  muted: boolean,
) {
  await conversationForActor(ctx.db, actor, conversationId);
  if (muted) {
    await ctx.db.query(
      `insert into conversation_mutes (user_id, conversation_id, workspace_id) values ($1, $2, $3)
       on conflict do nothing`,
      [actor.userId, conversationId, actor.workspaceId],
    );
  } else {
    await ctx.db.query("delete from conversation_mutes where user_id = $1 and conversation_id = $2", [
      actor.userId,
      conversationId,
    ]);
  }
  return { muted };
}
