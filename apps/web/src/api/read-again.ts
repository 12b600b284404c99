import type { InvalidateQueryFilters, QueryClient } from "@tanstack/react-query";

/** Per cache: the first loads under way (by hash) to be read again once their answer lands. */
const later = new WeakMap<QueryClient, Set<string>>();

function laterOf(qc: QueryClient): Set<string> {
  const known = later.get(qc);
  if (known) return known;
  const created = new Set<string>();
  qc.getQueryCache().subscribe((event) => {
    const hash = event.query.queryHash;
    if (!created.has(hash)) return;
    if (event.type === "removed") {
      created.delete(hash);
      return;
    }
    // Still loading (a value set by hand meanwhile leaves the load under way).
    if (event.type !== "updated" || event.query.state.fetchStatus !== "idle") return;
    created.delete(hash);
    // A load that failed or was cancelled is asked again as any other; one that answered is read again now.
    if (event.action.type === "success" && !event.action.manual)
      void qc.invalidateQueries({ queryKey: event.query.queryKey, exact: true });
  });
  later.set(qc, created);
  return created;
}

/**
 * Reads the matching queries again after the server said their data may be out of date (the socket attached
 * late or fell too far behind, the caller's rights changed, a change no event describes in full). A query that
 * holds data is asked again at once (a load under way is restarted). A first load under way is read again once
 * it answers: an invalidation alone joins it (a query with no data yet is not loaded twice at once), and its
 * answer, perhaps read before the change, would stand. It is not cancelled: under a stream of changes a load
 * cancelled for each would never show anything.
 */
export function readAgain(qc: QueryClient, filters: InvalidateQueryFilters = {}) {
  const loading = laterOf(qc);
  for (const query of qc.getQueryCache().findAll(filters))
    if (query.state.data === undefined && query.state.fetchStatus !== "idle") loading.add(query.queryHash);
  return qc.invalidateQueries(filters);
}
