import crypto from "node:crypto";
import type { DomainEvent, Permission } from "@parley/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../db/client";
import type { Actor, EventAudience } from "../domain/permissions";
import { MemoryBus } from "../events/bus";
import type { StoredEvent } from "../events/store";
import { openTestDb } from "../testing/db";
import { eventually } from "../testing/eventually";
import { RealtimeHub, type RealtimeSocket } from "./hub";

let testDb: Awaited<ReturnType<typeof openTestDb>>;
beforeAll(async () => {
  testDb = await openTestDb();
});
afterAll(() => testDb.close());

/** A socket that keeps the sequence numbers of every event it is sent, frame after frame. */
class RecordingSocket implements RealtimeSocket {
  readonly seqs: number[] = [];
  frames = 0;
  readonly bufferedAmount = 0;
  send(data: Buffer) {
    const frame = JSON.parse(data.toString()) as {
      type: string;
      event?: DomainEvent;
      events?: DomainEvent[];
    };
    if (frame.type === "hello") return;
    this.frames++;
    for (const e of frame.events ?? (frame.event ? [frame.event] : [])) this.seqs.push(e.seq);
  }
  close() {}
}

const TEAMS = 7;
const SOCKETS = 120;
const EVENTS = 400;

describe("the hub's fan-out in slices", () => {
  it("gives every socket each event it may see, in sequence, and none of the others", async () => {
    const db: Db = testDb.db;
    const bus = new MemoryBus();
    const errors: unknown[] = [];
    // Slices of 0 ms: the fan-out yields to the event loop after every socket.
    const hub = new RealtimeHub(
      db,
      bus,
      (err) => errors.push(err),
      async () => null,
      0,
    );
    const workspaceId = crypto.randomUUID();
    const teams = Array.from({ length: TEAMS }, () => crypto.randomUUID());
    const actors: Actor[] = Array.from({ length: SOCKETS }, (_, i) => ({
      userId: crypto.randomUUID(),
      workspaceId,
      // Socket 0 sees every conversation; the others are agents of one team each.
      role: i === 0 ? "owner" : "agent",
      teamIds: i === 0 ? [] : [teams[i % TEAMS]!],
      permissions: i === 0 ? (["conversations.view_all"] as Permission[]) : [],
    }));
    const sockets = actors.map(() => new RecordingSocket());
    const detach = await Promise.all(
      actors.map((a, i) => hub.attach(sockets[i]!, { ...a, sessionId: crypto.randomUUID() }, null)),
    );
    // Event n: in team n's queue; every fifth is assigned to agent n instead (for them alone, the owner aside),
    // every seventh is meant for agents 1 and 2 only.
    const audienceOf = (n: number): EventAudience => {
      if (n % 7 === 0) return { userIds: [actors[1]!.userId, actors[2]!.userId] };
      const assignee = n % 5 === 0 ? actors[n % SOCKETS]!.userId : null;
      const teamId = teams[n % TEAMS]!;
      return { conversation: { workspaceId, assigneeId: assignee, operatorIds: [], teamId } };
    };
    const allows = (socket: number, n: number) => {
      if (n % 7 === 0) return socket === 1 || socket === 2;
      if (socket === 0) return true;
      if (n % 5 === 0) return socket === n % SOCKETS;
      return socket % TEAMS === n % TEAMS;
    };
    const event = (n: number): StoredEvent => ({
      event: { type: "conversation.updated", seq: n, workspaceId, at: "" } as unknown as DomainEvent,
      audience: audienceOf(n),
    });
    // Runs of 1 to 40 events (past the 30 a bit mask keys), some published in reverse order.
    let seq = 0;
    let first = true;
    while (seq < EVENTS) {
      const size = Math.min(EVENTS - seq, 1 + ((seq * 7) % 40));
      const run = Array.from({ length: size }, (_, k) => event(seq + k + 1));
      seq += size;
      bus.publish(seq % 3 === 0 ? run.reverse() : run);
      if (first) {
        // One turn of the event loop later, the first run has reached some sockets and not yet the others.
        first = false;
        await new Promise((r) => setImmediate(r));
        const reached = sockets.filter((s) => s.frames > 0).length;
        expect(reached).toBeGreaterThan(0);
        expect(reached).toBeLessThan(SOCKETS);
      }
    }
    const expected = sockets.map((_, i) =>
      Array.from({ length: EVENTS }, (_, k) => k + 1).filter((n) => allows(i, n)),
    );
    // Once each socket has the last event meant for it, it has been offered everything.
    await eventually(() => sockets.every((s, i) => s.seqs.at(-1) === expected[i]!.at(-1)), {
      what: "every socket's last event",
    });
    for (const [i, socket] of sockets.entries()) expect(socket.seqs, `socket ${i}`).toEqual(expected[i]);
    expect(errors).toEqual([]);
    for (const d of detach) d();
    hub.stop();
  });

  it("writes nothing more to a socket that left while a broadcast was under way", async () => {
    const bus = new MemoryBus();
    const hub = new RealtimeHub(
      testDb.db,
      bus,
      () => {},
      async () => null,
      0,
    );
    const workspaceId = crypto.randomUUID();
    const sockets = Array.from({ length: 20 }, () => new RecordingSocket());
    const detach = await Promise.all(
      sockets.map((s) =>
        hub.attach(
          s,
          {
            userId: crypto.randomUUID(),
            workspaceId,
            role: "owner",
            teamIds: [],
            permissions: ["conversations.view_all"],
            sessionId: crypto.randomUUID(),
          },
          null,
        ),
      ),
    );
    const events = Array.from({ length: 3 }, (_, k) => ({
      event: { type: "conversation.updated", seq: k + 1, workspaceId, at: "" } as unknown as DomainEvent,
      audience: {},
    }));
    bus.publish(events);
    detach[19]!();
    await eventually(() => sockets[18]!.seqs.length === 3, { what: "the broadcast at socket 18" });
    expect(sockets[0]!.seqs).toEqual([1, 2, 3]);
    expect(sockets[19]!.seqs).toEqual([]);
    hub.stop();
  });
});
