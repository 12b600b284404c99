import type { Presence } from "@parley/protocol";
import type { QueryClient } from "@tanstack/react-query";
import { patchQueries } from "../../api/patch";
import type { Answer } from "../../api/types";

/** Colleagues' presence as the cache holds it (`usePresenceMap` loads it, the socket's signals change it). */
export const presenceKey = ["presence"] as const;
export type PresenceMap = Answer<"/api/presence">["presence"];

/** Applies a `presence.changed` signal to the cache, also to the answer of a load under way (see patchQueries). */
export function applyPresence(qc: QueryClient, userId: string, presence: Presence) {
  patchQueries<PresenceMap>(qc, { queryKey: presenceKey, exact: true }, (cur) => {
    const next = { ...cur };
    if (presence === "offline") delete next[userId];
    else next[userId] = presence;
    return next;
  });
}
