import type { AppContext } from "../../../context";
import { type Visitor, visitorConversation, visitorMessages } from "../visitors";

/** The visitor's conversation (null before their first message) and its messages after a feed position. */
export async function visitorFeed(ctx: AppContext, visitor: Visitor, after: number) {
  const conversationId = await visitorConversation(ctx.db, visitor);
  return {
    conversationId,
    messages: conversationId ? await visitorMessages(ctx, conversationId, after) : [],
  };
}
