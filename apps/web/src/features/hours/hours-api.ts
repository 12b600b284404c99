import type { Schedule } from "@parley/protocol/hours";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { client, data } from "../../api/client";
import type { Answer, Body } from "../../api/types";
import { showError } from "../../lib/notify";

export type HoursOverview = Answer<"/api/hours">;
export type AutoReply = Answer<"/api/hours/auto-replies">["replies"][number];

export const hoursKeys = { overview: ["hours"] as const, replies: ["hours", "replies"] as const };

export const useHours = () =>
  useQuery({
    queryKey: hoursKeys.overview,
    queryFn: () => data(client.GET("/api/hours")),
    staleTime: 5 * 60_000,
  });

/** The schedule a conversation's team works to (its own, else the workspace's); null: always open. */
export function scheduleFor(hours: HoursOverview | undefined, teamId: string | null): Schedule | null {
  if (!hours) return null;
  const own = teamId ? hours.teams.find((t) => t.teamId === teamId)?.hours : null;
  const h = own ?? hours.workspace;
  return h ? { timeZone: h.timeZone, weekly: h.weekly, holidays: h.holidays } : null;
}

export type HoursInput = Body<"/api/hours/workspace", "put">;
export type AutoReplyInput = Body<"/api/hours/auto-replies/{connectionId}", "put">;

function useHoursMutation<A>(fn: (a: A) => Promise<unknown>, key: readonly string[], onDone?: () => void) {
  const qc = useQueryClient();
  const { t } = useTranslation();
  return useMutation({
    mutationFn: fn,
    onSuccess: (r) => {
      qc.setQueryData(key, r);
      onDone?.();
    },
    onError: (err) => showError(t, err),
  });
}

/** Saves (body) or removes (null) the workspace's hours (teamId null) or a team's own. */
export const useSaveHours = (onDone?: () => void) =>
  useHoursMutation(
    ({ teamId, body }: { teamId: string | null; body: HoursInput | null }) =>
      teamId
        ? body
          ? data(client.PUT("/api/hours/teams/{teamId}", { params: { path: { teamId } }, body }))
          : data(client.DELETE("/api/hours/teams/{teamId}", { params: { path: { teamId } } }))
        : body
          ? data(client.PUT("/api/hours/workspace", { body }))
          : data(client.DELETE("/api/hours/workspace")),
    hoursKeys.overview,
    onDone,
  );

export const useAutoReplies = () =>
  useQuery({
    queryKey: hoursKeys.replies,
    queryFn: () => data(client.GET("/api/hours/auto-replies")),
  });

export const useSaveAutoReply = (onDone?: () => void) =>
  useHoursMutation(
    ({ connectionId, body }: { connectionId: string; body: AutoReplyInput }) =>
      data(
        client.PUT("/api/hours/auto-replies/{connectionId}", { params: { path: { connectionId } }, body }),
      ),
    hoursKeys.replies,
    onDone,
  );
