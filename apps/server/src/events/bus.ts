import crypto from "node:crypto";
import type { EphemeralSignal } from "@parley/protocol";
import type { Db } from "../db/client";
import type { EventAudience } from "../domain/permissions";
import { readEvents, type StoredEvent } from "./store";

export type BusHandler = (events: StoredEvent[]) => void;

/** An ephemeral signal (typing…): not stored, delivered at most once to whoever is connected now. */
export interface SignalEnvelope {
  workspaceId: string;
  audience: EventAudience;
  signal: EphemeralSignal;
}
export type SignalHandler = (s: SignalEnvelope) => void;

/**
 * Whose access changed (sign-out, session ended, deactivation, new role or rights, team membership): every
 * process re-checks the matching sockets at once, closing those whose session ended and applying new rights
 * to the others. No list matches every socket of the workspace (a role's rights changed).
 */
export interface AccessChange {
  workspaceId: string;
  userIds?: readonly string[];
  sessionIds?: readonly string[];
}
export type AccessHandler = (change: AccessChange) => void;

/** Whether other processes' events reach this one: down while the LISTEN connection is re-established. */
export interface BusHealth {
  up: boolean;
  downSince: Date | null;
}

/**
 * Carries committed events to every server process. In one process it is a direct call; with several
 * processes on one PostgreSQL, a NOTIFY is sent inside the writing transaction (so it is delivered only if,
 * and after, the transaction commits) and the other processes read the events from the log.
 */
export interface EventBus {
  /**
   * The NOTIFY the writing transaction sends with a workspace's new events (delivered only if, and after,
   * it commits): appendEvents adds the events' first and last numbers to the prefix. Null: none needed.
   */
  notice(workspaceId: string): { channel: string; prefix: string } | null;
  /** After commit, in this process. */
  publish(events: StoredEvent[]): void;
  subscribe(handler: BusHandler): () => void;
  /** Sends an ephemeral signal to every process (this one included). */
  signal(envelope: SignalEnvelope): void;
  onSignal(handler: SignalHandler): () => void;
  /** Tells every process (this one included) that some people's access changed. */
  access(change: AccessChange): void;
  onAccess(handler: AccessHandler): () => void;
  /**
   * Runs when the bus is back after being down: the events, signals and access changes other processes
   * sent meanwhile did not arrive, so subscribers catch up from the event log and re-check access.
   */
  onResume(handler: () => void): () => void;
  health(): BusHealth;
  start(): Promise<void>;
  stop(): Promise<void>;
}

class Handlers<T> {
  private readonly set = new Set<(value: T) => void>();
  add(h: (value: T) => void) {
    this.set.add(h);
    return () => void this.set.delete(h);
  }
  emit(value: T) {
    for (const h of this.set) h(value);
  }
}

export class MemoryBus implements EventBus {
  private readonly handlers = new Handlers<StoredEvent[]>();
  private readonly signals = new Handlers<SignalEnvelope>();
  private readonly accessHandlers = new Handlers<AccessChange>();
  notice() {
    return null;
  }
  publish(events: StoredEvent[]) {
    if (events.length) this.handlers.emit(events);
  }
  subscribe(handler: BusHandler) {
    return this.handlers.add(handler);
  }
  signal(envelope: SignalEnvelope) {
    this.signals.emit(envelope);
  }
  onSignal(handler: SignalHandler) {
    return this.signals.add(handler);
  }
  access(change: AccessChange) {
    this.accessHandlers.emit(change);
  }
  onAccess(handler: AccessHandler) {
    return this.accessHandlers.add(handler);
  }
  /** One process: nothing is ever missed. */
  onResume() {
    return () => {};
  }
  health(): BusHealth {
    return { up: true, downSince: null };
  }
  async start() {}
  async stop() {}
}

const CHANNEL = "parley_events";
const SIGNALS = "parley_signals";

export class PostgresBus implements EventBus {
  private readonly handlers = new Handlers<StoredEvent[]>();
  private readonly signals = new Handlers<SignalEnvelope>();
  private readonly accessHandlers = new Handlers<AccessChange>();
  private readonly resumed = new Handlers<void>();
  private readonly origin = crypto.randomUUID();
  private unlisten: (() => Promise<void>)[] = [];
  /**
   * @param onChange told when the LISTEN connection drops and when it is back (for the log).
   */
  constructor(
    private readonly db: Db,
    private readonly onError: (err: unknown) => void,
    private readonly onChange: (health: BusHealth & { reconnects: number }) => void = () => {},
  ) {}

  /** `origin:workspace:first:last`: the other processes read that range from the log. */
  notice(workspaceId: string) {
    return { channel: CHANNEL, prefix: `${this.origin}:${workspaceId}:` };
  }

  publish(events: StoredEvent[]) {
    if (events.length) this.handlers.emit(events);
  }

  subscribe(handler: BusHandler) {
    return this.handlers.add(handler);
  }

  signal(envelope: SignalEnvelope) {
    this.signals.emit(envelope);
    const payload = JSON.stringify({ origin: this.origin, ...envelope });
    // NOTIFY payloads are limited to 8000 bytes; signals are tiny, but never let one break the stream.
    if (Buffer.byteLength(payload) < 7900)
      this.db.query("select pg_notify($1, $2)", [SIGNALS, payload]).catch(this.onError);
  }

  onSignal(handler: SignalHandler) {
    return this.signals.add(handler);
  }

  access(change: AccessChange) {
    this.accessHandlers.emit(change);
    const payload = JSON.stringify({ origin: this.origin, access: change });
    // Too long a list for one NOTIFY: every socket of the workspace is re-checked instead.
    const sent =
      Buffer.byteLength(payload) < 7900
        ? payload
        : JSON.stringify({ origin: this.origin, access: { workspaceId: change.workspaceId } });
    this.db.query("select pg_notify($1, $2)", [SIGNALS, sent]).catch(this.onError);
  }

  onAccess(handler: AccessHandler) {
    return this.accessHandlers.add(handler);
  }

  onResume(handler: () => void) {
    return this.resumed.add(handler);
  }

  health(): BusHealth {
    const state = this.db.listener?.state();
    return { up: state?.up ?? false, downSince: state?.downSince ?? null };
  }

  async start() {
    if (!this.db.listen) throw new Error("The postgres event bus needs a PostgreSQL database");
    const stopWatching = this.db.listener?.onChange(({ up, downSince, reconnects }) =>
      this.onChange({ up, downSince, reconnects }),
    );
    if (stopWatching) this.unlisten.push(async () => stopWatching());
    const unlistenSignals = await this.db.listen(SIGNALS, (note) => {
      try {
        const { origin, access, ...envelope } = JSON.parse(note) as SignalEnvelope & {
          origin: string;
          access?: AccessChange;
        };
        if (origin === this.origin) return;
        if (access) this.accessHandlers.emit(access);
        else this.signals.emit(envelope);
      } catch (err) {
        this.onError(err);
      }
    });
    this.unlisten.push(unlistenSignals);
    const unlistenEvents = await this.db.listen(
      CHANNEL,
      (note) => {
        const [origin, workspaceId, from, to] = note.split(":");
        if (!origin || origin === this.origin || !workspaceId) return; // our own: already published
        readEvents(this.db, workspaceId, Number(from) - 1, Number(to) - Number(from) + 1, Number(to))
          .then((events) => this.publish(events))
          .catch(this.onError);
      },
      // Both channels share one connection: one resume after it is back.
      () => {
        try {
          this.resumed.emit();
        } catch (err) {
          this.onError(err);
        }
      },
    );
    this.unlisten.push(unlistenEvents);
  }

  async stop() {
    await Promise.all(this.unlisten.map((u) => u()));
  }
}
