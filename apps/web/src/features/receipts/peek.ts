import { useSyncExternalStore } from "react";

/**
 * "Peek" mode (R303): a supervisor opens conversations without marking them read, so the team's "seen by"
 * and unread counts stay as the agents left them. Kept per tab for the session.
 */
const KEY = "parley.peek";
const listeners = new Set<() => void>();
let peeking = typeof sessionStorage !== "undefined" && sessionStorage.getItem(KEY) === "1";

export const isPeeking = () => peeking;

export function setPeeking(on: boolean) {
  peeking = on;
  if (on) sessionStorage.setItem(KEY, "1");
  else sessionStorage.removeItem(KEY);
  for (const fn of listeners) fn();
}

export const usePeeking = () =>
  useSyncExternalStore(
    (fn) => {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    isPeeking,
    isPeeking,
  );
