import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { client, data, get } from "./client";
import type { Answer } from "./types";

/** A closed conversation as GET /api/log lists it (R601). */
export type LogPage = Answer<"/api/log">;
export type LogEntry = LogPage["entries"][number];

/** The log's filters as the API and the page's URL spell them (comma-separated lists, ISO times). */
export interface LogFilters {
  assignee?: string[];
  connection?: string[];
  channel?: string[];
  /** Closed at or after. */
  from?: string;
  /** Closed before (exclusive). */
  to?: string;
  tag?: string[];
  q?: string;
  sort?: "asc" | "desc";
}

/** The filters as query parameters: empty ones left out, so the URL stays short and the cache key stable. */
export function logParams(f: LogFilters): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of ["assignee", "connection", "channel", "tag"] as const) {
    const v = f[key];
    if (v?.length) out[key] = v.join(",");
  }
  if (f.from) out.from = f.from;
  if (f.to) out.to = f.to;
  if (f.q?.trim()) out.q = f.q.trim();
  if (f.sort === "asc") out.sort = "asc";
  return out;
}

export const logKeys = {
  log: (params: Record<string, string>) => ["log", params] as const,
  history: (id: string) => ["log-history", id] as const,
  tags: ["tags"] as const,
  analytics: (params: Record<string, string>) => ["analytics", params] as const,
};

export const useLog = (params: Record<string, string>) =>
  useInfiniteQuery({
    queryKey: logKeys.log(params),
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) => {
      const q = new URLSearchParams({ ...params, limit: "50" });
      if (pageParam) q.set("cursor", pageParam);
      return get<LogPage>(`/api/log?${q}`);
    },
    getNextPageParam: (last) => last.nextCursor,
    placeholderData: (prev) => prev,
  });

/** A conversation's whole history, newest page first (`before` = the oldest loaded seq). */
export const useHistory = (id: string) =>
  useInfiniteQuery({
    queryKey: logKeys.history(id),
    initialPageParam: null as number | null,
    queryFn: ({ pageParam }) =>
      data(
        client.GET("/api/conversations/{id}/messages", {
          params: { path: { id }, query: { limit: 100, ...(pageParam ? { before: pageParam } : {}) } },
        }),
      ),
    getNextPageParam: (last) => (last.hasMore && last.messages[0] ? last.messages[0].seq : null),
  });

export type Tag = Answer<"/api/tags">["tags"][number];
export const useTags = () =>
  useQuery({
    queryKey: logKeys.tags,
    queryFn: () => data(client.GET("/api/tags")).then((r) => r.tags),
    staleTime: 60_000,
  });

/** GET /api/analytics (managers). */
export type Analytics = Answer<"/api/analytics">;

export const useAnalytics = (params: Record<string, string>) =>
  useQuery({
    queryKey: logKeys.analytics(params),
    queryFn: () => get<Analytics>(`/api/analytics?${new URLSearchParams(params)}`),
    placeholderData: (prev) => prev,
  });

/**
 * Starts a download of a CSV the server streams (the session cookie goes with it): the browser writes the
 * file as it arrives, whatever its size, instead of holding it in memory.
 */
export function downloadCsv(path: string) {
  const a = document.createElement("a");
  a.href = path;
  a.download = "";
  document.body.append(a);
  a.click();
  a.remove();
}
