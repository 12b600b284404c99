import { LIMITS } from "@parley/protocol";
import { z } from "zod";
import type { Queryable } from "../../../db/client";
import { AppError } from "../../../lib/errors";
import { type Param, paramsOf } from "../../../lib/sql-params";
import { likePattern } from "../../log/query";
import { parseAddressFilter } from "./address-filter";

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
  /** A whole address (exact), a network in CIDR form (`10.0.0.0/8`) or the start of an address (`10.1.`). */
  ip: z
    .string()
    .trim()
    .min(1)
    .max(64)
    .superRefine((s, ctx) => {
      const parsed = parseAddressFilter(s);
      if (typeof parsed === "string") ctx.addIssue({ code: "custom", message: parsed });
    })
    .optional(),
  /** Any part of the action, target, data or user agent, case-insensitive; or the start of the address. */
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

/** The address condition over `a` for a filter the API accepted. */
function addressWhere(raw: string, p: Param): string {
  const a = parseAddressFilter(raw);
  if (typeof a === "string") throw new AppError("validation_failed", `${a}.`);
  if (a.kind === "address") return `a.ip_addr = ${p(a.value)}::inet`;
  if (a.kind === "network") return `a.ip_addr <<= ${p(a.value)}::inet`;
  return `host(a.ip_addr) like ${p(prefixPattern(a.value))}`;
}

/**
 * A search that is an address, a network or the start of one (`10.0.0.2`, `10.0.0.0/8`, `10.3.`,
 * `2001:db8:`: a dot or a colon, and nothing else) searches the address column, as the address filter does;
 * any other search is text.
 */
export function searchIsAddress(q: string): boolean {
  return /[.:]/.test(q) && typeof parseAddressFilter(q) !== "string";
}

/**
 * The filters as conditions over `a` (audit_log); `$1` is the workspace. Free-text search comes apart
 * (`text`) for auditPage to apply its way.
 */
export function auditWhere(f: AuditFilters, p: Param): { where: string[]; text: string | null } {
  const where = ["a.workspace_id = $1"];
  if (f.user) where.push(`a.user_id = ${p(f.user)}::uuid`);
  if (f.action) where.push(`a.action like ${p(prefixPattern(f.action))}`);
  if (f.targetType) where.push(`a.target_type = ${p(f.targetType)}`);
  if (f.targetId) where.push(`a.target_id = ${p(f.targetId)}`);
  if (f.from) where.push(`a.created_at >= ${p(f.from)}::timestamptz`);
  if (f.to) where.push(`a.created_at < ${p(f.to)}::timestamptz`);
  if (f.ip) where.push(addressWhere(f.ip, p));
  let text: string | null = null;
  if (f.q && searchIsAddress(f.q)) where.push(addressWhere(f.q, p));
  else if (f.q) text = `a.search_text like ${p(likePattern(f.q.toLowerCase()))}`;
  return { where, text };
}

/**
 * How many of the newest rows (by the other filters) a text search reads first. A common word fills a page
 * from them; only when it does not does the trigram index answer (it covers every workspace, and a word in
 * a fifth of all rows would make it read hundreds of thousands).
 */
const SEARCH_WINDOW = 2000;

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
  const p = paramsOf(params);
  const { where, text } = auditWhere(f, p);
  if (after) where.push(`(a.created_at, a.id) < (${p(after[0])}::timestamptz, ${p(after[1])}::bigint)`);
  const order = "order by a.created_at desc, a.id desc";
  if (text) {
    // The newest rows first, the search over them only (a LIMIT keeps the search out of the inner scan).
    const recent = await q.query<AuditRow>(
      `${AUDIT_SELECT.replace("audit_log a", `(select * from audit_log a where ${where.join(" and ")} ${order} limit ${SEARCH_WINDOW}) a`)}
       where ${text} ${order} limit ${limit}`,
      params,
    );
    if (recent.length >= limit) return recent;
    where.push(text);
    if (f.user) {
      // A person and a word they seldom have (else the newest rows above had filled the page): their matches
      // through the person-and-trigram GIN index (migration 0033), then sorted. Without the fence the planner
      // walks the person's btree newest first, expecting an early page, and reads every row of the person.
      return q.query<AuditRow>(
        `${AUDIT_SELECT.replace("audit_log a", `(select * from audit_log a where ${where.join(" and ")} offset 0) a`)}
         ${order} limit ${limit}`,
        params,
      );
    }
  }
  return q.query<AuditRow>(`${AUDIT_SELECT} where ${where.join(" and ")} ${order} limit ${limit}`, params);
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
