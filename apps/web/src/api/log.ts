import type { Message } from "@parley/protocol";
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { get } from "./client";

/** A closed conversation as GET /api/log lists it (R601). */
export interface LogEntry {
  id: string;
  number: number;
  contact: { id: string; name: string | null; nickname: string | null };
  connection: { id: string; type: string; name: string };
  assignee: { id: string; name: string } | null;
  lastReply: { authorType: string; authorId: string | null; authorName: string | null; at: string } | null;
  source: Record<string, unknown>;
  createdAt: string;
  closedAt: string;
}
export interface LogPage {
  entries: LogEntry[];
  nextCursor: string | null;
}

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
      get<{ messages: Message[]; hasMore: boolean }>(
        `/api/conversations/${id}/messages?limit=100${pageParam ? `&before=${pageParam}` : ""}`,
      ),
    getNextPageParam: (last) => (last.hasMore && last.messages[0] ? last.messages[0].seq : null),
  });

export interface Tag {
  id: string;
  name: string;
  color: string;
}
export const useTags = () =>
  useQuery({
    queryKey: logKeys.tags,
    queryFn: () => get<{ tags: Tag[] }>("/api/tags").then((r) => r.tags),
    staleTime: 60_000,
  });

interface Stats {
  count: number;
  answered?: number;
  avgSeconds: number | null;
  p50Seconds: number | null;
  p90Seconds: number | null;
}
/** GET /api/analytics (managers). */
export interface Analytics {
  period: { from: string; to: string; tz: string };
  opened: number;
  closed: number;
  firstResponse: Stats;
  responseTime: Stats;
  resolution: Stats;
  agents: {
    id: string;
    name: string;
    role: string;
    conversations: number;
    closed: number;
    replies: number;
    avgResponseSeconds: number | null;
  }[];
  channels: {
    id: string;
    type: string;
    name: string;
    opened: number;
    closed: number;
    inbound: number;
    outbound: number;
  }[];
  hours: { hour: number; inbound: number }[];
}

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
