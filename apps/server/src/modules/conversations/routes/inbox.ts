import { Conversation } from "@parley/protocol";
import { z } from "zod";
import type { AppContext } from "../../../context";
import { type App, actorOf } from "../../../http/types";
import { ListQuery, listConversations, unreadConversationCount } from "../list";
import { conversationDetail } from "../queries/conversation-detail";
import { IdParams, tags } from "../schema";

/** The inbox list, its unread badge and one conversation (R101–R108). */
export function inboxRoutes(app: App, ctx: AppContext) {
  app.get(
    "/api/conversations",
    {
      schema: {
        tags,
        summary: "The inbox: conversations the caller may see, newest activity first, cursor-paginated",
        querystring: ListQuery,
        response: {
          200: z.object({ conversations: z.array(Conversation), nextCursor: z.string().nullable() }),
        },
      },
    },
    async (req) => listConversations(ctx.db, actorOf(req), req.query),
  );

  app.get(
    "/api/conversations/unread-count",
    {
      schema: {
        tags,
        summary: "How many conversations have unread customer messages for me",
        response: { 200: z.object({ count: z.number() }) },
      },
    },
    async (req) => ({ count: await unreadConversationCount(ctx.db, actorOf(req)) }),
  );

  app.get(
    "/api/conversations/:id",
    {
      schema: {
        tags,
        summary: "One conversation, with what the caller may do with it",
        params: IdParams,
        response: { 200: z.object({ conversation: Conversation }) },
      },
    },
    async (req) => ({ conversation: await conversationDetail(ctx, actorOf(req), req.params.id) }),
  );
}
