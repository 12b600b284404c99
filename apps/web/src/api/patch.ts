import type { Query, QueryClient, QueryFilters, QueryKey } from "@tanstack/react-query";

type Patch = (data: unknown) => unknown;

/** Per cache: the patches applied to each loading query (by hash), in order, to apply again to its answer. */
const pending = new WeakMap<QueryClient, Map<string, Patch[]>>();

function pendingOf(qc: QueryClient): Map<string, Patch[]> {
  const late = pending.get(qc);
  if (late) return late;
  const created = new Map<string, Patch[]>();
  // A load's answer lands as a non-manual success: the patches made while it was under way are applied to
  // it in the same turn. A load that ends any other way (failed, cancelled and reverted) or a query removed
  // keeps nothing: the cache already holds the patches.
  qc.getQueryCache().subscribe((event) => {
    if (event.type === "removed") {
      created.delete(event.query.queryHash);
      return;
    }
    if (event.type !== "updated") return;
    const { action, query } = event;
    if (action.type !== "success" || action.manual) {
      if (query.state.fetchStatus === "idle") created.delete(query.queryHash);
      return;
    }
    const patches = created.get(query.queryHash);
    if (!patches) return;
    created.delete(query.queryHash);
    let data = query.state.data;
    for (const patch of patches) data = data === undefined ? data : patch(data);
    if (data !== query.state.data) qc.setQueryData(query.queryKey, data);
  });
  pending.set(qc, created);
  return created;
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
  const late = pendingOf(qc);
  for (const query of qc.getQueryCache().findAll(filters) as Query<T>[]) {
    const data = query.state.data;
    if (data !== undefined) {
      const next = change(data, query.queryKey);
      if (next !== data) qc.setQueryData(query.queryKey, next);
    }
    if (query.state.fetchStatus === "idle") late.delete(query.queryHash);
    else {
      const patches = late.get(query.queryHash) ?? [];
      patches.push((d) => again(d as T, query.queryKey));
      late.set(query.queryHash, patches);
    }
  }
}
