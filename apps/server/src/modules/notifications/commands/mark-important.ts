import type { AppContext } from "../../../context";
import type { Actor } from "../../../domain/permissions";
import { badRequest, notFound } from "../../../lib/errors";
import { conversationForActor } from "../../conversations/access";

/** Marks or unmarks one of the workspace's outgoing messages as important (read rules match on it). */
export async function markImportant(ctx: AppContext, actor: Actor, messageId: string, important: boolean) {
  const [m] = await ctx.db.query<{ conversation_id: string; direction: string }>(
    "select conversation_id, direction from messages where workspace_id = $1 and id = $2",
    [actor.workspaceId, messageId],
  );
  if (!m) throw notFound("Message");
  await conversationForActor(ctx.db, actor, m.conversation_id).catch(() => {
    throw notFound("Message");
  });
  if (m.direction !== "outbound") throw badRequest("Only an outgoing message can be marked important.");
  if (important) {
    await ctx.db.query(
      `insert into important_messages (message_id, workspace_id, marked_by) values ($1, $2, $3) on conflict do nothing`,
      [messageId, actor.workspaceId, actor.userId],
    );
  } else {
    await ctx.db.query("delete from important_messages where message_id = $1 and workspace_id = $2", [
      messageId,
      actor.workspaceId,
    ]);
  }
  return { important };
}
