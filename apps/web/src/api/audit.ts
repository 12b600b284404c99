import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { client, data, get } from "./client";
import type { Answer } from "./types";

/** GET /api/audit (R803). */
export type AuditPage = Answer<"/api/audit">;
export type AuditEntry = AuditPage["entries"][number];

/** The page's filters as the API and the page's URL spell them. */
export const AUDIT_FILTERS = ["user", "action", "targetType", "targetId", "from", "to", "ip", "q"] as const;
export type AuditFilters = Partial<Record<(typeof AUDIT_FILTERS)[number], string>>;

/** The filters as query parameters: empty ones left out (a short URL, a stable cache key). */
export function auditParams(f: AuditFilters): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of AUDIT_FILTERS) {
    const v = f[key]?.trim();
    if (v) out[key] = v;
  }
  return out;
}

const auditKeys = {
  list: (params: Record<string, string>) => ["audit", params] as const,
  settings: ["audit-settings"] as const,
};

export const useAudit = (params: Record<string, string>) =>
  useInfiniteQuery({
    queryKey: auditKeys.list(params),
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) => {
      const q = new URLSearchParams({ ...params, limit: "50" });
      if (pageParam) q.set("cursor", pageParam);
      return get<AuditPage>(`/api/audit?${q}`);
    },
    getNextPageParam: (last) => last.nextCursor,
    placeholderData: (prev) => prev,
  });

export const useAuditRetention = () =>
  useQuery({
    queryKey: auditKeys.settings,
    queryFn: () => data(client.GET("/api/audit/settings")).then((r) => r.retentionDays),
  });

export function useSaveAuditRetention() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (retentionDays: number) =>
      data(client.PUT("/api/audit/settings", { body: { retentionDays } })).then((r) => r.retentionDays),
    onSuccess: (days) => {
      qc.setQueryData(auditKeys.settings, days);
      void qc.invalidateQueries({ queryKey: ["audit"] });
    },
  });
}
