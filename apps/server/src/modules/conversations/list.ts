import { ChannelType, ConversationKind, ConversationStatus, DeliveryState, LIMITS } from "@parley/protocol";
import { z } from "zod";
import type { Db } from "../../db/client";
import {
  type Actor,
  andReadable,
  conversationPolicy,
  readableConversationsSql,
} from "../../domain/permissions";
import { AppError } from "../../lib/errors";
import { type Param, paramsOf } from "../../lib/sql-params";
import {
  accessOf,
  CONVERSATION_SELECT,
  type ConversationRow,
  conversationFrom,
  presentConversation,
  unreadMessagesSql,
} from "./present";

const csv = <T extends z.ZodType<unknown, string>>(item: T) =>
  z
    .union([z.array(z.string()), z.string()])
    .transform((v) => (Array.isArray(v) ? v : v.split(",")).map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(item).max(50));

const bool = z.enum(["true", "false"]).transform((v) => v === "true");

/** The list's filters (R102, R108), shared with the CSV exports. Every one narrows the list (AND). */
export const ListFilters = z.object({
  status: csv(ConversationStatus).optional(),
  assignee: csv(z.uuid()).optional(),
  unassigned: bool.optional(),
  mine: bool.optional(),
  unanswered: bool.optional(),
  connection: csv(z.uuid()).optional(),
  /** Channel types (telegram, whatsapp, …). */
  channel: csv(ChannelType).optional(),
  /** Contact tags, all of which the contact must have (AND). */
  tag: csv(z.uuid()).optional(),
  /** any: the tag list alone; none: contacts without tags; pinned: only pinned tags count (and one must exist). */
  tagMode: z.enum(["any", "none", "pinned"]).optional(),
  team: csv(z.uuid()).optional(),
  bot: csv(z.uuid()).optional(),
  /** Any message of the conversation in [activeFrom, activeTo). */
  activeFrom: z.iso.datetime({ offset: true }).optional(),
  activeTo: z.iso.datetime({ offset: true }).optional(),
  /** The last message is the customer's or an agent's reply (a note or system line last matches neither). */
  author: z.enum(["customer", "agent"]).optional(),
  /** The delivery state of our last message, when the last message is ours (e.g. sent,delivered: not read yet). */
  delivery: csv(DeliveryState).optional(),
  /** Comments under posts or direct messages (R451). */
  kind: ConversationKind.optional(),
  /** true: only conversations marked important; false: only the others. */
  important: bool.optional(),
  /** true: only snoozed conversations; false: only those not snoozed (the default views). */
  snoozed: bool.optional(),
});
export type ListFilters = z.infer<typeof ListFilters>;

export const ListQuery = ListFilters.extend({
  /** activity: newest activity first; waiting: longest-waiting customer first, then by activity (R103). */
  sort: z.enum(["activity", "waiting"]).default("activity"),
  limit: z.coerce.number().int().min(1).max(LIMITS.pageSizeMax).default(LIMITS.pageSizeDefault),
  cursor: z.string().max(200).optional(),
});
export type ListQuery = z.infer<typeof ListQuery>;

/**
 * Cursors: `[at, id]` for the activity order; `["w", at, id]` inside the waiting part of the processing
 * order (by first unanswered time, ascending) and `["a", at, id]` once it has moved on to the rest.
 */
type Cursor = { part: "activity" | "waiting"; at: string; id: string };
function encodeCursor(c: Cursor, sort: ListQuery["sort"]) {
  const raw = sort === "activity" ? [c.at, c.id] : [c.part === "waiting" ? "w" : "a", c.at, c.id];
  return Buffer.from(JSON.stringify(raw)).toString("base64url");
}
function decodeCursor(c: string, sort: ListQuery["sort"]): Cursor {
  try {
    const raw = JSON.parse(Buffer.from(c, "base64url").toString("utf8")) as string[];
    if (!Array.isArray(raw)) throw new Error();
    const [tag, at, id] = sort === "activity" ? ["a", ...raw] : raw;
    if (tag !== "a" && tag !== "w") throw new Error();
    if (typeof at !== "string" || Number.isNaN(Date.parse(at)) || !z.uuid().safeParse(id).success)
      throw new Error();
    return { part: tag === "w" ? "waiting" : "activity", at, id: id as string };
  } catch {
    throw new AppError("validation_failed", "The cursor is not valid: start again from the first page.");
  }
}

/** The waiting part of the processing order; the same predicate as the partial index conversations_waiting_idx. */
const WAITING = "c.first_unanswered_at is not null and c.status <> 'closed'";

/**
 * The inbox list (R101, R102, R103, R108): keyset-paginated by (last activity, id), newest first, or in
 * processing order, with the caller's unread count and draft, and only the conversations the caller may see.
 */
export async function listConversations(db: Db, actor: Actor, query: ListQuery & ChannelConnections) {
  const f = await withChannelConnections(db, actor.workspaceId, query);
  const cursor = f.cursor ? decodeCursor(f.cursor, f.sort) : null;
  // Each query has its own parameters: the processing order may run two.
  const fetch = async (extra: (p: Param) => string[], order: string, limit: number) => {
    const params: unknown[] = [actor.workspaceId, actor.userId];
    const p = paramsOf(params);
    const where = [
      "c.workspace_id = $1",
      ...readableConversationsSql(actor, p),
      ...inboxFilters(f, p),
      ...extra(p),
    ];
    // The page's rows are chosen from conversations alone (keyset order, limit), and only those are joined
    // with contacts, connections, cursors and drafts: a misestimated filter can never make the planner
    // join thousands of rows before it sorts.
    const page = `(select c.* from conversations c where ${where.join(" and ")} order by ${order} limit ${p(limit)})`;
    return db.query<ConversationRow>(
      `${CONVERSATION_SELECT},
         ${unreadMessagesSql("c.id")} as unread_count,
         rc.marked_unread, d.text as draft,
         coalesce((select json_agg(json_build_object('id', tg.id, 'name', tg.name, 'color', tg.color) order by lower(tg.name))
           from contact_tags t join tags tg on tg.id = t.tag_id where t.contact_id = c.contact_id and t.pinned), '[]') as pinned_tags
       ${conversationFrom(page)}
       left join read_cursors rc on rc.conversation_id = c.id and rc.user_id = $2
       left join drafts d on d.conversation_id = c.id and d.user_id = $2
       order by ${order}`,
      params,
    );
  };
  const activityAfter = (c: Cursor | null) => (p: Param) =>
    c ? [`(c.last_activity_at, c.id) < (${p(c.at)}::timestamptz, ${p(c.id)}::uuid)`] : [];

  let rows: { row: ConversationRow; part: Cursor["part"] }[];
  if (f.sort === "activity") {
    rows = (await fetch(activityAfter(cursor), "c.last_activity_at desc, c.id desc", f.limit + 1)).map(
      (row) => ({ row, part: "activity" as const }),
    );
  } else {
    rows = [];
    if (!cursor || cursor.part === "waiting") {
      const after = (p: Param) => [
        WAITING,
        ...(cursor
          ? [`(c.first_unanswered_at, c.id) > (${p(cursor.at)}::timestamptz, ${p(cursor.id)}::uuid)`]
          : []),
      ];
      const waiting = await fetch(after, "c.first_unanswered_at, c.id", f.limit + 1);
      rows.push(...waiting.map((row) => ({ row, part: "waiting" as const })));
    }
    if (rows.length <= f.limit) {
      const rest = await fetch(
        (p) => [`not (${WAITING})`, ...activityAfter(cursor?.part === "activity" ? cursor : null)(p)],
        "c.last_activity_at desc, c.id desc",
        f.limit + 1 - rows.length,
      );
      rows.push(...rest.map((row) => ({ row, part: "activity" as const })));
    }
  }
  const page = rows.slice(0, f.limit);
  const last = page.at(-1);
  const next =
    rows.length > f.limit && last
      ? encodeCursor(
          {
            part: last.part,
            at: (last.part === "waiting"
              ? last.row.first_unanswered_at!
              : last.row.last_activity_at
            ).toISOString(),
            id: last.row.id,
          },
          f.sort,
        )
      : null;
  return {
    conversations: page.map(({ row }) => presentConversation(row, conversationPolicy(actor, accessOf(row)))),
    nextCursor: next,
  };
}

/** The first ids (at most `max`) of a filtered list in its order, for "select all" (R106). */
export async function listConversationIds(
  db: Db,
  actor: Actor,
  f: ListFilters & { sort: ListQuery["sort"] },
  max: number,
) {
  // The channel's connections are looked up once for all the pages.
  const filters = await withChannelConnections(db, actor.workspaceId, f);
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await listConversations(db, actor, {
      ...filters,
      limit: Math.min(LIMITS.pageSizeMax, max - ids.length),
      ...(cursor ? { cursor } : {}),
    });
    ids.push(...page.conversations.map((c) => c.id));
    cursor = page.nextCursor ?? undefined;
  } while (cursor && ids.length < max);
  return ids;
}

/** The subset of the filters the CSV exports accept (their own `channel`, `from`, `to` mean something else). */
type InboxFilterInput = Omit<Partial<ListFilters>, "channel"> & {
  channel?: readonly string[] | undefined;
} & ChannelConnections;

interface ChannelConnections {
  /** The workspace's connections of the `channel` types, when the caller has looked them up. */
  channelConnections?: readonly string[];
}

/**
 * The filters with the workspace's connections of the `channel` types looked up, so the list's query names
 * them and the planner sizes the filter from each connection's share of the conversations. Given only a
 * subquery, it guessed: the semi-join (`in (select …)`) was sized from the connections table's statistics
 * (a few rows, seldom analysed), and a workspace whose 100,000 conversations all came through its one
 * connection was estimated at 103 rows, so every open conversation was sorted for a page (32 ms) instead of
 * walking the list's order to the page's end (0.1 ms).
 */
async function withChannelConnections<F extends InboxFilterInput>(
  db: Db,
  workspaceId: string,
  f: F,
): Promise<F> {
  if (!f.channel?.length || f.channelConnections) return f;
  const rows = await db.query<{ id: string }>(
    "select id from channel_connections where workspace_id = $1 and type = any($2::text[])",
    [workspaceId, f.channel],
  );
  return { ...f, channelConnections: rows.map((r) => r.id) };
}

/**
 * The inbox filters (everything but visibility and paging) as SQL conditions over `c`; also used by the
 * CSV exports. `$1` must be the workspace id and `$2` the caller's user id (for `mine`).
 */
export function inboxFilters(f: InboxFilterInput, p: Param): string[] {
  const where: string[] = [];
  if (f.status?.length) {
    // Spelled out so the partial indexes for open conversations apply to the usual "not closed" view.
    // Open and in progress are all but closed (the table's check): one condition, estimated well and
    // matching the partial indexes' predicate.
    const set = new Set(f.status);
    if (set.size === 2 && !set.has("closed")) where.push("c.status <> 'closed'");
    else if (set.size === 3) where.push("c.status is not null");
    else where.push(`c.status = any(${p(f.status)}::text[])`);
  }
  if (f.unassigned) where.push("c.assignee_id is null");
  if (f.mine) where.push("c.assignee_id = $2");
  if (f.assignee?.length) where.push(`c.assignee_id = any(${p(f.assignee)}::uuid[])`);
  if (f.unanswered) where.push("c.first_unanswered_at is not null");
  if (f.important !== undefined) where.push(`c.important_at is ${f.important ? "not null" : "null"}`);
  if (f.snoozed !== undefined) where.push(`c.snoozed_until is ${f.snoozed ? "not null" : "null"}`);
  if (f.connection?.length) where.push(`c.connection_id = any(${p(f.connection)}::uuid[])`);
  if (f.channelConnections) where.push(`c.connection_id = any(${p(f.channelConnections)}::uuid[])`);
  // Without the lookup (the exports, the views' counts) the connections come as an array: the planner then
  // assumes ten of them, each holding its share of the table's distinct connections.
  else if (f.channel?.length)
    where.push(
      `c.connection_id = any(array(select x.id from channel_connections x where x.workspace_id = $1 and x.type = any(${p(f.channel)}::text[])))`,
    );
  if (f.kind) where.push(`c.kind = ${p(f.kind)}`);
  if (f.team?.length) where.push(`c.team_id = any(${p(f.team)}::uuid[])`);
  if (f.bot?.length) where.push(`c.bot_id = any(${p(f.bot)}::uuid[])`);
  const pinned = f.tagMode === "pinned" ? " and t.pinned" : "";
  if (f.tagMode === "none") {
    where.push("not exists (select 1 from contact_tags t where t.contact_id = c.contact_id)");
  } else if (f.tag?.length) {
    // One semi-join per tag (a repeated id counts once): the planner may walk the list's own order and probe
    // (tag, contact) per row, stopping at the page's end, or hash a rare tag's contacts first. A set of the
    // contacts having every tag (GROUP BY … HAVING) left it only the hash: 20,000 contacts of a 2 % tag
    // gathered and probed one by one where the walk reads a few thousand rows.
    for (const tagId of new Set(f.tag)) {
      where.push(
        `exists (select 1 from contact_tags t where t.contact_id = c.contact_id and t.tag_id = ${p(tagId)}::uuid${pinned})`,
      );
    }
  } else if (f.tagMode === "pinned") {
    where.push("exists (select 1 from contact_tags t where t.contact_id = c.contact_id and t.pinned)");
  }
  if (f.activeFrom || f.activeTo) {
    // A conversation with a message in the range was active after its start and created before its end:
    // the cheap conditions on the conversation narrow the rows before the messages are looked at.
    const from = f.activeFrom ? p(f.activeFrom) : null;
    const to = f.activeTo ? p(f.activeTo) : null;
    if (from) where.push(`c.last_activity_at >= ${from}::timestamptz`);
    if (to) where.push(`c.created_at < ${to}::timestamptz`);
    where.push(
      `exists (select 1 from messages m where m.conversation_id = c.id${from ? ` and m.created_at >= ${from}::timestamptz` : ""}${to ? ` and m.created_at < ${to}::timestamptz` : ""})`,
    );
  }
  if (f.author === "customer") where.push("c.last_message_direction = 'inbound'");
  if (f.author === "agent") where.push("c.last_message_direction = 'outbound'");
  if (f.delivery?.length)
    where.push(
      `c.last_message_direction = 'outbound' and c.last_outbound_state = any(${p(f.delivery)}::text[])`,
    );
  return where;
}

/** Conversations with unread customer messages for this agent (the header badge, R105). */
export async function unreadConversationCount(db: Db, actor: Actor): Promise<number> {
  const params: unknown[] = [actor.workspaceId, actor.userId];
  const visibility = andReadable(actor, params);
  const [row] = await db.query<{ n: number }>(
    `select count(*) as n from conversations c
     left join read_cursors rc on rc.conversation_id = c.id and rc.user_id = $2
     where c.workspace_id = $1 and c.status <> 'closed'${visibility}
       and (c.last_inbound_seq > coalesce(rc.last_read_seq, 0) or rc.marked_unread)`,
    params,
  );
  return row?.n ?? 0;
}
