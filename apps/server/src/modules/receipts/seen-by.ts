import type { AppContext } from "../../context";
import type { Actor } from "../../domain/permissions";
import { iso } from "../../lib/time";
import { conversationForActor } from "../conversations/access";
import { type ReadTrackingOff, readTrackingOff } from "./policy";

export interface SeenBy {
  /** Customer-side read tracking for this conversation (null: on). */
  readTrackingOff: ReadTrackingOff | null;
  /** The conversation's own override (null: inherits). */
  override: boolean | null;
  /** Every agent's cursor: who has read up to where. */
  cursors: {
    userId: string;
    name: string;
    avatarUrl: string | null;
    lastReadSeq: number;
    markedUnread: boolean;
    readAt: string;
  }[];
  /** When each cursor passed a position: a message was seen by a user at the first mark at or after it. */
  marks: { userId: string; seq: number; at: string }[];
}

/**
 * Staff-side receipts (R303): who has seen which customer message and when, from the read cursors and the
 * history of their moves (`read_marks`). `since` limits the history to the loaded part of the feed.
 */
export async function seenBy(ctx: AppContext, actor: Actor, conversationId: string, since: number) {
  const { row } = await conversationForActor(ctx.db, actor, conversationId);
  const cursors = await ctx.db.query<{
    user_id: string;
    name: string;
    avatar_url: string | null;
    last_read_seq: number;
    marked_unread: boolean;
    read_at: Date;
  }>(
    `select rc.user_id, u.name, u.avatar_url, rc.last_read_seq, rc.marked_unread, rc.read_at
     from read_cursors rc join users u on u.id = rc.user_id
     where rc.conversation_id = $1 and rc.last_read_seq > 0 order by rc.read_at desc`,
    [conversationId],
  );
  const marks = await ctx.db.query<{ user_id: string; seq: number; at: Date }>(
    `select user_id, seq, at from read_marks where conversation_id = $1 and seq >= $2
     order by seq, at limit 2000`,
    [conversationId, since],
  );
  const [policy] = await ctx.db.query<{ read_receipts: boolean | null }>(
    "select read_receipts from conversations where id = $1",
    [row.id],
  );
  const out: SeenBy = {
    readTrackingOff: await readTrackingOff(ctx.db, conversationId),
    override: policy?.read_receipts ?? null,
    cursors: cursors.map((c) => ({
      userId: c.user_id,
      name: c.name,
      avatarUrl: c.avatar_url,
      lastReadSeq: Number(c.last_read_seq),
      markedUnread: c.marked_unread,
      readAt: iso(c.read_at)!,
    })),
    marks: marks.map((m) => ({ userId: m.user_id, seq: Number(m.seq), at: iso(m.at)! })),
  };
  return out;
}
