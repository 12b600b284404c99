import { z } from "zod";
import type { AppContext } from "../../context";
import { isManager } from "../../domain/permissions";
import { type App, actorOf } from "../../http/types";
import { forbidden } from "../../lib/errors";
import { BOM, csvRow } from "../log/csv";
import { loadReceiptSettings } from "../receipts/policy";
import { agentPseudonym } from "../receipts/report";
import { Analytics, AnalyticsQuery, teamAnalytics } from "./query";

const tags = ["analytics"];
const METRICS = ["summary", "agents", "channels", "hours"] as const;

/** One analytics table as CSV rows (header first). */
export function analyticsTable(a: Analytics, metric: (typeof METRICS)[number]): unknown[][] {
  switch (metric) {
    case "summary": {
      const rows: unknown[][] = [
        ["metric", "value"],
        ["period_from", a.period.from],
        ["period_to", a.period.to],
        ["opened", a.opened],
        ["closed", a.closed],
      ];
      for (const [name, s] of [
        ["first_response", a.firstResponse],
        ["response_time", a.responseTime],
        ["resolution", { ...a.resolution, answered: undefined }],
      ] as const) {
        rows.push([`${name}_count`, s.count]);
        if (s.answered !== undefined) rows.push([`${name}_answered`, s.answered]);
        rows.push(
          [`${name}_avg_seconds`, s.avgSeconds],
          [`${name}_p50_seconds`, s.p50Seconds],
          [`${name}_p90_seconds`, s.p90Seconds],
        );
      }
      return rows;
    }
    case "agents":
      return [
        ["agent_id", "agent", "role", "conversations", "closed", "replies", "avg_response_seconds"],
        ...a.agents.map((r) => [
          r.id,
          r.name,
          r.role,
          r.conversations,
          r.closed,
          r.replies,
          r.avgResponseSeconds,
        ]),
      ];
    case "channels":
      return [
        [
          "connection_id",
          "channel",
          "connection",
          "opened",
          "closed",
          "inbound_messages",
          "outbound_messages",
        ],
        ...a.channels.map((r) => [r.id, r.type, r.name, r.opened, r.closed, r.inbound, r.outbound]),
      ];
    case "hours":
      return [[`hour (${a.period.tz})`, "inbound_messages"], ...a.hours.map((h) => [h.hour, h.inbound])];
  }
}

/** R307: agent names can be replaced by pseudonyms (`anonymise=true`, or always by the workspace's setting). */
const Anonymise = {
  anonymise: z
    .enum(["true", "false"])
    .default("false")
    .transform((v) => v === "true"),
};
async function anonymised(
  ctx: AppContext,
  workspaceId: string,
  asked: boolean,
  a: Analytics,
): Promise<Analytics> {
  if (!asked && !(await loadReceiptSettings(ctx.db, workspaceId)).anonymiseReports) return a;
  return { ...a, agents: a.agents.map((r) => ({ ...r, name: agentPseudonym(r.id) })) };
}

export async function analyticsRoutes(app: App, ctx: AppContext) {
  app.get(
    "/api/analytics",
    {
      schema: {
        tags,
        summary: "Team analytics over a period (managers only)",
        querystring: AnalyticsQuery.extend(Anonymise),
        response: { 200: Analytics },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      if (!isManager(actor.role))
        throw forbidden("Only owners, admins and supervisors may see team analytics.");
      return await anonymised(
        ctx,
        actor.workspaceId,
        req.query.anonymise,
        await teamAnalytics(ctx.db, actor.workspaceId, req.query, ctx.clock.now()),
      );
    },
  );

  app.get(
    "/api/analytics.csv",
    {
      schema: {
        tags,
        summary: "One team analytics table as CSV (managers only)",
        querystring: AnalyticsQuery.extend({ metric: z.enum(METRICS).default("summary"), ...Anonymise }),
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      if (!isManager(actor.role))
        throw forbidden("Only owners, admins and supervisors may see team analytics.");
      const a = await anonymised(
        ctx,
        actor.workspaceId,
        req.query.anonymise,
        await teamAnalytics(ctx.db, actor.workspaceId, req.query, ctx.clock.now()),
      );
      const body = BOM + analyticsTable(a, req.query.metric).map(csvRow).join("");
      const day = ctx.clock.now().toISOString().slice(0, 10);
      return reply
        .header("content-type", "text/csv; charset=utf-8")
        .header(
          "content-disposition",
          `attachment; filename="parley-analytics-${req.query.metric}-${day}.csv"`,
        )
        .header("cache-control", "no-store")
        .send(body);
    },
  );
}
