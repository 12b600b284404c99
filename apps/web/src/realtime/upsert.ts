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
};

/**
 * Puts a conversation's new state into every cached list in place: updates its row, moves it to where it
 * sorts now, adds it to the views it entered and drops it from those it left. Nothing is refetched; a list
 * loading meanwhile gets the state again in its answer (see patchQueries).
 */
export function upsertConversation(
  qc: QueryClient,
  me: string,
  incoming: Conversation,
  opts: UpsertOptions = {},
) {
  patchQueries<ConversationPages>(qc, { queryKey: keys.lists }, (data, key) =>
    putInList(me, key, data, incoming, opts),
  );
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

function putInList(
  me: string,
  key: QueryKey,
  data: ConversationPages,
  incoming: Conversation,
  opts: UpsertOptions,
): ConversationPages {
  const view = key[1];
  if (typeof view !== "string" || !isView(view)) return data;
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
  // new row counts none: the event that adds it (a new conversation's) carries the message's seq as its
  // lastInboundSeq, and the message's own event comes next.
  const through = countedThrough(previous);
  const bump = opts.unreadSeq !== undefined && opts.unreadSeq > through;
  const merged: Row = {
    ...previous,
    ...incoming,
    unreadCount: (previous?.unreadCount ?? 0) + (bump ? 1 : 0),
    unreadThrough: bump ? opts.unreadSeq : through,
    draft: opts.clearDraft ? null : (previous?.draft ?? null),
    permissions: incoming.permissions ?? previous?.permissions,
  };
  // A filter the row cannot answer (tags, message dates) keeps a row that was there and adds none.
  const belongs = params
    ? (matchesParams(params, merged, me) ?? previous !== undefined)
    : inView(view, merged, me);
  if (belongs) {
    // The first loaded row it sorts before; past the loaded pages it arrives with the next page.
    let placed = false;
    for (const page of pages) {
      const at = page.conversations.findIndex((c) => sortsBefore(merged, c, params?.sort));
      if (at >= 0) {
        page.conversations.splice(at, 0, merged);
        placed = true;
        break;
      }
    }
    const last = pages.at(-1);
    if (!placed && last && last.nextCursor === null) last.conversations.push(merged);
  }
  return { ...data, pages };
}
