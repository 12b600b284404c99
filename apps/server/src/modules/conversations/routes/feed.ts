import { LIMITS, Message } from "@parley/protocol";
import { z } from "zod";
import type { AppContext } from "../../../context";
import { type App, actorOf } from "../../../http/types";
import { sendMessage } from "../../messages/send-message";
import { feedPage } from "../queries/feed";
import { FeedQuery, IdParams, SendBody, tags } from "../schema";

const Sent = { 201: z.object({ message: Message }), 200: z.object({ message: Message }) };

/** The feed: reading it, replying and adding internal notes. */
export function feedRoutes(app: App, ctx: AppContext) {
  app.get(
    "/api/conversations/:id/messages",
    {
      schema: {
        tags,
        summary: "A page of the feed: the latest messages, or those before/after a message's seq",
        params: IdParams,
        querystring: FeedQuery,
        response: { 200: z.object({ messages: z.array(Message), hasMore: z.boolean() }) },
      },
    },
    async (req) => feedPage(ctx.db, actorOf(req), req.params.id, req.query),
  );

  for (const note of [false, true]) {
    app.post(
      note ? "/api/conversations/:id/notes" : "/api/conversations/:id/messages",
      {
        schema: {
          tags,
          summary: note
            ? "Add an internal note (only agents see it)"
            : "Send a reply: stored as queued and handed to the channel by a durable job",
          params: IdParams,
          body: note
            ? SendBody.extend({ text: z.string().trim().min(1).max(LIMITS.noteTextChars) })
            : SendBody,
          response: Sent,
        },
      },
      async (req, reply) => {
        const r = await sendMessage(ctx, actorOf(req), {
          conversationId: req.params.id,
          text: req.body.text ?? null,
          attachments: req.body.attachments,
          quotedMessageId: req.body.quotedMessageId ?? null,
          clientId: req.body.clientId ?? null,
          note,
          commentReply: req.body.commentReply ?? null,
        });
        return reply.code(r.duplicate ? 200 : 201).send({ message: r.message });
      },
    );
  }
}
