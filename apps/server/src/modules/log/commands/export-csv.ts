import { Readable } from "node:stream";
import type { AppContext } from "../../../context";
import type { Actor } from "../../../domain/permissions";
import { evaluateAlerts } from "../../alerts/evaluate";
import { recordAudit } from "../../audit/record";
import { conversationsCsv, type ExportProgress, type ExportQuery, messagesCsv } from "../export";

/**
 * Starts a CSV export of conversations or messages (R404), streamed page by page. It is audited before
 * the first byte (an export is recorded even if it never finishes); the entry gets the row count and
 * whether it completed when the stream closes.
 */
export async function exportCsv(
  ctx: AppContext,
  actor: Actor,
  what: "conversations" | "messages",
  f: ExportQuery,
  ip: string | null,
) {
  const now = ctx.clock.now();
  const { scope, notes, redact, ...filters } = f;
  const entry = {
    workspaceId: actor.workspaceId,
    userId: actor.userId,
    action: `export.${what}`,
    targetType: "export",
    data: { scope, notes, redact, filters, rows: null as number | null, completed: false },
    ip,
    at: now,
  };
  const audit = await recordAudit(ctx.db, entry);
  const progress: ExportProgress = { rows: 0, completed: false };
  const gen = what === "conversations" ? conversationsCsv : messagesCsv;
  const stream = Readable.from(gen(ctx.db, actor, f, progress), { objectMode: false });
  stream.once("close", () => {
    const { rows, completed } = progress;
    ctx.db
      .tx(async (q) => {
        await q.query(
          `update audit_log set data = data || jsonb_build_object('rows', $2::int, 'completed', $3::boolean)
           where id = $1`,
          [audit.id, rows, completed],
        );
        // The row count is known only now: the large-export rule looks at the finished entry.
        await evaluateAlerts(
          q,
          { ...entry, data: { ...entry.data, rows, completed }, at: ctx.clock.now() },
          recordAudit,
        );
      })
      .catch((err) => ctx.log.warn({ err }, "export audit update failed"));
  });
  return { stream, filename: `parley-${what}-${now.toISOString().slice(0, 10)}.csv` };
}
