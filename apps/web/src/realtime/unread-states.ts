import type { Conversation, UnreadState } from "@parley/protocol";
import type { QueryClient } from "@tanstack/react-query";
import { client, data } from "../api/client";
import { readAgain } from "../api/patch";
import { keys } from "../api/queries";
import { setUnreadCount, unreadVersion } from "./rows";
import { type UpsertOptions, upsertConversation } from "./upsert";

/** At most this many ids a request (the server takes up to 200). */
const BATCH = 50;
/** Ids asked for within this many milliseconds (a burst of socket frames) go in one request. */
export const ASK_WINDOW_MS = 50;

/**
 * Asks the server for the agent's unread state of conversations whose rows do not know it (see
 * upsertConversation): the ids asked for within `ASK_WINDOW_MS` go together, `BATCH` a request, and each
 * answer is applied as the `unread.changed` signal is. An answer is dropped when the agent's unread state of
 * that conversation was set since it was asked (a read, a signal, a later answer): it is older than that. If a
 * request fails, the lists are read again.
 */
export function unreadAsker(load: (ids: string[]) => Promise<UnreadState[]>) {
  const waiting = new Map<QueryClient, Set<string>>();
  const flush = async (qc: QueryClient) => {
    const ids = [...(waiting.get(qc) ?? [])];
    waiting.delete(qc);
    for (let i = 0; i < ids.length; i += BATCH) {
      const batch = ids.slice(i, i + BATCH);
      const asked = new Map(batch.map((id) => [id, unreadVersion(qc, id)]));
      try {
        for (const state of await load(batch))
          if (asked.get(state.conversationId) === unreadVersion(qc, state.conversationId))
            setUnreadCount(qc, state);
      } catch {
        void readAgain(qc, { queryKey: keys.lists });
        return;
      }
    }
  };
  return (qc: QueryClient, conversationId: string) => {
    const ids = waiting.get(qc);
    if (ids) {
      ids.add(conversationId);
      return;
    }
    waiting.set(qc, new Set([conversationId]));
    setTimeout(() => void flush(qc), ASK_WINDOW_MS);
  };
}

export const askUnreadState = unreadAsker((ids) =>
  data(client.GET("/api/conversations/unread-states", { params: { query: { ids: ids.join(",") } } })).then(
    (r) => r.states,
  ),
);

/** Puts a conversation's new state into the cached lists, and asks for the unread counts they do not know. */
export function putConversation(qc: QueryClient, me: string, c: Conversation, opts?: UpsertOptions) {
  upsertConversation(qc, me, c, { ...opts, unknownCount: (id) => askUnreadState(qc, id) });
}
