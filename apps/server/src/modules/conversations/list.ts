import { ConversationStatus, LIMITS } from "@parley/protocol";
import { z } from "zod";
import type { Db } from "../../db/client";
import { type Actor, conversationPolicy, isManager } from "../../domain/permissions";
import { AppError } from "../../lib/errors";
import {
  accessOf,
  CONVERSATION_FROM,
  CONVERSATION_SELECT,
  type ConversationRow,
  presentConversation,
} from "./present";

const csv = <T extends z.ZodType<unknown, string>>(item: T) =>
  z
    .union([z.array(z.string()), z.string()])
    .transform((v) => (Array.isArray(v) ? v : v.split(",")).map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(item).max(50));

const bool = z.enum(["true", "false"]).transform((v) => v === "true");

export const ListQuery = z.object({
  status: csv(ConversationStatus).optional(),
  assignee: csv(z.uuid()).optional(),
  unassigned: bool.optional(),
  mine: bool.optional(),
  unanswered: bool.optional(),
  connection: csv(z.uuid()).optional(),
  /** Contact tags, all of which the contact must have (AND). */
  tag: csv(z.uuid()).optional(),
  team: csv(z.uuid()).optional(),
  limit: z.coerce.number().int().min(1).max(LIMITS.pageSizeMax).default(LIMITS.pageSizeDefault),
  cursor: z.string().max(200).optional(),
});
export type ListQuery = z.infer<typeof ListQuery>;

function encodeCursor(r: ConversationRow) {
  return Buffer.from(JSON.stringify([r.last_activity_at.toISOString(), r.id])).toString("base64url");
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

/**
 * The inbox list (R101, R102, R108): keyset-paginated by (last activity, id), newest first, with the
 * caller's unread count and draft, and only the conversations the caller may see.
 */
export async function listConversations(db: Db, actor: Actor, f: ListQuery) {
  const params: unknown[] = [actor.workspaceId, actor.userId];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const where: string[] = ["c.workspace_id = $1"];
  if (!isManager(actor.role)) {
    where.push(`(c.assignee_id = $2
      or exists (select 1 from conversation_operators o where o.conversation_id = c.id and o.user_id = $2)
      or (c.assignee_id is null and (c.team_id is null or c.team_id = any(${p(actor.teamIds)}::uuid[]))))`);
  }
  where.push(...inboxFilters(f, p));
  if (f.cursor) {
    const [at, id] = decodeCursor(f.cursor);
    where.push(`(c.last_activity_at, c.id) < (${p(at)}::timestamptz, ${p(id)}::uuid)`);
  }
  const rows = await db.query<ConversationRow>(
    `${CONVERSATION_SELECT},
       (select count(*) from messages m where m.conversation_id = c.id and m.direction = 'inbound'
          and m.seq > coalesce(rc.last_read_seq, 0)) as unread_count,
       rc.marked_unread, d.text as draft
     ${CONVERSATION_FROM}
     left join read_cursors rc on rc.conversation_id = c.id and rc.user_id = $2
     left join drafts d on d.conversation_id = c.id and d.user_id = $2
     where ${where.join(" and ")}
     order by c.last_activity_at desc, c.id desc
     limit ${p(f.limit + 1)}`,
    params,
  );
  const page = rows.slice(0, f.limit);
  const last = page.at(-1);
  return {
    conversations: page.map((r) => presentConversation(r, conversationPolicy(actor, accessOf(r)))),
    nextCursor: rows.length > f.limit && last ? encodeCursor(last) : null,
  };
}

/**
 * The inbox filters (everything but visibility and paging) as SQL conditions over `c`; also used by the
 * CSV exports. `$2` must be the caller's user id (for `mine`).
 */
export function inboxFilters(f: Omit<ListQuery, "limit" | "cursor">, p: (v: unknown) => string): string[] {
  const where: string[] = [];
  if (f.status?.length) {
    // Spelled out so the partial index for open conversations applies to the usual "not closed" view.
    const set = new Set(f.status);
    if (set.size === 2 && !set.has("closed"))
      where.push("c.status <> 'closed'", `c.status = any(${p(f.status)}::text[])`);
    else where.push(`c.status = any(${p(f.status)}::text[])`);
  }
  if (f.unassigned) where.push("c.assignee_id is null");
  if (f.mine) where.push("c.assignee_id = $2");
  if (f.assignee?.length) where.push(`c.assignee_id = any(${p(f.assignee)}::uuid[])`);
  if (f.unanswered) where.push("c.first_unanswered_at is not null");
  if (f.connection?.length) where.push(`c.connection_id = any(${p(f.connection)}::uuid[])`);
  if (f.team?.length) where.push(`c.team_id = any(${p(f.team)}::uuid[])`);
  if (f.tag?.length) {
    // Distinct: the contact's matching tags are counted once each, so a repeated id must count once too.
    const tagIds = [...new Set(f.tag)];
    where.push(
      `(select count(*) from contact_tags t where t.contact_id = c.contact_id and t.tag_id = any(${p(tagIds)}::uuid[])) = ${p(tagIds.length)}`,
    );
  }
  return where;
}

/** Conversations with unread customer messages for this agent (the header badge, R105). */
export async function unreadConversationCount(db: Db, actor: Actor): Promise<number> {
  const params: unknown[] = [actor.workspaceId, actor.userId];
  const visibility = isManager(actor.role)
    ? ""
    : `and (c.assignee_id = $2 or exists (select 1 from conversation_operators o where o.conversation_id = c.id and o.user_id = $2)
        or (c.assignee_id is null and (c.team_id is null or c.team_id = any($3::uuid[]))))`;
  if (!isManager(actor.role)) params.push(actor.teamIds);
  const [row] = await db.query<{ n: number }>(
    `select count(*) as n from conversations c
     left join read_cursors rc on rc.conversation_id = c.id and rc.user_id = $2
     where c.workspace_id = $1 and c.status <> 'closed' ${visibility}
       and (c.last_inbound_seq > coalesce(rc.last_read_seq, 0) or rc.marked_unread)`,
    params,
  );
  return row?.n ?? 0;
}
