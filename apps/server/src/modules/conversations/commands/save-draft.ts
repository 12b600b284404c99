import { type AppContext, transact } from "../../../context";
import type { Actor } from "../../../domain/permissions";
import { conversationForActor } from "../access";

/** Saves the caller's draft reply; an empty (or blank) text deletes it. */
export async function saveDraft(ctx: AppContext, actor: Actor, conversationId: string, text: string) {
  return transact(ctx, async (tx) => {
    await conversationForActor(tx.q, actor, conversationId);
    if (!text.trim()) {
      await tx.q.query("delete from drafts where conversation_id = $1 and user_id = $2", [
        conversationId,
        actor.userId,
      ]);
      return null;
    }
    await tx.q.query(
      `insert into drafts (workspace_id, conversation_id, user_id, text, updated_at) values ($1, $2, $3, $4, $5)
       on conflict (conversation_id, user_id) do update set text = excluded.text, updated_at = excluded.updated_at`,
      [actor.workspaceId, conversationId, actor.userId, text, tx.now],
    );
    return { text, updatedAt: tx.now.toISOString() };
  });
}
