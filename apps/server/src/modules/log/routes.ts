import { z } from "zod";
import type { AppContext } from "../../context";
import { mustHold } from "../../domain/permissions";
import { type App, actorOf, requestSource } from "../../http/types";
import { requireRecentAuth } from "../auth/step-up";
import { exportCsv } from "./commands/export-csv";
import { sendCsv } from "./csv";
import { ExportQuery } from "./export";
import { LogEntry, LogQuery, listLog } from "./query";

const tags = ["log"];

export async function logRoutes(app: App, ctx: AppContext) {
  app.get(
    "/api/log",
    {
      schema: {
        tags,
        summary:
          "The log of closed conversations (managers: all; agents: those they may read), keyset-paginated",
        querystring: LogQuery,
        response: { 200: z.object({ entries: z.array(LogEntry), nextCursor: z.string().nullable() }) },
      },
    },
    async (req) => listLog(ctx.db, actorOf(req), req.query),
  );

  for (const what of ["conversations", "messages"] as const) {
    app.get(
      `/api/exports/${what}.csv`,
      {
        schema: {
          tags,
          summary: `CSV export, one row per ${what === "conversations" ? "conversation" : "message"}, streamed, of the conversations the caller may read (data.export; audited)`,
          querystring: ExportQuery,
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        mustHold(actor, "data.export");
        await requireRecentAuth(ctx, actor);
        const { stream, filename } = await exportCsv(ctx, actor, what, req.query, requestSource(req));
        return sendCsv(reply, filename, stream);
      },
    );
  }
}
