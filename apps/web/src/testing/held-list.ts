import { type InfiniteData, InfiniteQueryObserver, QueryClient, type QueryKey } from "@tanstack/react-query";
import { expect } from "vitest";

/**
 * A one-page list query being loaded, its answers handed out by the test (`answers[i](page)`), on a cache of
 * its own; with `initial`, the list already holds that page (so the load is a reload). Resolves once the
 * first load has been asked for.
 */
export async function heldList<P>(queryKey: QueryKey, initial?: P) {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  if (initial) qc.setQueryData<InfiniteData<P, null>>(queryKey, { pages: [initial], pageParams: [null] });
  const answers: Array<(p: P) => void> = [];
  const observer = new InfiniteQueryObserver<P>(qc, {
    queryKey,
    initialPageParam: null,
    getNextPageParam: () => null,
    queryFn: () => new Promise<P>((resolve) => answers.push(resolve)),
    staleTime: 0,
  });
  const unsubscribe = observer.subscribe(() => {});
  await expect.poll(() => answers.length).toBe(1);
  const idle = () => expect.poll(() => qc.getQueryState(queryKey)?.fetchStatus).toBe("idle");
  return { qc, queryKey, answers, idle, unsubscribe };
}
