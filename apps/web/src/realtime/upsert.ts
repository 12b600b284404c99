import type { Conversation } from "@parley/protocol";
import type { QueryClient, QueryKey } from "@tanstack/react-query";
import { patchQueries } from "../api/patch";
import { type ConversationPages, inView, isView, keys, patchConversation } from "../api/queries";
import { matchesParams, sortsBefore } from "../features/inbox/filters";
import { countedThrough, type Row } from "./rows";

export type UpsertOptions = {
  /** The seq of a customer message the agent has not seen: each row counts it unread once. */
  unreadSeq?: number;
  clearDraft?: boolean;
  /** A new conversation (`conversation.created`): nothing in it is counted yet, its messages' events follow. */
  created?: boolean;
  /**
   * Called with the conversation's id when a list shows its row without knowing the agent's unread count: at
   * once, or when a load under way answers and the change is put into that answer (see patchQueries).
   */
  unknownCount?: (conversationId: string) => void;
};

/**
 * Puts a conversation's new state into every cached list in place: updates its row, moves it to where it
 * sorts now, adds it to the views it entered and drops it from those it left. Nothing is refetched; a list
 * loading meanwhile gets the state again in its answer (see patchQueries).
 *
 * Events are the same for the whole team, so they carry no one's unread count. A row that enters a list keeps
 * the count another cached list has for it; one no list has (it came from beyond the loaded pages, or into a
 * view by assignment or status) does not know it, nor does a row whose only count is the agent's "marked
 * unread" when a customer writes: `opts.unknownCount` is told, to ask the server (see `putConversation`).
 */
export function upsertConversation(
  qc: QueryClient,
  me: string,
  incoming: Conversation,
  opts: UpsertOptions = {},
) {
  const known = cachedRow(qc, incoming.id);
  patchQueries<ConversationPages>(qc, { queryKey: keys.lists }, (data, key) => {
    const put = putInList(me, key, data, incoming, opts, known);
    if (put.unknown) opts.unknownCount?.(incoming.id);
    return put.data;
  });
  patchConversation(qc, incoming.id, (old) => ({
    ...old,
    ...incoming,
    unreadCount: old.unreadCount,
    draft: old.draft,
    permissions: incoming.permissions ?? old.permissions,
    window: incoming.window ?? old.window,
    commentReplies: incoming.commentReplies ?? old.commentReplies,
  }));
}

/** The conversation's row in the cached list that counts furthest, if any list has it. */
function cachedRow(qc: QueryClient, id: string): Row | undefined {
  let found: Row | undefined;
  for (const [, data] of qc.getQueriesData<ConversationPages>({ queryKey: keys.lists })) {
    for (const page of data?.pages ?? [])
      for (const c of page.conversations)
        if (c.id === id && (found === undefined || countedThrough(c) > countedThrough(found))) found = c;
  }
  return found;
}

function putInList(
  me: string,
  key: QueryKey,
  data: ConversationPages,
  incoming: Conversation,
  opts: UpsertOptions,
  known: Row | undefined,
): { data: ConversationPages; unknown: boolean } {
  const view = key[1];
  if (typeof view !== "string" || !isView(view)) return { data, unknown: false };
  // The list's API parameters (view and filters): which rows belong, and in which order.
  const params = (key[2] ?? null) as Record<string, string> | null;
  let previous: Row | undefined;
  const pages = data.pages.map((p) => ({
    ...p,
    conversations: p.conversations.filter((c) => {
      if (c.id !== incoming.id) return true;
      previous = c;
      return false;
    }),
  }));
  // A row that counts this customer message already (a load's answer read after it) is not bumped again. A
  // new conversation's row counts none: the event that adds it carries the message's seq as its
  // lastInboundSeq, and the message's own event comes next.
  const base = previous ?? known;
  const through = countedThrough(base);
  const bump = opts.unreadSeq !== undefined && opts.unreadSeq > through;
  // Marked unread, a count of 1 may be no unread message or one: what a new one makes of it is asked.
  const markedOnly = base?.markedUnread === true && (base.unreadCount ?? 0) <= 1;
  // What only a list row has (the agent's draft, pinned tags, unread count) comes from the row it was.
  const merged: Row = {
    ...base,
    ...incoming,
    unreadCount: (base?.unreadCount ?? 0) + (bump && !markedOnly ? 1 : 0),
    unreadThrough: bump ? opts.unreadSeq : through,
    markedUnread: base?.markedUnread ?? false,
    draft: opts.clearDraft ? null : (base?.draft ?? null),
    permissions: incoming.permissions ?? base?.permissions,
  };
  // A filter the row cannot answer (tags, message dates) keeps a row that was there and adds none.
  const belongs = params
    ? (matchesParams(params, merged, me) ?? previous !== undefined)
    : inView(view, merged, me);
  // The first loaded row it sorts before; past the loaded pages it arrives with the next page.
  let placed = false;
  if (belongs) {
    for (const page of pages) {
      const at = page.conversations.findIndex((c) => sortsBefore(merged, c, params?.sort));
      if (at >= 0) {
        page.conversations.splice(at, 0, merged);
        placed = true;
        break;
      }
    }
    const last = pages.at(-1);
    if (!placed && last && last.nextCursor === null) {
      last.conversations.push(merged);
      placed = true;
    }
  }
  const unknown = placed && ((base === undefined && !opts.created) || (bump && markedOnly));
  return { data: { ...data, pages }, unknown };
}
