import type { AgentNotification } from "@parley/protocol";
import type { InfiniteData, QueryClient } from "@tanstack/react-query";
import { patchQueries } from "../../api/patch";
import { type NotificationPage, notifyKeys } from "./api";

type Pages = InfiniteData<NotificationPage, string | null>;

/**
 * The bell's list and unread count, changed by the socket and by the agent's own reads. Each change also goes
 * into the answer of a load under way (a first load, or the socket's re-read once it connects): that answer
 * may have been read before the change and would otherwise undo it.
 */
const BELL = { queryKey: notifyKeys.list, exact: true };

/** A notification first in the list and counted as unread, unless the list holds it already. */
export function addToBellList(qc: QueryClient, n: AgentNotification) {
  patchQueries<Pages>(qc, BELL, (data) => {
    if (data.pages.some((p) => p.notifications.some((x) => x.id === n.id))) return data;
    const [first, ...rest] = data.pages;
    if (!first) return data;
    return {
      ...data,
      pages: [
        { ...first, notifications: [n, ...first.notifications], unread: first.unread + (n.readAt ? 0 : 1) },
        ...rest,
      ],
    };
  });
  // A list that failed to load, and is not loading again, is asked again.
  const state = qc.getQueryState(notifyKeys.list);
  if (state && state.data === undefined && state.fetchStatus === "idle")
    void qc.invalidateQueries({ queryKey: notifyKeys.list, exact: true });
}

/**
 * Notifications the agent read (or all those loaded), with the unread count the server answered. A load's
 * answer keeps its own count less the notifications this read and the answer had as unread: it may hold
 * notifications that arrived after the read, which the server's count did not know.
 */
export function markBellRead(qc: QueryClient, ids: string[] | "all", unread: number) {
  const loaded = qc.getQueryData<Pages>(notifyKeys.list)?.pages.flatMap((p) => p.notifications) ?? [];
  const marked = new Set(ids === "all" ? loaded.map((n) => n.id) : ids);
  const at = new Date().toISOString();
  const mark = (data: Pages, count: (first: NotificationPage, newlyRead: number) => number): Pages => {
    let newlyRead = 0;
    const pages = data.pages.map((p) => ({
      ...p,
      notifications: p.notifications.map((n) => {
        if (!marked.has(n.id) || n.readAt) return n;
        newlyRead++;
        return { ...n, readAt: at };
      }),
    }));
    const [first, ...rest] = pages;
    if (!first) return data;
    return { ...data, pages: [{ ...first, unread: count(first, newlyRead) }, ...rest] };
  };
  patchQueries<Pages>(
    qc,
    BELL,
    (data) => mark(data, () => unread),
    (data) => mark(data, (first, newlyRead) => Math.max(0, first.unread - newlyRead)),
  );
}
