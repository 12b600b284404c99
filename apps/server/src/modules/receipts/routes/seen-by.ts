import { z } from "zod";
import type { AppContext } from "../../../context";
import { type App, actorOf } from "../../../http/types";
import { IdParams, SeenByView, tags } from "../schema";
import { seenBy } from "../seen-by";

/** Staff "seen by" (R304): who of the team has read a conversation, up to where and when. */
export function seenByRoutes(app: App, ctx: AppContext) {
  app.get(
    "/api/conversations/:id/seen-by",
    {
      schema: {
        tags,
        summary: "Who of the team has seen this conversation's messages, up to where and when",
        params: IdParams,
        querystring: z.object({ since: z.coerce.number().int().min(0).default(0) }),
        response: { 200: SeenByView },
      },
    },
    async (req) => seenBy(ctx, actorOf(req), req.params.id, req.query.since),
  );
}
