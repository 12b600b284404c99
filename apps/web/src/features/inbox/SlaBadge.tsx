import { Badge } from "@mantine/core";
import { IconClock } from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import type { TFunction } from "i18next";
import { useSyncExternalStore } from "react";
import { useTranslation } from "react-i18next";
import { scheduleFor, useHours } from "../hours/hours-api";

/**
 * One clock for every waiting label: a single timer ticks for all rows (every 15 s), so labels change
 * colour as the wait grows without a refetch and without a timer per row.
 */
const clock = {
  now: Date.now(),
  listeners: new Set<() => void>(),
  timer: null as ReturnType<typeof setInterval> | null,
};
function subscribe(fn: () => void) {
  clock.listeners.add(fn);
  if (!clock.timer)
    clock.timer = setInterval(() => {
      clock.now = Date.now();
      for (const l of clock.listeners) l();
    }, 15_000);
  return () => {
    clock.listeners.delete(fn);
    if (!clock.listeners.size && clock.timer) {
      clearInterval(clock.timer);
      clock.timer = null;
    }
  };
}
export const useNow = () => useSyncExternalStore(subscribe, () => clock.now);

export function waitText(t: TFunction, minutes: number): string {
  if (minutes >= 1440)
    return t("duration.dh", { d: Math.floor(minutes / 1440), h: Math.floor((minutes % 1440) / 60) });
  if (minutes >= 60) return t("duration.hm", { h: Math.floor(minutes / 60), m: minutes % 60 });
  return t("duration.m", { m: minutes });
}

type WorkingMs = typeof import("@parley/protocol/hours").workingMs;

/**
 * The working-time maths (and the time-zone library it needs) loads on demand, and only when business
 * hours are set: without them a wait is plain elapsed time, and the inbox's first paint does not wait for
 * it. Null while it loads.
 */
function useWorkingMs(needed: boolean): WorkingMs | null {
  const maths = useQuery({
    queryKey: ["hours-maths"],
    queryFn: () => import("@parley/protocol/hours").then((m) => ({ workingMs: m.workingMs })),
    enabled: needed,
    staleTime: Number.POSITIVE_INFINITY,
    gcTime: Number.POSITIVE_INFINITY,
  });
  return maths.data?.workingMs ?? null;
}

/** The colour of a wait against the workspace's limits (R107). */
export function slaLevel(minutes: number, sla: { yellow: number | null; red: number | null }) {
  if (sla.red !== null && minutes >= sla.red) return "red" as const;
  if (sla.yellow !== null && minutes >= sla.yellow) return "yellow" as const;
  return "green" as const;
}

/**
 * How long the customer has been waiting for an answer, coloured by the time limits. With business hours
 * set, only working time counts (the team's hours, else the workspace's).
 */
export function SlaBadge({
  since,
  sla,
  teamId = null,
}: {
  since: string;
  sla: { yellow: number | null; red: number | null };
  teamId?: string | null;
}) {
  const { t } = useTranslation();
  const now = useNow();
  const hours = useHours();
  const schedule = scheduleFor(hours.data, teamId);
  const workingMs = useWorkingMs(schedule !== null);
  const from = Date.parse(since);
  // With hours set, the label waits for the maths rather than show elapsed time that may be wrong.
  if (schedule && !workingMs) return null;
  const elapsed = schedule && workingMs ? workingMs(schedule, from, now) : now - from;
  const minutes = Math.max(0, Math.floor(elapsed / 60_000));
  const level = slaLevel(minutes, sla);
  const text = waitText(t, minutes);
  return (
    <Badge
      size="xs"
      variant={level === "green" ? "light" : "filled"}
      color={level === "yellow" ? "yellow.6" : level}
      leftSection={<IconClock size={10} />}
      data-testid="sla-badge"
      data-level={level}
      aria-label={t("sla.waiting", { time: text })}
      style={{ flexShrink: 0 }}
    >
      {text}
    </Badge>
  );
}
