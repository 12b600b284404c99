import { ReadCursor, UnreadState } from "@parley/protocol";
import { z } from "zod";
import type { AppContext } from "../../../context";
import { type App, actorOf } from "../../../http/types";
import { unreadStates } from "../queries/unread-states";
import { listCursors, markRead, markUnread } from "../read-state";
import { IdParams, tags, UnreadStatesQuery } from "../schema";

/** Read and unread marks per agent, and who has read up to where. */
export function readStateRoutes(app: App, ctx: AppContext) {
  app.post(
    "/api/conversations/:id/read",
    {
      schema: {
        tags,
        summary: "Mark read for me, up to a message or to the end",
        params: IdParams,
        body: z.object({ upToMessageId: z.uuid().nullish() }).default({}),
        response: { 200: z.object({ cursor: ReadCursor }) },
      },
    },
    async (req) => ({
      cursor: await markRead(ctx, actorOf(req), req.params.id, req.body.upToMessageId ?? null),
    }),
  );

  app.post(
    "/api/conversations/:id/unread",
    {
      schema: {
        tags,
        summary: "Mark unread for me only",
        params: IdParams,
        response: { 200: z.object({ cursor: ReadCursor }) },
      },
    },
    async (req) => ({ cursor: await markUnread(ctx, actorOf(req), req.params.id) }),
  );

  app.get(
    "/api/conversations/unread-states",
    {
      schema: {
        tags,
        summary: "My unread state of some conversations (those I may not see are left out)",
        querystring: UnreadStatesQuery,
        response: { 200: z.object({ states: z.array(UnreadState) }) },
      },
    },
    async (req) => ({ states: await unreadStates(ctx.db, actorOf(req), req.query.ids) }),
  );

  app.get(
    "/api/conversations/:id/read-cursors",
    {
      schema: {
        tags,
        summary: "Who has read this conversation up to where (seen by)",
        params: IdParams,
        response: { 200: z.object({ cursors: z.array(ReadCursor) }) },
      },
    },
    async (req) => ({ cursors: await listCursors(ctx, actorOf(req), req.params.id) }),
  );
}
