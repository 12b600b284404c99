import { Conversation } from "@parley/protocol";
import { z } from "zod";
import type { AppContext } from "../../context";
import { type App, actorOf } from "../../http/types";
import { conversationForActor } from "../conversations/access";
import { searchContacts, searchConversation, searchMessages } from "./query";

const tags = ["search"];
// An empty query finds nothing (200 with no results), so a search box can call it while it is being cleared.
const Q = z.string().trim().max(200).default("");

const MessageHit = z.object({
  message: z.object({
    id: z.string(),
    seq: z.number(),
    /** Plain text around the match; the client highlights `words` in it. */
    snippet: z.string(),
    direction: z.enum(["inbound", "outbound", "internal"]),
    kind: z.enum(["message", "note", "event"]),
    authorType: z.string(),
    createdAt: z.string(),
  }),
  conversation: Conversation,
});

export async function searchRoutes(app: App, ctx: AppContext) {
  app.get(
    "/api/search/messages",
    {
      schema: {
        tags,
        summary: "Messages whose text matches (full text, prefixes and Russian/English stems), newest first",
        querystring: z.object({
          q: Q,
          limit: z.coerce.number().int().min(1).max(100).default(20),
          cursor: z.coerce.number().int().positive().optional(),
        }),
        response: {
          200: z.object({
            words: z.array(z.string()),
            hits: z.array(MessageHit),
            nextCursor: z.string().nullable(),
          }),
        },
      },
    },
    async (req) => {
      const r = await searchMessages(ctx.db, actorOf(req), req.query.q, {
        limit: req.query.limit,
        before: req.query.cursor,
      });
      return r;
    },
  );

  app.get(
    "/api/search/contacts",
    {
      schema: {
        tags,
        summary: "Conversations of contacts whose name, nickname, email or phone match, typos tolerated",
        querystring: z.object({ q: Q, limit: z.coerce.number().int().min(1).max(100).default(20) }),
        response: { 200: z.object({ conversations: z.array(Conversation) }) },
      },
    },
    async (req) => searchContacts(ctx.db, actorOf(req), req.query.q, req.query.limit),
  );

  app.get(
    "/api/conversations/:id/search",
    {
      schema: {
        tags,
        summary: "The messages of one conversation whose text matches, oldest first (at most 500)",
        params: z.object({ id: z.uuid() }),
        querystring: z.object({ q: Q }),
        response: {
          200: z.object({
            words: z.array(z.string()),
            hits: z.array(z.object({ id: z.string(), seq: z.number(), createdAt: z.string() })),
          }),
        },
      },
    },
    async (req) => {
      await conversationForActor(ctx.db, actorOf(req), req.params.id);
      return searchConversation(ctx.db, req.params.id, req.query.q);
    },
  );
}
