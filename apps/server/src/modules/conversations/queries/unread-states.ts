import type { UnreadState } from "@parley/protocol";
import type { Db } from "../../../db/client";
import { type Actor, andReadable } from "../../../domain/permissions";
import { shownUnread, unreadMessagesSql } from "../present";

/**
 * The caller's own unread state of each of these conversations they may see (those they may not are left
 * out): how many customer messages are unread (at least 1 while marked unread, as the list shows), whether
 * it is marked unread, and the seq of its last customer message when the count was taken. One statement, so
 * each count and its seq are of the same moment: a client adds later messages' events on top of it.
 */
export async function unreadStates(db: Db, actor: Actor, ids: readonly string[]): Promise<UnreadState[]> {
  if (ids.length === 0) return [];
  const params: unknown[] = [actor.workspaceId, actor.userId, ids];
  const visibility = andReadable(actor, params);
  const rows = await db.query<{ id: string; unread: number; marked: boolean | null; last_inbound: number }>(
    `select c.id, c.last_inbound_seq as last_inbound, rc.marked_unread as marked,
            ${unreadMessagesSql("c.id")} as unread
     from conversations c
     left join read_cursors rc on rc.conversation_id = c.id and rc.user_id = $2
     where c.workspace_id = $1 and c.id = any($3::uuid[])${visibility}`,
    params,
  );
  return rows.map((r) => ({
    conversationId: r.id,
    unreadCount: shownUnread(Number(r.unread), r.marked),
    markedUnread: !!r.marked,
    lastInboundSeq: Number(r.last_inbound),
  }));
}
