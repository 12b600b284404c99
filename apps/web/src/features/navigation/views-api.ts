import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { client, data } from "../../api/client";
import { keys } from "../../api/queries";
import type { Answer } from "../../api/types";

export type ViewCounts = Answer<"/api/inbox/views">;
export type SavedFilter = ViewCounts["saved"][number];
export type FirstRun = Answer<"/api/first-run">;

export const navKeys = { views: ["inbox-views"] as const, firstRun: ["first-run"] as const };

/** How long the counts wait after a live update before they are asked for again: a burst asks once. */
const SETTLE_MS = 800;
/** The caches realtime events write into: a change there can change a count. */
const WATCHED: readonly unknown[] = [keys.lists[0], keys.unread[0], "conversation"];

/**
 * The inbox views with their counts, from one request. Realtime events already update the lists and the
 * unread badge in the cache; a write there (not a fetch) asks for the counts again once things settle.
 */
export function useViewCounts() {
  const qc = useQueryClient();
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const unsubscribe = qc.getQueryCache().subscribe((e) => {
      if (e.type !== "updated" || e.action.type !== "success" || !e.action.manual) return;
      if (!WATCHED.includes(e.query.queryKey[0])) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => void qc.invalidateQueries({ queryKey: navKeys.views }), SETTLE_MS);
    });
    return () => {
      unsubscribe();
      if (timer) clearTimeout(timer);
    };
  }, [qc]);
  return useQuery({
    queryKey: navKeys.views,
    queryFn: () => data(client.GET("/api/inbox/views")),
    staleTime: 30_000,
  });
}

export const useFirstRun = (enabled: boolean) =>
  useQuery({
    queryKey: navKeys.firstRun,
    queryFn: () => data(client.GET("/api/first-run")),
    enabled,
  });

/** The inbox's URL parameters a saved filter keeps (the dates are days of the person's calendar: not kept). */
const KEPT = [
  "view",
  "type",
  "channel",
  "assignee",
  "team",
  "bot",
  "status",
  "tag",
  "tagMode",
  "author",
  "sort",
];

export function savedParamsOf(params: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of KEPT) {
    const v = params.get(k);
    if (v) out[k] = v;
  }
  if (!out.view) out.view = "mine";
  return out;
}

/** The inbox address of a saved filter. */
export const savedFilterHref = (s: Pick<SavedFilter, "params">) =>
  `/inbox?${new URLSearchParams(s.params as Record<string, string>)}`;

/** Whether the page shows exactly a saved filter's parameters. */
export function showsSaved(params: URLSearchParams, s: Pick<SavedFilter, "params">) {
  const current = savedParamsOf(params);
  const saved: Record<string, string> = { view: "mine", ...(s.params as Record<string, string>) };
  const ks = new Set([...Object.keys(current), ...Object.keys(saved)]);
  return [...ks].every((k) => current[k] === saved[k]);
}
