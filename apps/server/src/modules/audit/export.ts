import type { Queryable } from "../../db/client";
import { BOM, csvRow } from "../log/csv";
import { EXPORT_PAGE } from "../log/export";
import { type AuditFilters, auditPage } from "./queries/list-audit";

export const AUDIT_CSV_COLUMNS = [
  "id",
  "at",
  "action",
  "user_id",
  "user_name",
  "user_email",
  "target_type",
  "target_id",
  "ip",
  "user_agent",
  "data",
] as const;

/** The audit log as CSV, newest first, a page at a time (memory stays flat whatever its size). */
export async function* auditCsv(
  q: Queryable,
  workspaceId: string,
  f: AuditFilters,
  progress: { rows: number },
): AsyncGenerator<string> {
  yield BOM + csvRow(AUDIT_CSV_COLUMNS);
  let after: [string, string] | null = null;
  for (;;) {
    const rows = await auditPage(q, workspaceId, f, EXPORT_PAGE, after);
    let chunk = "";
    for (const r of rows)
      chunk += csvRow([
        r.id,
        r.created_at,
        r.action,
        r.user_id,
        r.user_name,
        r.user_email,
        r.target_type,
        r.target_id,
        r.ip,
        r.user_agent,
        JSON.stringify(r.data),
      ]);
    progress.rows += rows.length;
    if (chunk) yield chunk;
    if (rows.length < EXPORT_PAGE) break;
    const last = rows.at(-1)!;
    after = [last.created_at.toISOString(), String(last.id)];
  }
}
