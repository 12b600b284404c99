import type { Schedule } from "@parley/protocol/hours";
import { useQuery } from "@tanstack/react-query";
import { client, data } from "../../api/client";
import type { Answer } from "../../api/types";

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
