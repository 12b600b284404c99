import type { Conversation, UnreadState } from "@parley/protocol";
import type { QueryClient } from "@tanstack/react-query";
import { patchQueries, readAgain } from "../api/patch";
import { type ConversationPages, keys, patchConversation } from "../api/queries";

/**
 * A list row, with the customer messages its unread count includes: those up to `unreadThrough` (kept in the
 * cache only). A row as the server answered it counts every one up to its `lastInboundSeq`.
 */
export type Row = Conversation & { unreadThrough?: number };

export const countedThrough = (row: Row | undefined) =>
  row === undefined ? -1 : (row.unreadThrough ?? row.lastInboundSeq);

/** A row with an unread count that includes the customer messages up to seq `through` (and none after). */
const withUnread = (row: Conversation, unreadCount: number, through: number, markedUnread: boolean): Row => ({
  ...row,
  unreadCount,
  unreadThrough: through,
  markedUnread,
});

/**
 * Per cache and conversation, how many times the agent's own unread state has been set (a read, a count): an
 * answer asked for before the last of them (see unread-states.ts) is older than what the rows show.
 */
const versions = new WeakMap<QueryClient, Map<string, number>>();
export const unreadVersion = (qc: QueryClient, conversationId: string) =>
  versions.get(qc)?.get(conversationId) ?? 0;
function nextVersion(qc: QueryClient, conversationId: string) {
  const known = versions.get(qc) ?? new Map<string, number>();
  versions.set(qc, known);
  known.set(conversationId, (known.get(conversationId) ?? 0) + 1);
}

/** Changes every cached list's rows (those loading get the change again in their answer). */
export function mapRows(qc: QueryClient, fn: (c: Conversation) => Conversation) {
  patchQueries<ConversationPages>(qc, { queryKey: keys.lists }, (data) => ({
    ...data,
    pages: data.pages.map((p) => ({ ...p, conversations: p.conversations.map(fn) })),
  }));
}

/**
 * The agent read a conversation up to seq `lastReadSeq` (their read cursor's event): nothing is unread when
 * that is past every customer message the row has or counts. A count taken after a later message may have
 * come before the read's event, and that message stays unread.
 */
export function markReadUpTo(qc: QueryClient, conversationId: string, lastReadSeq: number) {
  const read = (c: Conversation) =>
    c.id === conversationId && lastReadSeq >= Math.max(c.lastInboundSeq, countedThrough(c))
      ? withUnread(c, 0, lastReadSeq, false)
      : c;
  nextVersion(qc, conversationId);
  mapRows(qc, read);
  patchConversation(qc, conversationId, read);
}

/**
 * The agent's own unread state of a conversation (the `unread.changed` signal, or asked for a row whose count
 * was not known), its count taken when its last customer message was seq `lastInboundSeq`. The count may
 * include customer messages whose events are still on their way: they are not counted again. A row that counts
 * a later one (its event came first: signals and events can take different ways between processes) is not
 * set back; the lists are read again instead.
 */
export function setUnreadCount(qc: QueryClient, state: UnreadState) {
  const { conversationId, unreadCount, lastInboundSeq: through, markedUnread } = state;
  nextVersion(qc, conversationId);
  let behind = false;
  const set = (c: Conversation) => {
    if (c.id !== conversationId) return c;
    if (countedThrough(c) <= through) return withUnread(c, unreadCount, through, markedUnread);
    behind = true;
    return c;
  };
  mapRows(qc, set);
  patchConversation(qc, conversationId, set);
  if (behind) void readAgain(qc, { queryKey: keys.lists });
}

/**
 * How many conversations have unread customer messages for the agent (the signal's total, the header badge).
 * Also put into the answer of a reload under way, which may have been read before it; a customer message
 * after it reads the total again anyway.
 */
export function setUnreadTotal(qc: QueryClient, total: number) {
  patchQueries<number>(qc, { queryKey: keys.unread, exact: true }, () => total);
}
