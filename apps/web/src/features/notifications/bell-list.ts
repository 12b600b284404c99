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
const patchBell = (qc: QueryClient, change: (data: Pages) => Pages) =>
  patchQueries<Pages>(qc, { queryKey: notifyKeys.list, exact: true }, change);

/** A notification first in the list and counted as unread, unless the list holds it already. */
export function addToBellList(qc: QueryClient, n: AgentNotification) {
  patchBell(qc, (data) => {
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

/** Notifications the agent read (or all of them), with the unread count the server answered. */
export function markBellRead(qc: QueryClient, ids: string[] | "all", unread: number) {
  patchBell(qc, (data) => ({
    ...data,
    pages: data.pages.map((p, i) => ({
      ...p,
      unread: i === 0 ? unread : p.unread,
      notifications: p.notifications.map((n) =>
        ids === "all" || ids.includes(n.id) ? { ...n, readAt: n.readAt ?? new Date().toISOString() } : n,
      ),
    })),
  }));
}
