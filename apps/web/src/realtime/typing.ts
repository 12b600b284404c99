import type { ClientFrame, EphemeralSignal } from "@parley/protocol";
import { useEffect, useRef, useSyncExternalStore } from "react";

type Typing = Extract<EphemeralSignal, { type: "typing" }>;
export type Typist = { userId: string | null; contact: boolean };

/** A "typing" that is not refreshed within this time has ended (a closed tab sends no "off"). */
const EXPIRES_MS = 6000;
/** While an agent keeps typing, "on" is repeated this often (and never more often). */
const REPEAT_MS = 3000;
/** No keystroke for this long ends the agent's "typing". */
const IDLE_MS = 4000;

const typing = new Map<string, Map<string, { typist: Typist; timer: ReturnType<typeof setTimeout> }>>();
const snapshots = new Map<string, Typist[]>();
const listeners = new Set<() => void>();
const EMPTY: Typist[] = [];

function changed(conversationId: string) {
  const entries = typing.get(conversationId);
  snapshots.set(conversationId, entries ? [...entries.values()].map((e) => e.typist) : EMPTY);
  for (const fn of listeners) fn();
}

/** Applies a typing signal from the socket: customers and colleagues typing in a conversation. */
export function applyTyping(signal: Typing, me: string) {
  if (signal.userId === me) return;
  const key = signal.contact ? "contact" : (signal.userId ?? "unknown");
  const entries = typing.get(signal.conversationId) ?? new Map();
  const prev = entries.get(key);
  if (prev) clearTimeout(prev.timer);
  if (signal.on) {
    const timer = setTimeout(() => applyTyping({ ...signal, on: false }, me), EXPIRES_MS);
    entries.set(key, { typist: { userId: signal.userId, contact: signal.contact }, timer });
    typing.set(signal.conversationId, entries);
  } else {
    if (!prev) return;
    entries.delete(key);
    if (!entries.size) typing.delete(signal.conversationId);
  }
  changed(signal.conversationId);
}

/** Who is typing in a conversation now (the customer and colleagues, never oneself). */
export function useTyping(conversationId: string): Typist[] {
  return useSyncExternalStore(
    (fn) => {
      listeners.add(fn);
      return () => {
        listeners.delete(fn);
      };
    },
    () => snapshots.get(conversationId) ?? EMPTY,
  );
}

/**
 * Tells the customer (where the channel shows it, e.g. the website widget) and colleagues that this agent is
 * typing: `keystroke()` on every change of the reply text, `stop()` when it is sent or the composer is left.
 * At most one frame every few seconds, however fast the agent types.
 */
export function useTypingSender(conversationId: string, send: (frame: ClientFrame) => void) {
  const state = useRef<{ lastOn: number; idle: ReturnType<typeof setTimeout> | null }>({
    lastOn: 0,
    idle: null,
  });
  const stop = () => {
    const s = state.current;
    if (s.idle) clearTimeout(s.idle);
    s.idle = null;
    if (s.lastOn === 0) return;
    s.lastOn = 0;
    send({ type: "typing", conversationId, on: false });
  };
  const keystroke = () => {
    const s = state.current;
    const now = Date.now();
    if (now - s.lastOn >= REPEAT_MS) {
      s.lastOn = now;
      send({ type: "typing", conversationId, on: true });
    }
    if (s.idle) clearTimeout(s.idle);
    s.idle = setTimeout(stop, IDLE_MS);
  };
  // Leaving the conversation ends the typing there.
  // biome-ignore lint/correctness/useExhaustiveDependencies: stop reads refs only; runs per conversation
  useEffect(() => stop, [conversationId]);
  return { keystroke, stop };
}
