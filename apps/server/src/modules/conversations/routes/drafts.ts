import { LIMITS } from "@parley/protocol";
import { z } from "zod";
import type { AppContext } from "../../../context";
import { type App, actorOf } from "../../../http/types";
import { saveDraft } from "../commands/save-draft";
import { myDraft } from "../queries/draft";
import { Draft, IdParams } from "../schema";

const tags = ["drafts"];

/** The caller's own draft reply per conversation. */
export function draftRoutes(app: App, ctx: AppContext) {
  app.get(
    "/api/conversations/:id/draft",
    {
      schema: {
        tags,
        summary: "My draft reply",
        params: IdParams,
        response: { 200: z.object({ draft: Draft.nullable() }) },
      },
    },
    async (req) => ({ draft: await myDraft(ctx.db, actorOf(req), req.params.id) }),
  );

  app.put(
    "/api/conversations/:id/draft",
    {
      schema: {
        tags,
        summary: "Save my draft reply (an empty text deletes it)",
        params: IdParams,
        body: z.object({ text: z.string().max(LIMITS.messageTextChars) }),
        response: { 200: z.object({ draft: Draft.nullable() }) },
      },
    },
    async (req) => ({ draft: await saveDraft(ctx, actorOf(req), req.params.id, req.body.text) }),
  );

  app.delete(
    "/api/conversations/:id/draft",
    { schema: { tags, summary: "Discard my draft", params: IdParams } },
    async (req, reply) => {
      await saveDraft(ctx, actorOf(req), req.params.id, "");
      return reply.code(204).send();
    },
  );
}
