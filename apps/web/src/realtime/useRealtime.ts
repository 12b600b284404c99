import type { ClientFrame } from "@parley/protocol";
import { type QueryClient, useQueryClient } from "@tanstack/react-query";
import { useEffect, useSyncExternalStore } from "react";
import { RealtimeConnection, type SocketState } from "./socket";

/** How long the socket outlives its last page: moving between pages keeps it (and the agent's presence). */
const GRACE_MS = 3000;

let shared: { conn: RealtimeConnection; qc: QueryClient; userId: string; users: number } | null = null;
let stopTimer: ReturnType<typeof setTimeout> | null = null;
/** Pages watching the socket's state, whichever connection is current. */
const watchers = new Set<() => void>();
const notify = () => {
  for (const w of watchers) w();
};

function acquire(qc: QueryClient, userId: string): RealtimeConnection {
  if (stopTimer) clearTimeout(stopTimer);
  stopTimer = null;
  if (shared && (shared.qc !== qc || shared.userId !== userId)) {
    shared.conn.stop();
    shared = null;
  }
  if (!shared) {
    shared = { conn: new RealtimeConnection(qc, userId), qc, userId, users: 0 };
    shared.conn.subscribe(notify);
    shared.conn.start();
    notify();
  }
  shared.users++;
  return shared.conn;
}

function release(conn: RealtimeConnection) {
  if (!shared || shared.conn !== conn) return;
  shared.users--;
  if (shared.users > 0) return;
  stopTimer = setTimeout(() => {
    if (shared?.conn === conn && shared.users === 0) {
      conn.stop();
      shared = null;
    }
  }, GRACE_MS);
}

/**
 * The one agent socket, shared by every signed-in page (the inbox and the settings pages alike), so the agent
 * stays online while moving between pages; returns its state for the header.
 */
export function useRealtime(userId: string): SocketState {
  const qc = useQueryClient();
  // Acquired in the effect (not during render), so a render that is thrown away opens nothing.
  useEffect(() => {
    const conn = acquire(qc, userId);
    return () => release(conn);
  }, [qc, userId]);
  return useSyncExternalStore(
    (fn) => {
      watchers.add(fn);
      return () => {
        watchers.delete(fn);
      };
    },
    () => shared?.conn.state ?? "connecting",
  );
}

/** Sends an ephemeral frame (typing) on the shared socket, if one is open. */
export function sendFrame(frame: ClientFrame) {
  shared?.conn.send(frame);
}
