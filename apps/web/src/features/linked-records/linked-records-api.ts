import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { client, data } from "../../api/client";
import type { Answer, Body } from "../../api/types";
import { showError } from "../../lib/notify";

export type LinkedRecordConfig = Answer<"/api/linked-record-configs">["configs"][number];
export type LinkedRecord = Answer<"/api/conversations/{id}/linked-records">["records"][number];
export type ConfigBody = Body<"/api/connections/{id}/linked-record-config", "put">;

const KEY = ["linked-records"] as const;

export const useConfigs = () =>
  useQuery({ queryKey: [...KEY, "configs"], queryFn: () => data(client.GET("/api/linked-record-configs")) });

/**
 * A conversation's records; refreshed every few seconds while one is still being created. A record comes only
 * with a new conversation or "Create now" (which refetches), so reopening a conversation within the minute
 * asks nothing.
 */
export const useConversationRecords = (id: string) =>
  useQuery({
    queryKey: [...KEY, "conversation", id],
    queryFn: () => data(client.GET("/api/conversations/{id}/linked-records", { params: { path: { id } } })),
    staleTime: 60_000,
    refetchInterval: (q) => (q.state.data?.records.some((r) => r.status === "pending") ? 3000 : false),
  });

export const useContactRecords = (id: string) =>
  useQuery({
    queryKey: [...KEY, "contact", id],
    queryFn: () => data(client.GET("/api/contacts/{id}/linked-records", { params: { path: { id } } })),
  });

function useChange<A, R>(fn: (arg: A) => Promise<R>, onSuccess?: (r: R) => void) {
  const qc = useQueryClient();
  const { t } = useTranslation();
  return useMutation({
    mutationFn: fn,
    onSuccess: (r) => {
      void qc.invalidateQueries({ queryKey: KEY });
      onSuccess?.(r);
    },
    onError: (err) => showError(t, err),
  });
}

type Scope = { kind: "connections" | "teams"; id: string };

export const useSaveConfig = (onDone?: () => void) =>
  useChange(
    ({ scope, body }: { scope: Scope; body: ConfigBody }) =>
      scope.kind === "connections"
        ? data(
            client.PUT("/api/connections/{id}/linked-record-config", {
              params: { path: { id: scope.id } },
              body,
            }),
          )
        : data(
            client.PUT("/api/teams/{id}/linked-record-config", { params: { path: { id: scope.id } }, body }),
          ),
    onDone,
  );

export const useDeleteConfig = () =>
  useChange((scope: Scope) =>
    scope.kind === "connections"
      ? client.DELETE("/api/connections/{id}/linked-record-config", { params: { path: { id: scope.id } } })
      : client.DELETE("/api/teams/{id}/linked-record-config", { params: { path: { id: scope.id } } }),
  );

export const useCreateNow = () =>
  useChange((conversationId: string) =>
    data(client.POST("/api/conversations/{id}/linked-records", { params: { path: { id: conversationId } } })),
  );
