import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { client, data } from "../../api/client";
import type { Answer, Body } from "../../api/types";
import { showError } from "../../lib/notify";

export type DistributionPanel = Answer<"/api/distribution/panel">;
export type DistributionSettings = DistributionPanel["settings"][number];
type SettingsBody = Body<"/api/distribution/{kind}/{id}", "put">;
type AgentBody = Body<"/api/distribution/agents/{userId}", "put">;

const panelKey = ["distribution", "panel"] as const;

/** The panel: agents' load and eligibility, the queue and the settings; refreshed every few seconds. */
export const useDistributionPanel = () =>
  useQuery({
    queryKey: panelKey,
    queryFn: () => data(client.GET("/api/distribution/panel")),
    refetchInterval: 5000,
  });

export function useSaveSettings() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { kind: "connections" | "teams"; id: string; body: SettingsBody }) =>
      data(
        client.PUT("/api/distribution/{kind}/{id}", {
          params: { path: { kind: v.kind, id: v.id } },
          body: v.body,
        }),
      ),
    onSuccess: () => qc.invalidateQueries({ queryKey: panelKey }),
    onError: (err) => showError(t, err),
  });
}

export function useSaveAgent() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { userId: string; body: AgentBody }) =>
      data(
        client.PUT("/api/distribution/agents/{userId}", {
          params: { path: { userId: v.userId } },
          body: v.body,
        }),
      ),
    onSuccess: () => qc.invalidateQueries({ queryKey: panelKey }),
    onError: (err) => showError(t, err),
  });
}
