import type { AppContext } from "../../../context";
import { type Actor, mustHold } from "../../../domain/permissions";
import { type App, actorOf } from "../../../http/types";
import { sendCsv } from "../../log/csv";
import { REPORT_CSV_HEADER, ReceiptReport, ReceiptReportQuery, receiptReport, reportCsvRow } from "../report";
import { tags } from "../schema";

const managersOnly = (actor: Actor) => {
  mustHold(actor, "reports.view");
  return actor;
};

/** Receipt reports (R309): read rates and times by channel, agent or day, as JSON or CSV (managers). */
export function reportRoutes(app: App, ctx: AppContext) {
  app.get(
    "/api/receipts/report",
    {
      schema: {
        tags,
        summary: "Read rate, time to deliver and to read, replies after read, by channel, agent or day",
        querystring: ReceiptReportQuery,
        response: { 200: ReceiptReport },
      },
    },
    async (req) => {
      const actor = managersOnly(actorOf(req));
      return receiptReport(ctx.db, ctx.channels, actor.workspaceId, req.query, ctx.clock.now());
    },
  );

  app.get(
    "/api/receipts/report.csv",
    {
      schema: { tags, summary: "The receipt report as CSV (managers)", querystring: ReceiptReportQuery },
    },
    async (req, reply) => {
      const actor = managersOnly(actorOf(req));
      const now = ctx.clock.now();
      const r = await receiptReport(ctx.db, ctx.channels, actor.workspaceId, req.query, now);
      const rows = [REPORT_CSV_HEADER, ...r.rows.map(reportCsvRow), reportCsvRow(r.total)];
      return sendCsv(reply, `parley-receipts-${r.groupBy}-${now.toISOString().slice(0, 10)}.csv`, rows);
    },
  );
}
