import { z } from "zod";
import type { AppContext } from "../../context";
import { can } from "../../domain/permissions";
import { type App, actorOf, requestSource } from "../../http/types";
import { notFound } from "../../lib/errors";
import { requireRecentAuth } from "../auth/step-up";
import { startBulk } from "./commands/start-bulk";
import { registerBulkJob } from "./job";
import { presentOperation } from "./present";
import { countSelection } from "./queries/count-selection";
import { loadOperation } from "./queries/load-operation";
import { BulkFilter, BulkInput, BulkOperation } from "./schema";

const tags = ["conversations"];

export async function bulkRoutes(app: App, ctx: AppContext) {
  registerBulkJob(ctx);

  app.post(
    "/api/conversations/bulk",
    {
      schema: {
        tags,
        summary:
          "Close, reassign, mark read or unread, or delete the selected conversations (or the first 1,000 of a filter); runs in the background",
        body: BulkInput,
        response: { 202: z.object({ operation: BulkOperation }) },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      if (req.body.action === "delete") await requireRecentAuth(ctx, actor);
      const row = await startBulk(ctx, actor, req.body, requestSource(req));
      return reply.code(202).send({ operation: presentOperation(row) });
    },
  );

  app.post(
    "/api/conversations/bulk/count",
    {
      schema: {
        tags,
        summary:
          "How many conversations 'select all' of a filter would act on (at most 1,000; `more` when more match)",
        body: z.object({ filter: BulkFilter }),
        response: { 200: z.object({ count: z.number(), more: z.boolean() }) },
      },
    },
    async (req) => countSelection(ctx, actorOf(req), req.body.filter),
  );

  app.get(
    "/api/bulk-operations/:id",
    {
      schema: {
        tags,
        summary: "A bulk action's progress (the caller's own operations; admins see all)",
        params: z.object({ id: z.uuid() }),
        response: { 200: z.object({ operation: BulkOperation }) },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      const row = await loadOperation(ctx, actor.workspaceId, req.params.id);
      if (!row || (row.user_id !== actor.userId && !can(actor, "conversations.view_all")))
        throw notFound("Bulk operation");
      return { operation: presentOperation(row) };
    },
  );
}
