import { LIMITS } from "@parley/protocol";
import { z } from "zod";
import type { Db } from "../../db/client";
import { type Actor, conversationPolicy, readableConversationsSql } from "../../domain/permissions";
import { AppError } from "../../lib/errors";
import { type Param, paramsOf } from "../../lib/sql-params";
import { iso } from "../../lib/time";

const csvList = <T extends z.ZodType<unknown, string>>(item: T) =>
  z
    .union([z.array(z.string()), z.string()])
    .transform((v) => (Array.isArray(v) ? v : v.split(",")).map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(item).max(50));

/** The log's filters (R601): over closed conversations, by their closing time. */
export const LogFilters = z.object({
  assignee: csvList(z.uuid()).optional(),
  connection: csvList(z.uuid()).optional(),
  /** Channel types (telegram, whatsapp, api, ...). */
  channel: csvList(z.string().min(1).max(40)).optional(),
  /** Closed at or after (inclusive). */
  from: z.iso.datetime({ offset: true }).optional(),
  /** Closed before (exclusive). */
  to: z.iso.datetime({ offset: true }).optional(),
  /** Contact tags, all of which the contact must have (AND). */
  tag: csvList(z.uuid()).optional(),
  /** Contact name, nickname, email or phone, or the text of any message; case-insensitive. */
  q: z.string().trim().min(1).max(200).optional(),
  sort: z.enum(["desc", "asc"]).default("desc"),
});
export type LogFilters = z.infer<typeof LogFilters>;

export const LogQuery = LogFilters.extend({
  limit: z.coerce.number().int().min(1).max(LIMITS.pageSizeMax).default(LIMITS.pageSizeDefault),
  cursor: z.string().max(200).optional(),
});
export type LogQuery = z.infer<typeof LogQuery>;

export const LogEntry = z.object({
  id: z.uuid(),
  number: z.number(),
  contact: z.object({ id: z.uuid(), name: z.string().nullable(), nickname: z.string().nullable() }),
  connection: z.object({ id: z.uuid(), type: z.string(), name: z.string() }),
  assignee: z.object({ id: z.uuid(), name: z.string() }).nullable(),
  lastReply: z
    .object({
      authorType: z.string(),
      authorId: z.string().nullable(),
      authorName: z.string().nullable(),
      at: z.string(),
    })
    .nullable(),
  source: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
  closedAt: z.string(),
});
export type LogEntry = z.infer<typeof LogEntry>;

export interface LogRow {
  id: string;
  workspace_id: string;
  number: number;
  contact_id: string;
  contact_name: string | null;
  contact_nickname: string | null;
  contact_email: string | null;
  contact_phone: string | null;
  connection_id: string;
  connection_type: string;
  connection_name: string;
  assignee_id: string | null;
  assignee_name: string | null;
  team_id: string | null;
  operator_ids: string[];
  reply_author_type: string | null;
  reply_author_id: string | null;
  reply_author_name: string | null;
  reply_at: Date | null;
  source: Record<string, unknown>;
  status: string;
  created_at: Date;
  closed_at: Date;
  last_activity_at: Date;
}

/** Everything a log row or a conversation CSV row shows. `$1` is the workspace id. */
export const LOG_SELECT = `
  select c.id, c.workspace_id, c.number, c.contact_id, ct.name as contact_name, ct.nickname as contact_nickname,
    ct.email as contact_email, ct.phone as contact_phone, c.connection_id, cc.type as connection_type,
    cc.name as connection_name, c.assignee_id, au.name as assignee_name, c.team_id, c.status, c.source,
    c.created_at, c.closed_at, c.last_activity_at,
    coalesce((select array_agg(o.user_id::text) from conversation_operators o where o.conversation_id = c.id),
      '{}') as operator_ids,
    lr.author_type as reply_author_type, lr.author_id as reply_author_id, lu.name as reply_author_name,
    lr.created_at as reply_at
  from conversations c
  join channel_connections cc on cc.id = c.connection_id
  join contacts ct on ct.id = c.contact_id
  left join users au on au.id = c.assignee_id
  left join lateral (select m.author_type, m.author_id, m.created_at from messages m
    where m.conversation_id = c.id and m.direction = 'outbound' order by m.seq desc limit 1) lr on true
  left join users lu on lu.id = lr.author_id`;

/** `ILIKE` pattern for a literal substring. */
export const likePattern = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** The log filters as SQL conditions over `c` (conversations) and `ct` (contacts); `$1` is the workspace. */
export function logFilters(f: LogFilters, p: Param): string[] {
  // `$2` (the caller) is typed here so the statement prepares whether or not a condition uses it.
  const where = [
    "c.workspace_id = $1",
    "$2::uuid is not null",
    "c.status = 'closed'",
    "c.closed_at is not null",
  ];
  if (f.assignee?.length) where.push(`c.assignee_id = any(${p(f.assignee)}::uuid[])`);
  if (f.connection?.length) where.push(`c.connection_id = any(${p(f.connection)}::uuid[])`);
  if (f.channel?.length)
    where.push(
      `c.connection_id in (select id from channel_connections where workspace_id = $1 and type = any(${p(f.channel)}::text[]))`,
    );
  if (f.from) where.push(`c.closed_at >= ${p(f.from)}::timestamptz`);
  if (f.to) where.push(`c.closed_at < ${p(f.to)}::timestamptz`);
  if (f.tag?.length) {
    const tagIds = [...new Set(f.tag)];
    where.push(
      `(select count(*) from contact_tags t where t.contact_id = c.contact_id and t.tag_id = any(${p(tagIds)}::uuid[])) = ${p(tagIds.length)}`,
    );
  }
  if (f.q) {
    const pattern = p(likePattern(f.q));
    where.push(`(c.contact_id in (select id from contacts where workspace_id = $1 and search_text ilike ${pattern})
      or exists (select 1 from messages m where m.conversation_id = c.id and m.kind <> 'event'
        and m.text ilike ${pattern}))`);
  }
  return where;
}

function encodeCursor(r: LogRow) {
  return Buffer.from(JSON.stringify([r.closed_at.toISOString(), r.id])).toString("base64url");
}
function decodeCursor(c: string): [string, string] {
  try {
    const [at, id] = JSON.parse(Buffer.from(c, "base64url").toString("utf8")) as [string, string];
    if (Number.isNaN(Date.parse(at)) || !z.uuid().safeParse(id).success) throw new Error();
    return [at, id];
  } catch {
    throw new AppError("validation_failed", "The cursor is not valid: start again from the first page.");
  }
}

export function presentLogRow(r: LogRow): LogEntry {
  return {
    id: r.id,
    number: r.number,
    contact: { id: r.contact_id, name: r.contact_name, nickname: r.contact_nickname },
    connection: { id: r.connection_id, type: r.connection_type, name: r.connection_name },
    assignee: r.assignee_id ? { id: r.assignee_id, name: r.assignee_name ?? "" } : null,
    lastReply:
      r.reply_author_type && r.reply_at
        ? {
            authorType: r.reply_author_type,
            authorId: r.reply_author_id,
            authorName: r.reply_author_name,
            at: iso(r.reply_at)!,
          }
        : null,
    source: r.source,
    createdAt: iso(r.created_at)!,
    closedAt: iso(r.closed_at)!,
  };
}

/** The log of closed conversations (R601), keyset-paginated by (closed at, id). */
export async function listLog(db: Db, actor: Actor, f: LogQuery) {
  const params: unknown[] = [actor.workspaceId, actor.userId];
  const p = paramsOf(params);
  const where = [...logFilters(f, p), ...readableConversationsSql(actor, p)];
  const dir = f.sort === "asc" ? "asc" : "desc";
  if (f.cursor) {
    const [at, id] = decodeCursor(f.cursor);
    where.push(`(c.closed_at, c.id) ${dir === "asc" ? ">" : "<"} (${p(at)}::timestamptz, ${p(id)}::uuid)`);
  }
  const rows = await db.query<LogRow>(
    `${LOG_SELECT} where ${where.join(" and ")}
     order by c.closed_at ${dir}, c.id ${dir} limit ${p(f.limit + 1)}`,
    params,
  );
  const page = rows.slice(0, f.limit);
  const last = page.at(-1);
  return {
    // The SQL applies the read rule; the policy itself has the last word.
    entries: page
      .filter(
        (r) =>
          conversationPolicy(actor, {
            workspaceId: r.workspace_id,
            assigneeId: r.assignee_id,
            operatorIds: r.operator_ids,
            teamId: r.team_id,
          }).read,
      )
      .map(presentLogRow),
    nextCursor: rows.length > f.limit && last ? encodeCursor(last) : null,
  };
}
