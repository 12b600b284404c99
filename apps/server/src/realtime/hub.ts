import { type EphemeralSignal, LIMITS, type ServerFrame } from "@parley/protocol";
import type { Db } from "../db/client";
import { type Actor, canReceive, type EventAudience } from "../domain/permissions";
import type { AccessChange, EventBus } from "../events/bus";
import { currentSeq, readEvents, type StoredEvent } from "../events/store";
import { ChunkedFanout, FANOUT_SLICE_MS } from "./fanout";
import { encode, FrameCache } from "./frames";

/** What the hub needs of a socket. */
export interface RealtimeSocket {
  send(data: Buffer, options: { binary: false }): void;
  close(code: number, reason: string): void;
  readonly bufferedAmount: number;
}

interface Client {
  socket: RealtimeSocket;
  actor: Actor;
  sessionId: string;
  /** While a reconnecting client replays its backlog, live events wait here. */
  queue: StoredEvent[] | null;
  lastSent: number;
}

interface WorkspaceState {
  clients: Set<Client>;
  /** `clients` as an array for the fan-out, rebuilt after a socket comes or goes. */
  targets: Client[] | null;
  /** Highest seq delivered to this workspace's sockets; null until read from the database. */
  lastSeq: number | null;
  /** Events waiting for an earlier seq (a gap is being filled from the log). */
  waiting: StoredEvent[];
  filling: boolean;
  ready: Promise<void>;
}

/** A session's caller as of now; `twoFactorEnrolmentRequired`: they must set up two-factor sign-in first. */
export type Reauthorized = Actor & { twoFactorEnrolmentRequired?: boolean };

const MAX_BUFFERED = 8 * 1024 * 1024;
const CATCH_UP_PAGE = 500;
/** After a failed read of missing events (the database unreachable), the next try. */
const GAP_RETRY_MS = 1_000;

/**
 * Delivers committed domain events to the agents' sockets, in sequence order per workspace, each to the
 * sockets whose user may see it. An event that arrives ahead of an earlier one (two commits finishing in
 * another order, or another process's event) makes the hub read the missing ones from the log first, so no
 * socket ever sees a gap it could resume past. Each event is serialised once, whatever the socket count, and
 * the writes go out in slices that yield to the event loop (`ChunkedFanout`), in order per socket.
 */
export class RealtimeHub {
  private readonly workspaces = new Map<string, WorkspaceState>();
  private readonly unsubscribe: () => void;
  private readonly unsubscribeSignals: () => void;
  private readonly unsubscribeAccess: () => void;
  private readonly unsubscribeResume: () => void;
  private readonly fanout: ChunkedFanout<Client>;

  /**
   * @param reauthorize a session's caller as of now (new role, rights and teams), or null when the session
   *   ended or its user was deactivated.
   * @param fanoutSliceMs how long one slice of the fan-out may hold the event loop (tests make it 0: one socket
   *   per turn).
   */
  constructor(
    private readonly db: Db,
    bus: EventBus,
    private readonly onError: (err: unknown) => void,
    private readonly reauthorize: (sessionId: string) => Promise<Reauthorized | null>,
    fanoutSliceMs = FANOUT_SLICE_MS,
  ) {
    this.fanout = new ChunkedFanout(onError, fanoutSliceMs);
    this.unsubscribe = bus.subscribe((events) => this.receive(events));
    this.unsubscribeSignals = bus.onSignal(({ workspaceId, audience, signal }) =>
      this.deliverSignal(workspaceId, audience, signal),
    );
    this.unsubscribeAccess = bus.onAccess((change) => {
      this.recheck(change).catch(this.onError);
    });
    this.unsubscribeResume = bus.onResume(() => this.resume());
  }

  stop() {
    this.unsubscribe();
    this.unsubscribeSignals();
    this.unsubscribeAccess();
    this.unsubscribeResume();
    this.fanout.stop();
    for (const state of this.workspaces.values()) {
      for (const c of state.clients) c.socket.close(1012, "server restarting");
    }
    this.workspaces.clear();
  }

  /** The longest slice of the fan-out of events to the sockets since the last call (ms); resets it. */
  takeLongestFanout(): number {
    return this.fanout.takeLongest();
  }

  clientCount(): number {
    let n = 0;
    for (const s of this.workspaces.values()) n += s.clients.size;
    return n;
  }

  /** Adds a socket. With `since`, first replays every event after it that the user may see. */
  async attach(
    socket: RealtimeSocket,
    actor: Actor & { sessionId: string },
    since: number | null,
  ): Promise<() => void> {
    const state = await this.stateFor(actor.workspaceId);
    const client: Client = {
      socket,
      actor,
      sessionId: actor.sessionId,
      queue: since === null ? null : [],
      lastSent: since ?? 0,
    };
    state.clients.add(client);
    state.targets = null;
    const detach = () => {
      state.clients.delete(client);
      state.targets = null;
      if (state.clients.size === 0 && this.workspaces.get(actor.workspaceId) === state)
        this.workspaces.delete(actor.workspaceId);
    };
    if (since === null) {
      client.lastSent = state.lastSeq ?? 0;
      this.sendFrame(client, {
        type: "hello",
        userId: actor.userId,
        workspaceId: actor.workspaceId,
        lastSeq: client.lastSent,
      });
      return detach;
    }
    try {
      await this.replay(client, state, since);
    } catch (err) {
      this.onError(err);
      socket.close(1011, "could not replay missed events");
    }
    return detach;
  }

  /** Delivers an ephemeral signal (typing…) from the bus to the connected users in its audience. */
  private deliverSignal(workspaceId: string, audience: EventAudience, signal: EphemeralSignal) {
    const state = this.workspaces.get(workspaceId);
    if (!state) return;
    const frame = encode({ type: "signal", signal });
    // A typist does not get their own typing back.
    const from = signal.type === "typing" ? signal.userId : null;
    for (const c of state.clients) {
      if (c.actor.userId !== from && canReceive(c.actor, audience)) this.write(c, frame);
    }
  }

  /**
   * Re-checks the sockets an access change names (every socket of the workspace when it names none): a
   * socket whose session ended is closed (4001), one whose person must first set up the two-factor sign-in
   * their role now requires is closed with 4003 (R802), the others carry on with the caller's new rights and
   * are told to fetch them (an `access` frame). Events are filtered with the new rights from the next one on.
   */
  private async recheck(change: AccessChange) {
    const state = this.workspaces.get(change.workspaceId);
    if (!state) return;
    const everyone = !change.userIds && !change.sessionIds;
    const matched = [...state.clients].filter(
      (c) => everyone || change.userIds?.includes(c.actor.userId) || change.sessionIds?.includes(c.sessionId),
    );
    const sessions = new Map<string, Promise<Reauthorized | null>>();
    for (const c of matched) {
      if (!sessions.has(c.sessionId)) sessions.set(c.sessionId, this.reauthorize(c.sessionId));
    }
    for (const c of matched) {
      const actor = await sessions.get(c.sessionId)!;
      if (!state.clients.has(c)) continue;
      if (!actor) {
        c.socket.close(4001, "session ended");
        continue;
      }
      if (actor.twoFactorEnrolmentRequired) {
        c.socket.close(4003, "two-factor enrolment required");
        continue;
      }
      c.actor = actor;
      this.sendFrame(c, { type: "access" });
    }
  }

  /**
   * The bus is back after being down: what other processes committed meanwhile was not announced, so each
   * workspace reads the log after the last event it delivered (the drain delivers them in order and drops
   * what arrives twice); the access changes sent meanwhile were lost too, so every socket is re-checked.
   */
  private resume() {
    for (const [workspaceId, state] of this.workspaces) {
      this.catchUp(workspaceId, state).catch(this.onError);
      this.recheck({ workspaceId }).catch(this.onError);
    }
  }

  private async catchUp(workspaceId: string, state: WorkspaceState) {
    await state.ready;
    let after = state.lastSeq ?? 0;
    for (;;) {
      // The workspace's sequence lock orders commits: the log holds every event up to the newest one read.
      const page = await readEvents(this.db, workspaceId, after, CATCH_UP_PAGE);
      if (page.length === 0 || this.workspaces.get(workspaceId) !== state) return;
      state.waiting.push(...page);
      this.drain(workspaceId, state);
      after = page.at(-1)!.event.seq;
      if (page.length < CATCH_UP_PAGE) return;
    }
  }

  private async stateFor(workspaceId: string): Promise<WorkspaceState> {
    let state = this.workspaces.get(workspaceId);
    if (!state) {
      const created: WorkspaceState = {
        clients: new Set(),
        targets: null,
        lastSeq: null,
        waiting: [],
        filling: true,
        ready: Promise.resolve(),
      };
      created.ready = currentSeq(this.db, workspaceId).then(
        (seq) => {
          // Events that arrived meanwhile wait in `waiting`; those at or below seq are already in the log.
          created.lastSeq = seq;
          created.filling = false;
          this.drain(workspaceId, created);
        },
        (err) => {
          this.workspaces.delete(workspaceId);
          throw err;
        },
      );
      this.workspaces.set(workspaceId, created);
      state = created;
    }
    await state.ready;
    return state;
  }

  private async replay(client: Client, state: WorkspaceState, since: number) {
    const upTo = state.lastSeq ?? 0;
    const resync = () => {
      // Too much, or no longer in the log (pruned), or a seq from the future: the client reloads from the API.
      const queued = client.queue ?? [];
      client.queue = null;
      client.lastSent = upTo;
      this.sendFrame(client, { type: "resync_required", lastSeq: upTo });
      this.deliverTo(client, queued, new FrameCache(queued));
    };
    if (upTo - since > LIMITS.resumeBacklogMax || since > upTo) return resync();
    const first = since < upTo ? await readEvents(this.db, client.actor.workspaceId, since, 1, upTo) : [];
    if (since < upTo && first[0]?.event.seq !== since + 1) return resync();
    this.sendFrame(client, {
      type: "hello",
      userId: client.actor.userId,
      workspaceId: client.actor.workspaceId,
      lastSeq: since,
    });
    let after = since;
    while (after < upTo) {
      const page = await readEvents(this.db, client.actor.workspaceId, after, 500, upTo);
      if (page.length === 0) break;
      this.deliverTo(client, page, new FrameCache(page));
      after = page.at(-1)!.event.seq;
    }
    client.lastSent = Math.max(client.lastSent, upTo);
    const queued = client.queue ?? [];
    client.queue = null;
    this.deliverTo(client, queued, new FrameCache(queued));
  }

  private receive(events: StoredEvent[]) {
    for (const e of events) {
      const state = this.workspaces.get(e.event.workspaceId);
      if (!state) continue; // nobody of this workspace is connected here
      state.waiting.push(e);
    }
    const touched = new Set(events.map((e) => e.event.workspaceId));
    for (const ws of touched) {
      const state = this.workspaces.get(ws);
      if (state) this.drain(ws, state);
    }
  }

  /** Delivers waiting events in order; on a gap, reads the missing events from the log first. */
  private drain(workspaceId: string, state: WorkspaceState) {
    if (state.filling || state.lastSeq === null) return;
    state.waiting.sort((a, b) => a.event.seq - b.event.seq);
    while (state.waiting.length > 0) {
      const next = state.waiting[0]!;
      if (next.event.seq <= state.lastSeq) {
        state.waiting.shift();
        continue;
      }
      if (next.event.seq > state.lastSeq + 1) {
        // The missing events committed before this one (the workspace's sequence lock orders commits),
        // so the log has them now.
        state.filling = true;
        const from = state.lastSeq;
        readEvents(this.db, workspaceId, from, next.event.seq - from - 1, next.event.seq - 1).then(
          (missing) => {
            const fresh = missing.filter((m) => m.event.seq > (state.lastSeq ?? 0));
            if (fresh.length) {
              state.lastSeq = fresh.at(-1)!.event.seq;
              this.broadcast(state, fresh);
            }
            // Whatever the log could not give (pruned) is skipped rather than stalling the stream.
            state.lastSeq = Math.max(state.lastSeq ?? 0, next.event.seq - 1);
            state.filling = false;
            this.drain(workspaceId, state);
          },
          (err) => {
            // The database did not answer: nothing is skipped; the read is tried again a moment later.
            this.onError(err);
            state.filling = false;
            setTimeout(() => {
              if (this.workspaces.get(workspaceId) === state) this.drain(workspaceId, state);
            }, GAP_RETRY_MS).unref();
          },
        );
        return;
      }
      // Everything contiguous from here goes out together: one frame per socket for a whole commit.
      const run: StoredEvent[] = [];
      while (state.waiting.length > 0 && state.waiting[0]!.event.seq === state.lastSeq + 1) {
        const e = state.waiting.shift()!;
        state.lastSeq = e.event.seq;
        run.push(e);
      }
      this.broadcast(state, run);
    }
  }

  /**
   * Queues the events for the workspace's sockets of this moment; the fan-out writes them after the broadcasts
   * queued before, a slice of sockets at a time. A socket that left meanwhile is skipped; one that came meanwhile
   * was told a `lastSeq` past these events, or replays them from the log.
   */
  private broadcast(state: WorkspaceState, events: StoredEvent[]) {
    state.targets ??= [...state.clients];
    const frames = new FrameCache(events);
    this.fanout.push(state.targets, (c) => {
      if (!state.clients.has(c)) return;
      if (c.queue) c.queue.push(...events);
      else this.deliverTo(c, events, frames);
    });
  }

  /** Sends a client the events of `frames` it may see and has not had yet, as one frame. */
  private deliverTo(c: Client, events: readonly StoredEvent[], frames: FrameCache) {
    const last = events.at(-1);
    if (!last) return;
    const frame = frames.forActor(c.actor, c.lastSent);
    c.lastSent = Math.max(c.lastSent, last.event.seq);
    if (frame) this.write(c, frame);
  }

  private sendFrame(c: Client, frame: ServerFrame) {
    this.write(c, encode(frame));
  }

  private write(c: Client, data: Buffer) {
    if (c.socket.bufferedAmount > MAX_BUFFERED) {
      // A client that cannot keep up is dropped; it reconnects and resumes from its last seq.
      c.socket.close(1013, "too slow: reconnect and resume");
      return;
    }
    try {
      c.socket.send(data, { binary: false });
    } catch (err) {
      this.onError(err);
    }
  }
}
