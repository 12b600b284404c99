import { Readable } from "node:stream";
import type { AppContext } from "../../../context";
import type { Actor } from "../../../domain/permissions";
import { auditCsv } from "../export";
import type { AuditFilters } from "../queries/list-audit";
import { type AuditSource, recordAudit } from "../record";

/**
 * Starts a CSV export of the audit log, streamed page by page. The export is itself recorded
 * (`export.audit`, with its filters) before the first byte; the file holds the rows up to that moment.
 */
export async function exportAudit(ctx: AppContext, actor: Actor, f: AuditFilters, source: AuditSource) {
  const now = ctx.clock.now();
  await recordAudit(ctx.db, {
    workspaceId: actor.workspaceId,
    userId: actor.userId,
    action: "export.audit",
    targetType: "export",
    data: { filters: f },
    ...source,
    at: now,
  });
  const stream = Readable.from(auditCsv(ctx.db, actor.workspaceId, f, { rows: 0 }), { objectMode: false });
  return { stream, filename: `parley-audit-${now.toISOString().slice(0, 10)}.csv` };
}
