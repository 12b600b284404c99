import type { Db } from "../../../db/client";
import type { Actor } from "../../../domain/permissions";
import { conversationForActor } from "../access";

/** The caller's draft reply in a conversation they may read, or null. */
export async function myDraft(db: Db, actor: Actor, conversationId: string) {
  await conversationForActor(db, actor, conversationId);
  const [d] = await db.query<{ text: string; updated_at: Date }>(
    "select text, updated_at from drafts where conversation_id = $1 and user_id = $2",
    [conversationId, actor.userId],
  );
  return d ? { text: d.text, updatedAt: d.updated_at.toISOString() } : null;
}
