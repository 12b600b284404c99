import type { RuleAction, RuleConditions, RuleTimeLimit, RuleTrigger } from "@parley/protocol";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { client, data } from "../../api/client";
import type { Answer } from "../../api/types";
import { showErrorWithReason } from "../../lib/notify";

export type RuleItem = Answer<"/api/rules">["rules"][number];
export type RuleRunItem = Answer<"/api/rules/{id}/runs">["runs"][number];
export type DryRunResult = Answer<"/api/rules/dry-run", "post">;

/** What the editor holds: a rule as the API takes it (actions may still lack a choice). */
export interface RuleDraft {
  name: string;
  enabled: boolean;
  trigger: RuleTrigger;
  minutes: number | null;
  /** For "time limit reached": the warning or the overdue limit. */
  timeLimit: RuleTimeLimit | null;
  conditions: RuleConditions;
  actions: RuleAction[];
  stopProcessing: boolean;
}

const rulesKey = ["rules"] as const;

export const useRules = () =>
  useQuery({ queryKey: rulesKey, queryFn: () => data(client.GET("/api/rules")).then((r) => r.rules) });

export const useRuleRuns = (id: string | null) =>
  useQuery({
    queryKey: ["rules", "runs", id],
    enabled: !!id,
    queryFn: () =>
      data(client.GET("/api/rules/{id}/runs", { params: { path: { id: id! } } })).then((r) => r.runs),
    refetchInterval: 5000,
  });

export function useSaveRule() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, draft }: { id: string | null; draft: RuleDraft }) =>
      id
        ? data(client.PUT("/api/rules/{id}", { params: { path: { id } }, body: draft }))
        : data(client.POST("/api/rules", { body: draft })),
    onSuccess: () => qc.invalidateQueries({ queryKey: rulesKey }),
    onError: (err) => showErrorWithReason(t, err),
  });
}

export function useDeleteRule() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => data(client.DELETE("/api/rules/{id}", { params: { path: { id } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: rulesKey }),
    onError: (err) => showErrorWithReason(t, err),
  });
}

export function useReorderRules() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (ids: string[]) => data(client.PUT("/api/rules/order", { body: { ids } })),
    onSuccess: (r) => qc.setQueryData(rulesKey, r.rules),
    onError: (err) => {
      showErrorWithReason(t, err);
      void qc.invalidateQueries({ queryKey: rulesKey });
    },
  });
}

export function useDryRun() {
  const { t } = useTranslation();
  return useMutation({
    mutationFn: (conditions: RuleConditions) =>
      data(client.POST("/api/rules/dry-run", { body: { conditions } })),
    onError: (err) => showErrorWithReason(t, err),
  });
}

export const toDraft = (r: RuleItem): RuleDraft => ({
  name: r.name,
  enabled: r.enabled,
  trigger: r.trigger,
  minutes: r.minutes,
  timeLimit: r.timeLimit,
  conditions: r.conditions as RuleConditions,
  actions: r.actions as RuleAction[],
  stopProcessing: r.stopProcessing,
});

export const emptyDraft = (): RuleDraft => ({
  name: "",
  enabled: true,
  trigger: "customer_message",
  minutes: null,
  timeLimit: null,
  conditions: {},
  actions: [{ type: "close" }],
  stopProcessing: false,
});
