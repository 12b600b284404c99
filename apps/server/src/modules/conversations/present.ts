import type { AuthorType, Conversation, ConversationPermissions, DeliveryState } from "@parley/protocol";
import type { Queryable } from "../../db/client";
import type { ConversationAccess } from "../../domain/permissions";
import { iso } from "../../lib/time";

export interface ConversationRow {
  id: string;
  workspace_id: string;
  number: number;
  status: Conversation["status"];
  connection_id: string;
  connection_type: Conversation["connection"]["type"];
  connection_name: string;
  contact_id: string;
  contact_name: string | null;
  contact_nickname: string | null;
  contact_email: string | null;
  contact_phone: string | null;
  contact_avatar_url: string | null;
  contact_blocked_at: Date | null;
  assignee_id: string | null;
  operator_ids: string[];
  team_id: string | null;
  bot_id: string | null;
  last_activity_at: Date;
  last_message_id: string | null;
  last_message_preview: string | null;
  last_message_author: AuthorType | null;
  last_message_author_id: string | null;
  last_message_direction: "inbound" | "outbound" | "internal" | null;
  last_outbound_state: DeliveryState | null;
  last_inbound_seq: number;
  first_unanswered_at: Date | null;
  last_customer_message_at: Date | null;
  closed_at: Date | null;
  source: Record<string, string>;
  created_at: Date;
  /** direct or comment (R451); the post a comment conversation is about. */
  kind?: "direct" | "comment";
  post_id?: string | null;
  important_at?: Date | null;
  snoozed_until?: Date | null;
  unread_count?: number;
  marked_unread?: boolean | null;
  draft?: string | null;
  pinned_tags?: { id: string; name: string; color: string }[];
}

/** The columns and joins every conversation read uses. `$1` is always the workspace id. */
export const CONVERSATION_SELECT = `
  select c.id, c.workspace_id, c.number, c.status, c.connection_id, cc.type as connection_type,
    cc.name as connection_name, c.contact_id, ct.name as contact_name, ct.nickname as contact_nickname,
    ct.email as contact_email, ct.phone as contact_phone, ct.avatar_url as contact_avatar_url,
    ct.blocked_at as contact_blocked_at, c.assignee_id, c.team_id, c.bot_id, c.last_activity_at,
    c.last_message_id, c.last_message_preview, c.last_message_author, c.last_message_author_id, c.last_message_direction,
    c.last_outbound_state, c.last_inbound_seq, c.first_unanswered_at, c.last_customer_message_at,
    c.closed_at, c.source, c.created_at, c.kind, c.post_id, c.important_at, c.snoozed_until,
    coalesce((select array_agg(o.user_id::text order by o.added_at) from conversation_operators o
      where o.conversation_id = c.id), '{}') as operator_ids`;

/**
 * The caller's unread customer messages of a conversation (its id as SQL: `c.id`, `$1`), counted after their
 * read cursor, which the query joins as `rc`.
 */
export const unreadMessagesSql = (conversationId: string) =>
  `(select count(*) from messages m where m.conversation_id = ${conversationId} and m.direction = 'inbound'
      and m.seq > coalesce(rc.last_read_seq, 0))`;

/** The unread count the inbox shows: at least 1 while the agent has marked the conversation unread. */
export const shownUnread = (unread: number, marked: boolean | null | undefined) =>
  Math.max(unread, marked ? 1 : 0);

/** The joins every conversation read uses, over `conversations` or over a CTE that returns its rows. */
export const conversationFrom = (source = "conversations") => `
  from ${source} c
  join channel_connections cc on cc.id = c.connection_id
  join contacts ct on ct.id = c.contact_id`;
export const CONVERSATION_FROM = conversationFrom();

export function accessOf(
  r: Pick<ConversationRow, "workspace_id" | "assignee_id" | "operator_ids" | "team_id">,
): ConversationAccess {
  return {
    workspaceId: r.workspace_id,
    assigneeId: r.assignee_id,
    operatorIds: r.operator_ids,
    teamId: r.team_id,
  };
}

export function presentConversation(r: ConversationRow, permissions?: ConversationPermissions): Conversation {
  const out: Conversation = {
    id: r.id,
    number: r.number,
    status: r.status,
    connection: { id: r.connection_id, type: r.connection_type, name: r.connection_name },
    contact: {
      id: r.contact_id,
      name: r.contact_name,
      nickname: r.contact_nickname,
      email: r.contact_email,
      phone: r.contact_phone,
      avatarUrl: r.contact_avatar_url,
      blocked: r.contact_blocked_at !== null,
    },
    assigneeId: r.assignee_id,
    operatorIds: r.operator_ids,
    teamId: r.team_id,
    botId: r.bot_id,
    lastActivityAt: iso(r.last_activity_at)!,
    lastMessage: r.last_message_id
      ? {
          id: r.last_message_id,
          text: r.last_message_preview,
          authorType: r.last_message_author ?? "system",
          authorId: r.last_message_author_id ?? null,
          direction: r.last_message_direction ?? "internal",
          deliveryState: r.last_outbound_state ?? null,
        }
      : null,
    lastInboundSeq: r.last_inbound_seq,
    firstUnansweredAt: iso(r.first_unanswered_at),
    lastCustomerMessageAt: iso(r.last_customer_message_at),
    closedAt: iso(r.closed_at),
    source: r.source,
    createdAt: iso(r.created_at)!,
  };
  if (r.important_at !== undefined) out.important = r.important_at !== null;
  if (r.snoozed_until !== undefined) out.snoozedUntil = iso(r.snoozed_until);
  if (r.kind === "comment") {
    out.kind = "comment";
    out.postId = r.post_id ?? null;
  }
  if (r.unread_count !== undefined) {
    out.unreadCount = shownUnread(r.unread_count, r.marked_unread);
    out.markedUnread = !!r.marked_unread;
  }
  if (r.draft !== undefined) out.draft = r.draft;
  if (r.pinned_tags !== undefined) out.pinnedTags = r.pinned_tags;
  if (permissions) out.permissions = permissions;
  return out;
}

export async function loadConversationRow(
  q: Queryable,
  workspaceId: string,
  id: string,
): Promise<ConversationRow | null> {
  const [row] = await q.query<ConversationRow>(
    `${CONVERSATION_SELECT} ${CONVERSATION_FROM} where c.workspace_id = $1 and c.id = $2`,
    [workspaceId, id],
  );
  return row ?? null;
}
