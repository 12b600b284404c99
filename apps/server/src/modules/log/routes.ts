import { Readable } from "node:stream";
import { z } from "zod";
import type { AppContext } from "../../context";
import { isManager } from "../../domain/permissions";
import { type App, actorOf } from "../../http/types";
import { forbidden } from "../../lib/errors";
import { conversationsCsv, type ExportProgress, ExportQuery, messagesCsv } from "./export";
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
          summary: `CSV export, one row per ${what === "conversations" ? "conversation" : "message"}, streamed (managers only, audited)`,
          querystring: ExportQuery,
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        if (!isManager(actor.role)) throw forbidden("Only owners, admins and supervisors may export.");
        const f = req.query;
        const now = ctx.clock.now();
        const { scope, notes, redact, ...filters } = f;
        // Audited before the first byte (an export is recorded even if it never finishes), completed at the end.
        const [audit] = await ctx.db.query<{ id: number }>(
          `insert into audit_log (workspace_id, user_id, action, target_type, data, ip, created_at)
           values ($1, $2, $3, 'export', $4, $5, $6) returning id`,
          [
            actor.workspaceId,
            actor.userId,
            `export.${what}`,
            JSON.stringify({ scope, notes, redact, filters, rows: null, completed: false }),
            req.ip,
            now,
          ],
        );
        const progress: ExportProgress = { rows: 0, completed: false };
        const gen = what === "conversations" ? conversationsCsv : messagesCsv;
        const stream = Readable.from(gen(ctx.db, actor, f, progress), { objectMode: false });
        stream.once("close", () => {
          ctx.db
            .query(
              `update audit_log set data = data || jsonb_build_object('rows', $2::int, 'completed', $3::boolean)
               where id = $1`,
              [audit!.id, progress.rows, progress.completed],
            )
            .catch((err) => ctx.log.warn({ err }, "export audit update failed"));
        });
        const day = now.toISOString().slice(0, 10);
        return reply
          .header("content-type", "text/csv; charset=utf-8")
          .header("content-disposition", `attachment; filename="parley-${what}-${day}.csv"`)
          .header("cache-control", "no-store")
          .send(stream);
      },
    );
  }
}
