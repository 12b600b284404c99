import { Box, Tooltip } from "@mantine/core";
import { useIdle } from "@mantine/hooks";
import type { Presence } from "@parley/protocol";
import { useQuery } from "@tanstack/react-query";
import { useEffect, useSyncExternalStore } from "react";
import { useTranslation } from "react-i18next";
import { client, data } from "../../api/client";
import { presenceKey } from "./presence-cache";

/** After this long without input the agent shows as away. */
const IDLE_MS = 5 * 60_000;
const STORAGE_KEY = "parley.presence";

/** Colleagues' presence: loaded once, then kept current by `presence.changed` signals on the socket. */
export const usePresenceMap = () =>
  useQuery({
    queryKey: presenceKey,
    queryFn: () => data(client.GET("/api/presence")).then((r) => r.presence),
    staleTime: Number.POSITIVE_INFINITY,
  });

/** One person's presence: online, away or offline. */
export function usePresence(userId: string | null | undefined): Presence {
  const map = usePresenceMap();
  return (userId && map.data?.[userId]) || "offline";
}

const COLORS: Record<Presence, string> = {
  online: "var(--mantine-color-green-6)",
  away: "var(--mantine-color-yellow-5)",
  offline: "var(--mantine-color-gray-4)",
};

/** A small coloured dot with the presence as its accessible name; put it next to a name or on an avatar. */
export function PresenceDot({ userId, size = 10 }: { userId: string | null | undefined; size?: number }) {
  const { t } = useTranslation();
  const presence = usePresence(userId);
  const label = t(`account.presence.${presence}`);
  return (
    <Tooltip label={label} withinPortal>
      <Box
        component="span"
        role="img"
        aria-label={label}
        data-presence={presence}
        data-testid={`presence-${userId ?? "none"}`}
        style={{
          display: "inline-block",
          width: size,
          height: size,
          borderRadius: "50%",
          background: COLORS[presence],
          border: "2px solid var(--mantine-color-body)",
          boxSizing: "content-box",
          flexShrink: 0,
        }}
      />
    </Tooltip>
  );
}

// What this tab reports on its socket: the agent's choice ("away", or "auto": online unless idle) and
// whether the agent is idle. The socket subscribes and sends a frame whenever the result changes.
type Choice = "auto" | "away";
let choice: Choice = (localStorage.getItem(STORAGE_KEY) as Choice | null) === "away" ? "away" : "auto";
let idle = false;
const listeners = new Set<() => void>();
const notify = () => {
  for (const l of listeners) l();
};

export const presenceState = {
  /** The state this tab reports. */
  current: (): "online" | "away" => (choice === "away" || idle ? "away" : "online"),
  choice: () => choice,
  subscribe(fn: () => void) {
    listeners.add(fn);
    return () => {
      listeners.delete(fn);
    };
  },
  setChoice(next: Choice) {
    choice = next;
    localStorage.setItem(STORAGE_KEY, next);
    notify();
  },
  setIdle(next: boolean) {
    if (idle === next) return;
    idle = next;
    notify();
  },
};

/** The agent's own choice, for the header's control. */
export const usePresenceChoice = () => useSyncExternalStore(presenceState.subscribe, presenceState.choice);

/** Watches input: after IDLE_MS without any the tab reports away; mount once per page. */
export function useIdleReporter() {
  const isIdle = useIdle(IDLE_MS, { initialState: false });
  useEffect(() => presenceState.setIdle(isIdle), [isIdle]);
}
