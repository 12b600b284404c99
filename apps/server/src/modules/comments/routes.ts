import { Message, SocialPost } from "@parley/protocol";
import { z } from "zod";
import type { AppContext } from "../../context";
import { type App, actorOf } from "../../http/types";
import { moderateComment } from "./commands/moderate";
import { conversationPost } from "./queries/post";

const tags = ["comments"];
const MessageParams = z.object({ messageId: z.uuid() });

/** Comments under the business's posts (R451): the post above the thread, hiding and deleting comments. */
export function commentRoutes(app: App, ctx: AppContext) {
  app.get(
    "/api/conversations/:id/post",
    {
      schema: {
        tags,
        summary:
          "The post a comment conversation is about: its text, link and picture (null for direct messages)",
        params: z.object({ id: z.uuid() }),
        response: { 200: z.object({ post: SocialPost.nullable() }) },
      },
    },
    async (req) => conversationPost(ctx, actorOf(req), req.params.id),
  );

  app.put(
    "/api/messages/:messageId/comment-visibility",
    {
      schema: {
        tags,
        summary:
          "Hide or unhide a customer's comment at the provider (hidden comments are seen only by their author and friends)",
        params: MessageParams,
        body: z.object({ hidden: z.boolean() }),
        response: { 200: z.object({ message: Message }) },
      },
    },
    async (req) =>
      moderateComment(ctx, actorOf(req), req.params.messageId, req.body.hidden ? "hide" : "unhide"),
  );

  app.delete(
    "/api/messages/:messageId/comment",
    {
      schema: {
        tags,
        summary: "Delete a comment at the provider (a customer's comment or the business's public reply)",
        params: MessageParams,
        response: { 200: z.object({ message: Message }) },
      },
    },
    async (req) => moderateComment(ctx, actorOf(req), req.params.messageId, "delete"),
  );
}
