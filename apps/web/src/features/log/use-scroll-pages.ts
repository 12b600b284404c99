import { useIntersection } from "@mantine/hooks";
import { useEffect, useLayoutEffect, useRef } from "react";

/** What the hook needs of an infinite query (TanStack Query's `useInfiniteQuery`). */
interface Pages {
  data?: { pages: readonly unknown[] };
  hasNextPage: boolean;
  isFetching: boolean;
  fetchNextPage(options: { cancelRefetch: boolean }): Promise<unknown>;
}

/**
 * Loads the next page when the end of the list is scrolled into view: put `sentinel` on an element after the
 * last row (with its `key`). The sentinel is observed afresh under each page: what counts is what it showed
 * after that page was laid out. The entry from before (the sentinel in view above a list still empty) would
 * load a page nobody scrolled to.
 */
export function useScrollPages(query: Pages) {
  const { ref, entry } = useIntersection({ threshold: 0 });
  const key = query.data?.pages.length ?? 0;
  const laidOut = useRef(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the time is taken each time a page is laid out
  useLayoutEffect(() => {
    laidOut.current = performance.now();
  }, [key]);
  const { hasNextPage, isFetching, fetchNextPage } = query;
  useEffect(() => {
    // Not while the list is read again: a next page would cancel that read.
    if (entry?.isIntersecting && entry.time >= laidOut.current && hasNextPage && !isFetching)
      void fetchNextPage({ cancelRefetch: false });
  }, [entry, hasNextPage, isFetching, fetchNextPage]);
  return { sentinel: { ref, key } };
}
