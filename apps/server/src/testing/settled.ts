import type { AgentNotification } from "@parley/protocol";
import { expect } from "vitest";
import { transact } from "../context";
import type { Server } from "../server";
import { eventually } from "./eventually";
import type { SocketClient } from "./harness";

/**
 * Waits until every job due by the server's clock has run and decided (done, dead, or waiting for a later
 * time) and none is running: what the background would do with the work so far, it has done. The positive
 * signal to wait for before asserting that something was not sent.
 */
export async function jobsSettled(server: Server) {
  const { db, clock } = server.ctx;
  await eventually(
    async () => {
      const busy = await db.query<{ type: string; status: string }>(
        "select type, status from jobs where (status = 'pending' and run_at <= $1) or status = 'running'",
        [clock.now()],
      );
      expect(busy, "jobs due or running").toEqual([]);
      return true;
    },
    { what: "the jobs to settle" },
  );
}

let barriers = 0;

/**
 * Commits one event every user of the workspace may see, after everything committed so far in it, and
 * waits until every socket has it. The hub delivers a workspace's events in sequence order, so a socket
 * that has the barrier has been offered every earlier event: what it has not received by then, it never
 * will. The barrier is a `notification.created` of kind "barrier", which no test looks for otherwise.
 */
export async function socketsPast(server: Server, workspaceId: string, sockets: SocketClient[]) {
  const id = `barrier-${process.pid}-${++barriers}`;
  await transact(server.ctx, async (tx) => {
    tx.emit(workspaceId, {
      type: "notification.created",
      notification: { id, kind: "barrier" } as unknown as AgentNotification,
      audience: {},
    });
  });
  await Promise.all(
    sockets.map((s) => s.waitForEvent("notification.created", (e) => e.notification.id === id, 10_000)),
  );
}
