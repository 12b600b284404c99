import type { AppContext } from "../../../context";
import type { Actor } from "../../../domain/permissions";
import { commentReplies } from "../../comments/reply";
import { conversationForActor } from "../access";
import { presentConversation, unreadMessagesSql } from "../present";
import { conversationWindow, presentWindow } from "../window";

/** One conversation as the caller sees it: their unread count, mark and draft, and the messaging window. */
export async function conversationDetail(ctx: AppContext, actor: Actor, id: string) {
  const { row, policy } = await conversationForActor(ctx.db, actor, id);
  const [extra] = await ctx.db.query<{
    unread_count: number;
    marked_unread: boolean | null;
    draft: string | null;
  }>(
    `select ${unreadMessagesSql("$1")} as unread_count,
            rc.marked_unread, (select text from drafts where conversation_id = $1 and user_id = $2) as draft
     from (select 1) one left join read_cursors rc on rc.conversation_id = $1 and rc.user_id = $2`,
    [row.id, actor.userId],
  );
  const window = presentWindow(
    await conversationWindow(ctx.db, row.id, ctx.clock.now(), { sender: "person" }),
  );
  const conversation = { ...presentConversation({ ...row, ...extra! }, policy), window };
  if (row.kind !== "comment") return conversation;
  // About a comment (R451): whether a public and a private reply can go now, for the composer.
  return {
    ...conversation,
    commentReplies: await commentReplies(ctx.db, row.id, row.connection_type, ctx.clock.now()),
  };
}
