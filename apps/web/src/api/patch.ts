import type { Query, QueryClient, QueryFilters, QueryKey } from "@tanstack/react-query";

type Patch = (data: unknown) => unknown;

/** Per cache, by query hash: what is to happen when a load under way answers. */
interface Loads {
  /** The patches applied to each loading query, in order, to apply again to its answer. */
  patches: Map<string, Patch[]>;
  /** Queries to read again once their load answers (see readAgain). */
  again: Set<string>;
}
const perCache = new WeakMap<QueryClient, Loads>();

function loadsOf(qc: QueryClient): Loads {
  const known = perCache.get(qc);
  if (known) return known;
  const loads: Loads = { patches: new Map(), again: new Set() };
  const { patches, again } = loads;
  // A load's answer lands as a non-manual success: the patches made while it was under way are applied to
  // it in the same turn, and it is read again after, if asked. A load that ends any other way (failed,
  // cancelled and reverted) or a query removed keeps nothing: the cache already holds the patches, and a
  // failed load is asked again as any other. One listener does both, so the order is always the same.
  qc.getQueryCache().subscribe((event) => {
    const hash = event.query.queryHash;
    if (event.type === "removed") {
      patches.delete(hash);
      again.delete(hash);
      return;
    }
    if (event.type !== "updated") return;
    const { action, query } = event;
    if (action.type !== "success" || action.manual) {
      if (query.state.fetchStatus === "idle") {
        patches.delete(hash);
        // Not read again now (a failed load shows its error), but out of date: the next use reads it.
        if (again.delete(hash)) query.invalidate();
      }
      return;
    }
    // Both taken first: putting the patches in is a manual success of its own, seen here as the load's end.
    const reread = again.delete(hash);
    const kept = patches.get(hash);
    if (kept) {
      patches.delete(hash);
      let data = query.state.data;
      for (const patch of kept) data = data === undefined ? data : patch(data);
      if (data !== query.state.data) qc.setQueryData(query.queryKey, data);
    }
    // After this notification has reached every listener: the new load must not start inside it.
    // A load started since is joined: it was asked for after this answer, so after the change.
    if (reread)
      queueMicrotask(
        () => void qc.invalidateQueries({ queryKey: query.queryKey, exact: true }, { cancelRefetch: false }),
      );
  });
  perCache.set(qc, loads);
  return loads;
}

/**
 * Reads the matching queries again after the server said their data may be out of date (the socket attached
 * late or fell too far behind, the caller's rights changed, a change no event describes in full). One that
 * is not loading is asked again at once. One whose load is under way is asked again once that load has
 * answered: its answer may have been read before the change, and TanStack Query joins an invalidation to a
 * first load in flight (a query with no data yet is not loaded twice at once), so it would stand. The load is
 * neither cancelled nor restarted: under a stream of changes a load restarted for each would never answer;
 * this way each answer shows, and one more read follows the last change.
 */
export function readAgain(qc: QueryClient, filters: QueryFilters = {}) {
  const { again } = loadsOf(qc);
  for (const query of qc.getQueryCache().findAll(filters))
    if (query.state.fetchStatus !== "idle") again.add(query.queryHash);
  return qc.invalidateQueries(filters, { cancelRefetch: false });
}

/**
 * Applies a change the socket (or an answer to the agent's own request) reported to the cached queries that
 * `filters` match: at once to what each holds, and again to the answer of a load under way. That answer may
 * have been read before the change, and would otherwise replace it; on a first load the change had nothing to
 * go into. Loads are never asked again for it: while changes keep coming, a load asked again for each would
 * never finish.
 *
 * The change is given the query's key (a list's view and filters). `again` is the change as applied to the
 * answer, when it must differ: that answer may already hold it. A query that is not loading holds every
 * change already, so what was kept for it is dropped.
 */
export function patchQueries<T>(
  qc: QueryClient,
  filters: QueryFilters,
  change: (data: T, key: QueryKey) => T,
  again: (data: T, key: QueryKey) => T = change,
) {
  const late = loadsOf(qc).patches;
  for (const query of qc.getQueryCache().findAll(filters) as Query<T>[]) {
    const data = query.state.data;
    if (data !== undefined) {
      const next = change(data, query.queryKey);
      if (next !== data) {
        // Setting data marks a query fresh: one readAgain left out of date (not shown now) stays so.
        const outOfDate = query.state.isInvalidated;
        qc.setQueryData(query.queryKey, next);
        if (outOfDate) query.invalidate();
      }
    }
    if (query.state.fetchStatus === "idle") late.delete(query.queryHash);
    else {
      const patches = late.get(query.queryHash) ?? [];
      patches.push((d) => again(d as T, query.queryKey));
      late.set(query.queryHash, patches);
    }
  }
}
