import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import { client, data } from "../../api/client";
import type { Answer, Body } from "../../api/types";
import { showError } from "../../lib/notify";

export type BotSettings = Answer<"/api/bots/settings">["bots"][number];
export type BotCredentials = Answer<"/api/bots", "post">;
export type NewBot = Body<"/api/bots", "post">;

const KEY = ["bots"] as const;

/** Names and avatars of the workspace's bots (the feed, the assign menu). */
export const useBotNames = () =>
  useQuery({ queryKey: [...KEY, "names"], queryFn: () => data(client.GET("/api/bots")), staleTime: 60_000 });

export const useBotSettings = () =>
  useQuery({ queryKey: [...KEY, "settings"], queryFn: () => data(client.GET("/api/bots/settings")) });

export const useBotReport = (enabled: boolean) =>
  useQuery({ queryKey: [...KEY, "report"], queryFn: () => data(client.GET("/api/bots/report")), enabled });

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

export const useCreateBot = (onCreated: (r: BotCredentials) => void) =>
  useChange((body: NewBot) => data(client.POST("/api/bots", { body })), onCreated);

export const useUpdateBot = (onDone?: () => void) =>
  useChange(
    ({ id, body }: { id: string; body: Body<"/api/bots/{id}", "patch"> }) =>
      data(client.PATCH("/api/bots/{id}", { params: { path: { id } }, body })),
    onDone,
  );

export const useDeleteBot = () =>
  useChange((id: string) => client.DELETE("/api/bots/{id}", { params: { path: { id } } }));

export const useRenewBot = (onRenewed: (r: BotCredentials) => void) =>
  useChange(
    (id: string) => data(client.POST("/api/bots/{id}/credentials", { params: { path: { id } } })),
    onRenewed,
  );

/** Hands a conversation to a bot, or (null) takes it back. */
export const useAssignBot = () =>
  useChange(({ conversationId, botId }: { conversationId: string; botId: string | null }) =>
    data(
      client.PUT("/api/conversations/{id}/bot", {
        params: { path: { id: conversationId } },
        body: { botId },
      }),
    ),
  );

/** The feed's line for a bot event: handed to a bot, or handed over by it (with the reason). */
export function botEventText(t: TFunction, e: Record<string, unknown>, by: string): string {
  const bot = typeof e.botName === "string" ? e.botName : t("bots.feed.unknownBot");
  if (e.kind === "bot_assigned") return t("bots.feed.assigned", { by, bot });
  const reason = e.reason === "api" || e.reason === "keyword" || e.reason === "timeout" ? e.reason : "agent";
  return t("bots.feed.handedOver", { bot, reason: t(`bots.reasons.${reason}`) });
}
