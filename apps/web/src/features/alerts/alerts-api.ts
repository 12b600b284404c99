import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { client, data } from "../../api/client";
import type { Answer, Body } from "../../api/types";
import { showError } from "../../lib/notify";

export type AlertRule = Answer<"/api/alerts/rules">["rules"][number];
export type AlertsPage = Answer<"/api/alerts">;
export type SecurityAlert = AlertsPage["alerts"][number];
export type AlertStatus = "open" | "acknowledged" | "all";
type RulePatch = Body<"/api/alerts/rules/{rule}", "patch">;

const keys = {
  rules: ["alerts", "rules"] as const,
  lists: ["alerts", "list"] as const,
  list: (s: AlertStatus) => ["alerts", "list", s] as const,
};
/** The cached alert lists, which a `security_alert` notification on the socket makes load again. */
export const alertListsKey = keys.lists;

export const useAlertRules = () =>
  useQuery({ queryKey: keys.rules, queryFn: () => data(client.GET("/api/alerts/rules")) });

/** The raised alerts of one status, newest first, a page at a time. */
export const useAlerts = (status: AlertStatus) =>
  useInfiniteQuery({
    queryKey: keys.list(status),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      data(client.GET("/api/alerts", { params: { query: { status, limit: 30, before: pageParam } } })),
    getNextPageParam: (last: AlertsPage) => last.nextBefore ?? undefined,
  });

export function useSaveRule() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ rule, patch }: { rule: AlertRule["rule"]; patch: RulePatch }) =>
      data(client.PATCH("/api/alerts/rules/{rule}", { params: { path: { rule } }, body: patch })),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.rules }),
    onError: (err) => showError(t, err),
  });
}

export function useAcknowledge() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      data(client.POST("/api/alerts/{id}/acknowledge", { params: { path: { id } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.lists }),
    onError: (err) => showError(t, err),
  });
}
