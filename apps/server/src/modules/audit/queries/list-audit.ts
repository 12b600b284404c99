import { LIMITS } from "@parley/protocol";
import { z } from "zod";
import type { Queryable } from "../../../db/client";
import { AppError } from "../../../lib/errors";
import { likePattern } from "../../log/query";

/** The audit page's filters (R803); the CSV export takes the same. */
export const AuditFilters = z.object({
  /** The person who acted. */
  user: z.uuid().optional(),
  /** An action or the start of one: `auth.` matches every sign-in entry. */
  action: z.string().trim().min(1).max(100).optional(),
  targetType: z.string().trim().min(1).max(60).optional(),
  targetId: z.string().trim().min(1).max(200).optional(),
  /** At or after (inclusive). */
  from: z.iso.datetime({ offset: true }).optional(),
  /** Before (exclusive). */
  to: z.iso.datetime({ offset: true }).optional(),
  /** Any part of the action, target, data, address or user agent; case-insensitive. */
  q: z.string().trim().min(1).max(200).optional(),
});
export type AuditFilters = z.infer<typeof AuditFilters>;

export const AuditQuery = AuditFilters.extend({
  limit: z.coerce.number().int().min(1).max(LIMITS.pageSizeMax).default(LIMITS.pageSizeDefault),
  cursor: z.string().max(200).optional(),
});
export type AuditQuery = z.infer<typeof AuditQuery>;

export const AuditEntryOut = z.object({
  id: z.number(),
  at: z.string(),
  action: z.string(),
  user: z.object({ id: z.string(), name: z.string(), email: z.string() }).nullable(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  data: z.unknown(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
});
export type AuditEntryOut = z.infer<typeof AuditEntryOut>;

export interface AuditRow {
  id: string;
  created_at: Date;
  action: string;
  user_id: string | null;
  user_name: string | null;
  user_email: string | null;
  target_type: string | null;
  target_id: string | null;
  data: unknown;
  ip: string | null;
  user_agent: string | null;
}

export const AUDIT_SELECT = `select a.id, a.created_at, a.action, a.user_id, u.name as user_name, u.email as user_email,
    a.target_type, a.target_id, a.data, a.ip, a.user_agent
  from audit_log a left join users u on u.id = a.user_id`;

/** `LIKE` pattern for a literal prefix. */
const prefixPattern = (s: string) => `${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** The filters as conditions over `a` (audit_log); `$1` is the workspace. */
export function auditWhere(f: AuditFilters, p: (v: unknown) => string): string[] {
  const where = ["a.workspace_id = $1"];
  if (f.user) where.push(`a.user_id = ${p(f.user)}::uuid`);
  if (f.action) where.push(`a.action like ${p(prefixPattern(f.action))}`);
  if (f.targetType) where.push(`a.target_type = ${p(f.targetType)}`);
  if (f.targetId) where.push(`a.target_id = ${p(f.targetId)}`);
  if (f.from) where.push(`a.created_at >= ${p(f.from)}::timestamptz`);
  if (f.to) where.push(`a.created_at < ${p(f.to)}::timestamptz`);
  if (f.q) where.push(`a.search_text like ${p(likePattern(f.q.toLowerCase()))}`);
  return where;
}

/** Newest first; the cursor is the last row's (time, id). */
export function encodeCursor(r: { created_at: Date; id: string | number }) {
  return Buffer.from(JSON.stringify([r.created_at.toISOString(), String(r.id)])).toString("base64url");
}
export function decodeCursor(c: string): [string, string] {
  try {
    const [at, id] = JSON.parse(Buffer.from(c, "base64url").toString("utf8")) as [string, string];
    if (Number.isNaN(Date.parse(at)) || !/^\d{1,19}$/.test(id)) throw new Error();
    return [at, id];
  } catch {
    throw new AppError("validation_failed", "The cursor is not valid: start again from the first page.");
  }
}

/** One page of rows (limit + 1 to know whether there is a next), newest first. */
export async function auditPage(
  q: Queryable,
  workspaceId: string,
  f: AuditFilters,
  limit: number,
  after: [string, string] | null,
): Promise<AuditRow[]> {
  const params: unknown[] = [workspaceId];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const where = auditWhere(f, p);
  if (after) where.push(`(a.created_at, a.id) < (${p(after[0])}::timestamptz, ${p(after[1])}::bigint)`);
  return q.query<AuditRow>(
    `${AUDIT_SELECT} where ${where.join(" and ")} order by a.created_at desc, a.id desc limit ${limit}`,
    params,
  );
}

export function presentAudit(r: AuditRow): AuditEntryOut {
  return {
    id: Number(r.id),
    at: r.created_at.toISOString(),
    action: r.action,
    user: r.user_id ? { id: r.user_id, name: r.user_name ?? "", email: r.user_email ?? "" } : null,
    targetType: r.target_type,
    targetId: r.target_id,
    data: r.data,
    ip: r.ip,
    userAgent: r.user_agent,
  };
}

/** GET /api/audit: a page of the workspace's audit log, newest first. */
export async function listAudit(q: Queryable, workspaceId: string, f: AuditQuery) {
  const rows = await auditPage(q, workspaceId, f, f.limit + 1, f.cursor ? decodeCursor(f.cursor) : null);
  const page = rows.slice(0, f.limit);
  const last = page.at(-1);
  return {
    entries: page.map(presentAudit),
    nextCursor: rows.length > f.limit && last ? encodeCursor(last) : null,
  };
}
