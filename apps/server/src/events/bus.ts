import crypto from "node:crypto";
import type { Db, Queryable } from "../db/client";
import { readEvents, type StoredEvent } from "./store";

export type BusHandler = (events: StoredEvent[]) => void;

/**
 * Carries committed events to every server process. In one process it is a direct call; with several
 * processes on one PostgreSQL, a NOTIFY is sent inside the writing transaction (so it is delivered only if,
 * and after, the transaction commits) and the other processes read the events from the log.
 */
export interface EventBus {
  /** Inside the writing transaction, before commit. */
  beforeCommit(q: Queryable, events: StoredEvent[]): Promise<void>;
  /** After commit, in this process. */
  publish(events: StoredEvent[]): void;
  subscribe(handler: BusHandler): () => void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

class Handlers {
  private readonly set = new Set<BusHandler>();
  add(h: BusHandler) {
    this.set.add(h);
    return () => void this.set.delete(h);
  }
  emit(events: StoredEvent[]) {
    for (const h of this.set) h(events);
  }
}

export class MemoryBus implements EventBus {
  private readonly handlers = new Handlers();
  async beforeCommit() {}
  publish(events: StoredEvent[]) {
    if (events.length) this.handlers.emit(events);
  }
  subscribe(handler: BusHandler) {
    return this.handlers.add(handler);
  }
  async start() {}
  async stop() {}
}

const CHANNEL = "parley_events";

export class PostgresBus implements EventBus {
  private readonly handlers = new Handlers();
  private readonly origin = crypto.randomUUID();
  private unlisten: (() => Promise<void>) | null = null;
  constructor(
    private readonly db: Db,
    private readonly onError: (err: unknown) => void,
  ) {}

  async beforeCommit(q: Queryable, events: StoredEvent[]) {
    const first = events[0];
    const last = events.at(-1);
    if (!first || !last) return;
    const note = `${this.origin}:${first.event.workspaceId}:${first.event.seq}:${last.event.seq}`;
    await q.query("select pg_notify($1, $2)", [CHANNEL, note]);
  }

  publish(events: StoredEvent[]) {
    if (events.length) this.handlers.emit(events);
  }

  subscribe(handler: BusHandler) {
    return this.handlers.add(handler);
  }

  async start() {
    if (!this.db.listen) throw new Error("The postgres event bus needs a PostgreSQL database");
    this.unlisten = await this.db.listen(CHANNEL, (note) => {
      const [origin, workspaceId, from, to] = note.split(":");
      if (!origin || origin === this.origin || !workspaceId) return; // our own: already published
      readEvents(this.db, workspaceId, Number(from) - 1, Number(to) - Number(from) + 1, Number(to))
        .then((events) => this.publish(events))
        .catch(this.onError);
    });
  }

  async stop() {
    await this.unlisten?.();
  }
}
