import crypto from "node:crypto";
import { z } from "zod";
import type { Db } from "../../db/client";
import { type Actor, readableConversationsSql } from "../../domain/permissions";
import { type Param, paramsOf } from "../../lib/sql-params";
import { inboxFilters, ListQuery } from "../conversations/list";
import { BOM, csvRow } from "./csv";
import { LOG_SELECT, LogFilters, type LogRow, logFilters } from "./query";

const bool = z.enum(["true", "false"]).transform((v) => v === "true");

/** The inbox list's filters that the log does not have (`assignee`, `connection`, `channel`, `tag` are shared). */
const InboxOnly = ListQuery.omit({
  limit: true,
  cursor: true,
  sort: true,
  assignee: true,
  connection: true,
  channel: true,
  tag: true,
});
const INBOX_ONLY = Object.keys(InboxOnly.shape) as (keyof typeof InboxOnly.shape)[];
const LOG_ONLY = ["from", "to", "q"] as const;

/** An export's query: the log's filters (scope=log) or the inbox list's (scope=inbox), and the options. */
export const ExportQuery = LogFilters.extend(InboxOnly.shape)
  .extend({
    scope: z.enum(["log", "inbox"]).default("log"),
    /** Include internal notes (messages export). */
    notes: bool.default(false),
    /** Replace the contact's personal fields (name, nickname, email, phone) with stable pseudonyms. */
    redact: bool.default(false),
  })
  .superRefine((f, ctx) => {
    // A filter the scope does not apply is refused rather than ignored: the file would hold more than asked.
    const foreign = f.scope === "log" ? INBOX_ONLY : LOG_ONLY;
    for (const key of foreign)
      if (f[key] !== undefined)
        ctx.addIssue({ code: "custom", path: [key], message: `not a filter of scope=${f.scope}` });
  });
export type ExportQuery = z.infer<typeof ExportQuery>;

/**
 * Rows fetched per query: memory stays flat whatever the size of the export. (On the embedded database,
 * pages of 2,000 rows grew the server's memory by ~110 MB; 1,000 by ~15 MB: see `npm run bench:export`.)
 */
export const EXPORT_PAGE = 1000;

export const CONVERSATION_COLUMNS = [
  "number",
  "id",
  "status",
  "contact_id",
  "contact_name",
  "contact_nickname",
  "contact_email",
  "contact_phone",
  "channel",
  "connection",
  "assignee",
  "last_reply_by",
  "last_reply_at",
  "created_at",
  "closed_at",
  "utm_source",
  "utm_medium",
  "utm_campaign",
  "utm_term",
  "utm_content",
  "referrer",
  "source",
] as const;

export const MESSAGE_CSV_COLUMNS = [
  "conversation_number",
  "conversation_id",
  "message_id",
  "created_at",
  "direction",
  "kind",
  "author_type",
  "author",
  "contact_name",
  "channel",
  "connection",
  "text",
  "attachments",
] as const;

/** A stable pseudonym for a contact: the same contact gets the same one in every export. */
export function pseudonym(contactId: string): string {
  return `Contact ${crypto.createHash("sha256").update(contactId).digest("hex").slice(0, 8)}`;
}

interface Contactish {
  contact_id: string;
  contact_name: string | null;
  contact_nickname?: string | null;
  contact_email?: string | null;
  contact_phone?: string | null;
}
function redactContact<T extends Contactish>(r: T): T {
  return {
    ...r,
    contact_name: pseudonym(r.contact_id),
    contact_nickname: null,
    contact_email: null,
    contact_phone: null,
  };
}

/**
 * The conditions over `c` of the conversations an export holds: the scope's filters, and only those the
 * caller may read (the read rule of the log and the inbox list). `$1` workspace, `$2` caller.
 */
function scopeFilters(f: ExportQuery, actor: Actor, p: Param): string[] {
  const filters =
    f.scope === "log"
      ? logFilters(f, p)
      : ["c.workspace_id = $1", "$2::uuid is not null", ...inboxFilters(f, p)];
  return [...filters, ...readableConversationsSql(actor, p)];
}

const replyBy = (r: LogRow) =>
  r.reply_author_type === "user" ? (r.reply_author_name ?? "") : (r.reply_author_type ?? "");

export interface ExportProgress {
  rows: number;
  completed: boolean;
}

/**
 * The conversations CSV (one row per conversation the caller may read), a page at a time. The route checks
 * `data.export`.
 */
export async function* conversationsCsv(
  db: Db,
  actor: Actor,
  f: ExportQuery,
  progress: ExportProgress,
): AsyncGenerator<string> {
  yield BOM + csvRow(CONVERSATION_COLUMNS);
  const log = f.scope === "log";
  const dir = log && f.sort === "asc" ? "asc" : "desc";
  const key = log ? "c.closed_at" : "c.last_activity_at";
  let after: [Date, string] | null = null;
  for (;;) {
    const params: unknown[] = [actor.workspaceId, actor.userId];
    const p = paramsOf(params);
    const where = scopeFilters(f, actor, p);
    if (after)
      where.push(
        `(${key}, c.id) ${dir === "asc" ? ">" : "<"} (${p(after[0].toISOString())}::timestamptz, ${p(after[1])}::uuid)`,
      );
    const rows = await db.query<LogRow>(
      `${LOG_SELECT} where ${where.join(" and ")} order by ${key} ${dir}, c.id ${dir} limit ${EXPORT_PAGE}`,
      params,
    );
    if (!rows.length) break;
    let chunk = "";
    for (const raw of rows) {
      const r = f.redact ? redactContact(raw) : raw;
      const s = r.source as Record<string, unknown>;
      chunk += csvRow([
        r.number,
        r.id,
        r.status,
        r.contact_id,
        r.contact_name,
        r.contact_nickname,
        r.contact_email,
        r.contact_phone,
        r.connection_type,
        r.connection_name,
        r.assignee_name,
        replyBy(r),
        r.reply_at,
        r.created_at,
        r.closed_at,
        s.utm_source,
        s.utm_medium,
        s.utm_campaign,
        s.utm_term,
        s.utm_content,
        s.referrer,
        Object.keys(s).length ? JSON.stringify(s) : "",
      ]);
    }
    progress.rows += rows.length;
    yield chunk;
    if (rows.length < EXPORT_PAGE) break;
    const last = rows.at(-1)!;
    after = [log ? last.closed_at : last.last_activity_at, last.id];
  }
  progress.completed = true;
}

interface MessageCsvRow {
  seq: number;
  conversation_number: number;
  conversation_id: string;
  id: string;
  created_at: Date;
  direction: string;
  kind: string;
  author_type: string;
  author_name: string | null;
  contact_id: string;
  contact_name: string | null;
  connection_type: string;
  connection_name: string;
  text: string | null;
  attachments: number;
}

/**
 * The messages CSV (one row per message of the matching conversations the caller may read, in commit
 * order), a page at a time by message sequence. System events are left out; internal notes only with
 * `notes=true`.
 */
export async function* messagesCsv(
  db: Db,
  actor: Actor,
  f: ExportQuery,
  progress: ExportProgress,
): AsyncGenerator<string> {
  yield BOM + csvRow(MESSAGE_CSV_COLUMNS);
  const kinds = f.notes ? ["message", "note"] : ["message"];
  let after = 0;
  for (;;) {
    const params: unknown[] = [actor.workspaceId, actor.userId];
    const p = paramsOf(params);
    const where = [
      "m.workspace_id = $1",
      `m.seq > ${p(after)}`,
      `m.kind = any(${p(kinds)}::text[])`,
      ...scopeFilters(f, actor, p),
    ];
    const rows = await db.query<MessageCsvRow>(
      `select m.seq, c.number as conversation_number, m.conversation_id, m.id, m.created_at, m.direction, m.kind,
         m.author_type, u.name as author_name, c.contact_id, ct.name as contact_name, cc.type as connection_type,
         cc.name as connection_name, m.text, jsonb_array_length(m.attachments) as attachments
       from messages m
       join conversations c on c.id = m.conversation_id
       join contacts ct on ct.id = c.contact_id
       join channel_connections cc on cc.id = c.connection_id
       left join users u on u.id = m.author_id and m.author_type = 'user'
       where ${where.join(" and ")}
       order by m.seq limit ${EXPORT_PAGE}`,
      params,
    );
    if (!rows.length) break;
    let chunk = "";
    for (const raw of rows) {
      const r = f.redact ? redactContact(raw) : raw;
      const author =
        r.author_type === "user"
          ? r.author_name
          : r.author_type === "contact"
            ? r.contact_name
            : r.author_type;
      chunk += csvRow([
        r.conversation_number,
        r.conversation_id,
        r.id,
        r.created_at,
        r.direction,
        r.kind,
        r.author_type,
        author,
        r.contact_name,
        r.connection_type,
        r.connection_name,
        r.text,
        r.attachments,
      ]);
    }
    progress.rows += rows.length;
    yield chunk;
    if (rows.length < EXPORT_PAGE) break;
    after = rows.at(-1)!.seq;
  }
  progress.completed = true;
}
