import type { ReadCursor } from "@parley/protocol";
import { type AppContext, transact } from "../../context";
import type { Actor } from "../../domain/permissions";
import { AppError } from "../../lib/errors";
import { iso } from "../../lib/time";
import { queueMarkSeen } from "../messages/mark-seen-job";
import { conversationForActor } from "./access";
import { unreadConversationCount } from "./list";
import { accessOf } from "./present";
import { unreadStates } from "./queries/unread-states";

interface CursorRow {
  conversation_id: string;
  user_id: string;
  last_read_seq: number;
  marked_unread: boolean;
  read_at: Date;
}

const presentCursor = (r: CursorRow): ReadCursor => ({
  conversationId: r.conversation_id,
  userId: r.user_id,
  lastReadSeq: r.last_read_seq,
  markedUnread: r.marked_unread,
  readAt: iso(r.read_at)!,
});

/** Tells the agent's own sockets (every tab and device) their new unread state of the conversation. */
async function signalUnread(ctx: AppContext, actor: Actor, conversationId: string) {
  const [state] = await unreadStates(ctx.db, actor, [conversationId]);
  if (!state) return;
  ctx.bus.signal({
    workspaceId: actor.workspaceId,
    audience: { userIds: [actor.userId] },
    signal: {
      type: "unread.changed",
      conversationId,
      unreadCount: state.unreadCount,
      markedUnread: state.markedUnread,
      lastInboundSeq: state.lastInboundSeq,
      unreadConversations: await unreadConversationCount(ctx.db, actor),
    },
  });
}

/**
 * Moves the agent's read cursor forward to a message (or to the end), clearing "marked unread" (R105, R303).
 * Cursors never move backwards: a late request from a stale tab changes nothing.
 */
export async function markRead(
  ctx: AppContext,
  actor: Actor,
  conversationId: string,
  upToMessageId: string | null,
) {
  const cursor = await transact(ctx, async (tx) => {
    const { row } = await conversationForActor(tx.q, actor, conversationId);
    let seq: number;
    if (upToMessageId) {
      const [m] = await tx.q.query<{ seq: number }>(
        "select seq from messages where id = $1 and conversation_id = $2",
        [upToMessageId, conversationId],
      );
      if (!m) throw new AppError("validation_failed", "That message is not in this conversation.");
      seq = m.seq;
    } else {
      const [m] = await tx.q.query<{ seq: number | null }>(
        "select max(seq) as seq from messages where conversation_id = $1",
        [conversationId],
      );
      seq = m?.seq ?? 0;
    }
    const [cursor] = await tx.q.query<CursorRow>(
      `insert into read_cursors (workspace_id, conversation_id, user_id, last_read_seq, marked_unread, read_at)
       values ($1, $2, $3, $4, false, $5)
       on conflict (conversation_id, user_id) do update set
         last_read_seq = greatest(read_cursors.last_read_seq, excluded.last_read_seq),
         marked_unread = false,
         read_at = case when excluded.last_read_seq > read_cursors.last_read_seq or read_cursors.marked_unread
                   then excluded.read_at else read_cursors.read_at end
       returning conversation_id, user_id, last_read_seq, marked_unread, read_at`,
      [actor.workspaceId, conversationId, actor.userId, seq, tx.now],
    );
    tx.emit(actor.workspaceId, {
      type: "read_cursor.updated",
      conversationId,
      cursor: presentCursor(cursor!),
      audience: { conversation: accessOf(row) },
    });
    // The customer is told their messages were seen, when the workspace wants that on opening (R306).
    if (cursor!.read_at.getTime() === tx.now.getTime())
      await queueMarkSeen(tx, ctx, actor.workspaceId, conversationId, "open");
    return presentCursor(cursor!);
  });
  await signalUnread(ctx, actor, conversationId);
  return cursor;
}

/** Marks the conversation unread for this agent only (R105). */
export async function markUnread(ctx: AppContext, actor: Actor, conversationId: string) {
  const cursor = await transact(ctx, async (tx) => {
    const { row } = await conversationForActor(tx.q, actor, conversationId);
    const [cursor] = await tx.q.query<CursorRow>(
      `insert into read_cursors (workspace_id, conversation_id, user_id, last_read_seq, marked_unread, read_at)
       values ($1, $2, $3, 0, true, $4)
       on conflict (conversation_id, user_id) do update set marked_unread = true
       returning conversation_id, user_id, last_read_seq, marked_unread, read_at`,
      [actor.workspaceId, conversationId, actor.userId, tx.now],
    );
    tx.emit(actor.workspaceId, {
      type: "read_cursor.updated",
      conversationId,
      cursor: presentCursor(cursor!),
      audience: { conversation: accessOf(row) },
    });
    return presentCursor(cursor!);
  });
  await signalUnread(ctx, actor, conversationId);
  return cursor;
}

export async function listCursors(ctx: AppContext, actor: Actor, conversationId: string) {
  await conversationForActor(ctx.db, actor, conversationId);
  const rows = await ctx.db.query<CursorRow>(
    `select conversation_id, user_id, last_read_seq, marked_unread, read_at from read_cursors
     where conversation_id = $1 order by read_at desc`,
    [conversationId],
  );
  return rows.map(presentCursor);
}
