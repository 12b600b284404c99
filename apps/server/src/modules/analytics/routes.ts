import { z } from "zod";
import type { AppContext } from "../../context";
import { type Actor, mustHold } from "../../domain/permissions";
import { type App, actorOf } from "../../http/types";
import { sendCsv } from "../log/csv";
import { analyticsTable, METRICS } from "./present";
import { analyticsReport } from "./queries/report";
import { Analytics, AnalyticsQuery } from "./query";

const tags = ["analytics"];

/** R307: agent names can be replaced by pseudonyms (`anonymise=true`, or always by the workspace's setting). */
const Anonymise = {
  anonymise: z
    .enum(["true", "false"])
    .default("false")
    .transform((v) => v === "true"),
};

const managersOnly = (actor: Actor) => {
  mustHold(actor, "reports.view");
  return actor;
};

export async function analyticsRoutes(app: App, ctx: AppContext) {
  app.get(
    "/api/analytics",
    {
      schema: {
        tags,
        summary: "Team analytics over a period (reports.view)",
        querystring: AnalyticsQuery.extend(Anonymise),
        response: { 200: Analytics },
      },
    },
    async (req) => {
      const actor = managersOnly(actorOf(req));
      return analyticsReport(ctx, actor.workspaceId, req.query, req.query.anonymise);
    },
  );

  app.get(
    "/api/analytics.csv",
    {
      schema: {
        tags,
        summary: "One team analytics table as CSV (reports.view)",
        querystring: AnalyticsQuery.extend({ metric: z.enum(METRICS).default("summary"), ...Anonymise }),
      },
    },
    async (req, reply) => {
      const actor = managersOnly(actorOf(req));
      const a = await analyticsReport(ctx, actor.workspaceId, req.query, req.query.anonymise);
      const day = ctx.clock.now().toISOString().slice(0, 10);
      return sendCsv(
        reply,
        `parley-analytics-${req.query.metric}-${day}.csv`,
        analyticsTable(a, req.query.metric),
      );
    },
  );
}
