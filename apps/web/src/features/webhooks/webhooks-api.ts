import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { client, data } from "../../api/client";
import type { Answer, Body } from "../../api/types";
import { showError } from "../../lib/notify";

export type WebhookEndpoint = Answer<"/api/webhook-endpoints">["endpoints"][number];
export type WebhookDelivery = Answer<"/api/webhook-endpoints/{id}/deliveries">["deliveries"][number];
export type NewEndpoint = Body<"/api/webhook-endpoints", "post">;
export type EndpointChange = Body<"/api/webhook-endpoints/{id}", "patch">;

const KEY = ["webhook-endpoints"] as const;

export const useEndpoints = () =>
  useQuery({ queryKey: KEY, queryFn: () => data(client.GET("/api/webhook-endpoints")) });

/** The delivery log of one endpoint; refreshed every few seconds while shown (pending ones move on). */
export const useDeliveries = (id: string) =>
  useQuery({
    queryKey: [...KEY, id, "deliveries"],
    queryFn: () =>
      data(
        client.GET("/api/webhook-endpoints/{id}/deliveries", {
          params: { path: { id }, query: { limit: 50 } },
        }),
      ),
    refetchInterval: 3000,
  });

/** A change that refreshes the endpoints and their logs after it, and shows a red notice when it fails. */
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

export const useCreateEndpoint = (onCreated: (r: { endpoint: WebhookEndpoint; secret: string }) => void) =>
  useChange((body: NewEndpoint) => data(client.POST("/api/webhook-endpoints", { body })), onCreated);

export const useUpdateEndpoint = (onDone?: () => void) =>
  useChange(
    ({ id, body }: { id: string; body: EndpointChange }) =>
      data(client.PATCH("/api/webhook-endpoints/{id}", { params: { path: { id } }, body })),
    onDone,
  );

export const useDeleteEndpoint = () =>
  useChange((id: string) => client.DELETE("/api/webhook-endpoints/{id}", { params: { path: { id } } }));

export const useRevealSecret = (onSecret: (secret: string) => void) =>
  useChange(
    (id: string) => data(client.POST("/api/webhook-endpoints/{id}/reveal", { params: { path: { id } } })),
    (r) => onSecret(r.secret),
  );

export const useSendTest = () =>
  useChange((id: string) =>
    data(client.POST("/api/webhook-endpoints/{id}/test", { params: { path: { id } } })),
  );

export const useSendAgain = () =>
  useChange(({ id, deliveryId }: { id: string; deliveryId: string }) =>
    data(
      client.POST("/api/webhook-endpoints/{id}/deliveries/{deliveryId}/send-again", {
        params: { path: { id, deliveryId } },
      }),
    ),
  );
