import { z } from "zod";
import type { AppContext } from "../../context";
import { type App, actorOf } from "../../http/types";
import { deleteFilter } from "./commands/delete-filter";
import { dismissFirstRun } from "./commands/dismiss-first-run";
import { renameFilter } from "./commands/rename-filter";
import { saveFilter } from "./commands/save-filter";
import { firstRun } from "./queries/first-run";
import { viewCounts } from "./queries/view-counts";
import {
  FirstRunAnswer,
  IdParams,
  RenameFilterBody,
  SavedFilter,
  SaveFilterBody,
  tags,
  ViewsAnswer,
} from "./schema";

/** The inbox's views with their counts, a person's saved filters, and the first-run checklist. */
export async function inboxViewRoutes(app: App, ctx: AppContext) {
  app.get(
    "/api/inbox/views",
    {
      schema: {
        tags,
        summary:
          "The inbox views (mine, all, unassigned, my teams, my saved filters) with unread and waiting counts",
        response: { 200: ViewsAnswer },
      },
    },
    async (req) => viewCounts(ctx, actorOf(req)),
  );

  app.post(
    "/api/saved-filters",
    {
      schema: {
        tags,
        summary: "Save the current inbox filters under a name (private to the caller)",
        body: SaveFilterBody,
        response: { 201: z.object({ savedFilter: SavedFilter }) },
      },
    },
    async (req, reply) =>
      reply.code(201).send({ savedFilter: await saveFilter(ctx, actorOf(req), req.body) }),
  );

  app.patch(
    "/api/saved-filters/:id",
    {
      schema: {
        tags,
        summary: "Rename one of my saved filters",
        params: IdParams,
        body: RenameFilterBody,
        response: { 200: z.object({ savedFilter: SavedFilter }) },
      },
    },
    async (req) => ({ savedFilter: await renameFilter(ctx, actorOf(req), req.params.id, req.body.name) }),
  );

  app.delete(
    "/api/saved-filters/:id",
    { schema: { tags, summary: "Delete one of my saved filters", params: IdParams } },
    async (req, reply) => {
      await deleteFilter(ctx, actorOf(req), req.params.id);
      return reply.code(204).send();
    },
  );

  app.get(
    "/api/first-run",
    {
      schema: {
        tags,
        summary: "The first-run checklist: which steps the workspace has done, and whether to show it to me",
        response: { 200: FirstRunAnswer },
      },
    },
    async (req) => firstRun(ctx, actorOf(req)),
  );

  app.post(
    "/api/first-run/dismiss",
    { schema: { tags, summary: "Put the first-run checklist away for me" } },
    async (req, reply) => {
      await dismissFirstRun(ctx, actorOf(req));
      return reply.code(204).send();
    },
  );
}
