import { Readable } from "node:stream";
import type { AppContext } from "../../../context";
import type { Actor } from "../../../domain/permissions";
import { type AuditSource, recordAudit } from "../../audit/record";
import { conversationsCsv, type ExportProgress, type ExportQuery, messagesCsv } from "../export";

/**
 * Starts a CSV export of conversations or messages (R404), streamed page by page. It is audited before
 * the first byte (an export is recorded even if it never finishes); when the stream closes a second entry,
 * `export.finished`, names the first and holds the row count and whether it completed.
 */
export async function exportCsv(
  ctx: AppContext,
  actor: Actor,
  what: "conversations" | "messages",
  f: ExportQuery,
  source: AuditSource,
) {
  const now = ctx.clock.now();
  const { scope, notes, redact, ...filters } = f;
  const entry = {
    workspaceId: actor.workspaceId,
    userId: actor.userId,
    action: `export.${what}`,
    targetType: "export",
    data: { scope, notes, redact, filters },
    ...source,
    at: now,
  };
  const audit = await recordAudit(ctx.db, entry);
  const progress: ExportProgress = { rows: 0, completed: false };
  const gen = what === "conversations" ? conversationsCsv : messagesCsv;
  const stream = Readable.from(gen(ctx.db, actor, f, progress), { objectMode: false });
  // The first entry stays as written (the log is append-only): the outcome is an entry of its own.
  stream.once("close", () => {
    recordAudit(ctx.db, {
      workspaceId: actor.workspaceId,
      userId: actor.userId,
      action: "export.finished",
      targetType: "export",
      targetId: String(audit.id),
      data: { export: what, rows: progress.rows, completed: progress.completed },
      ...source,
      at: ctx.clock.now(),
    }).catch((err) => ctx.log.warn({ err }, "export audit entry failed"));
  });
  return { stream, filename: `parley-${what}-${now.toISOString().slice(0, 10)}.csv` };
}
