import pg from "pg";

/** Whether the LISTEN connection is up; while it is down, notifications sent meanwhile are lost. */
export interface ListenerState {
  up: boolean;
  /** When the connection dropped (null while up, and before the first connection). */
  downSince: Date | null;
  /** How many times it has been re-established since the process started. */
  reconnects: number;
}

export interface ListenerOptions {
  /** First pause before reconnecting; doubled after each failed attempt up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** How often an idle connection is checked with `select 1` (a connection a proxy dropped silently). */
  heartbeatMs: number;
  heartbeatTimeoutMs: number;
  random: () => number;
}

/** The LISTEN connection's `application_name`. */
export const LISTENER_APPLICATION_NAME = "parley-listener";

export const LISTENER_DEFAULTS: ListenerOptions = {
  baseDelayMs: 100,
  maxDelayMs: 5_000,
  heartbeatMs: 30_000,
  heartbeatTimeoutMs: 10_000,
  random: Math.random,
};

/**
 * The pause before reconnect attempt `attempt` (0 first): exponential, capped, with "equal jitter" (half of
 * the ceiling fixed, half random) so the processes of a deployment do not all reconnect at the same moment
 * after a database restart, and none retries in a tight loop.
 */
export function reconnectDelay(
  attempt: number,
  opts: Pick<ListenerOptions, "baseDelayMs" | "maxDelayMs" | "random">,
) {
  const ceiling = Math.min(opts.maxDelayMs, opts.baseDelayMs * 2 ** Math.min(attempt, 30));
  return ceiling / 2 + opts.random() * (ceiling / 2);
}

interface Subscription {
  onPayload: (payload: string) => void;
  onReconnect?: () => void;
}

/**
 * One connection that LISTENs on every channel the process subscribes to. When it drops (a PostgreSQL
 * restart or failover, a proxy's idle timeout, `pg_terminate_backend`) it is re-established with backoff,
 * every channel is listened to again, and then each subscription's `onReconnect` runs: notifications sent
 * while it was down are lost, so subscribers catch up from the tables.
 */
export class Listener {
  private client: pg.Client | null = null;
  private listened = new Set<string>();
  private readonly channels = new Map<string, Set<Subscription>>();
  private readonly changes = new Set<(state: ListenerState) => void>();
  private current: ListenerState = { up: false, downSince: null, reconnects: 0 };
  private connecting: Promise<void> | null = null;
  private retry: NodeJS.Timeout | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private attempt = 0;

  constructor(
    private readonly url: string,
    private readonly opts: ListenerOptions = LISTENER_DEFAULTS,
  ) {}

  state(): ListenerState {
    return { ...this.current };
  }

  onChange(handler: (state: ListenerState) => void): () => void {
    this.changes.add(handler);
    return () => void this.changes.delete(handler);
  }

  /**
   * Subscribes to a channel. The first subscription opens the connection and throws if it cannot (a process
   * that cannot reach its database at start-up should not start); later ones are listened to now if the
   * connection is up, else when it is re-established.
   */
  async listen(
    channel: string,
    onPayload: (payload: string) => void,
    onReconnect?: () => void,
  ): Promise<() => Promise<void>> {
    const sub: Subscription = { onPayload, onReconnect };
    let subs = this.channels.get(channel);
    if (!subs) {
      subs = new Set();
      this.channels.set(channel, subs);
    }
    subs.add(sub);
    try {
      if (!this.client && !this.connecting && !this.retry) await this.open();
      else if (this.connecting) await this.connecting.catch(() => {});
      if (this.client && !this.listened.has(channel)) {
        this.listened.add(channel);
        // A failure here means the connection is dropping: it is listened to again on reconnect.
        await this.client.query(`listen ${pg.escapeIdentifier(channel)}`).catch(() => {});
      }
    } catch (err) {
      this.remove(channel, sub);
      throw err;
    }
    return async () => this.unlisten(channel, sub);
  }

  /** Ends the connection and stops reconnecting. */
  async close() {
    this.channels.clear();
    await this.shutdown();
  }

  private remove(channel: string, sub: Subscription) {
    const subs = this.channels.get(channel);
    subs?.delete(sub);
    if (subs?.size === 0) this.channels.delete(channel);
  }

  private async unlisten(channel: string, sub: Subscription) {
    this.remove(channel, sub);
    if (this.channels.size === 0) return this.shutdown();
    if (this.channels.has(channel) || !this.client || !this.listened.has(channel)) return;
    this.listened.delete(channel);
    await this.client.query(`unlisten ${pg.escapeIdentifier(channel)}`).catch(() => {});
  }

  private async shutdown() {
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    await this.connecting?.catch(() => {});
    this.stopHeartbeat();
    const client = this.client;
    this.client = null;
    this.current = { ...this.current, up: false };
    await client?.end().catch(() => {});
  }

  /** Connects and listens to every channel; resolves once all are listened to. */
  private open(): Promise<void> {
    const attempt = (async () => {
      // Named, so an operator can tell it in pg_stat_activity (it stays idle, which idle timeouts may end).
      const client = new pg.Client({
        connectionString: this.url,
        keepAlive: true,
        application_name: LISTENER_APPLICATION_NAME,
      });
      let ended = false;
      client.on("error", () => {}); // "end" follows
      client.on("end", () => {
        ended = true;
        this.lost(client);
      });
      client.on("notification", (n) => {
        for (const sub of this.channels.get(n.channel) ?? []) sub.onPayload(n.payload ?? "");
      });
      try {
        await client.connect();
        const listened = new Set<string>();
        // Channels subscribed during this loop are visited too (a Map iterates over entries added meanwhile).
        for (const channel of this.channels.keys()) {
          await client.query(`listen ${pg.escapeIdentifier(channel)}`);
          listened.add(channel);
        }
        if (ended) throw new Error("the LISTEN connection ended while it was being set up");
        this.client = client;
        this.listened = listened;
      } catch (err) {
        await client.end().catch(() => {});
        throw err;
      }
    })();
    this.connecting = attempt;
    return attempt.then(
      () => {
        this.connecting = null;
        const wasDown = this.current.downSince !== null;
        this.current = {
          up: true,
          downSince: null,
          reconnects: this.current.reconnects + (wasDown ? 1 : 0),
        };
        this.attempt = 0;
        this.startHeartbeat();
        this.emitChange();
        if (wasDown) this.resubscribed();
      },
      (err) => {
        this.connecting = null;
        throw err;
      },
    );
  }

  /** The connection dropped (or failed its heartbeat): reconnect with backoff. */
  private lost(client: pg.Client) {
    if (client !== this.client) return;
    this.client = null;
    this.listened = new Set();
    this.stopHeartbeat();
    this.current = { ...this.current, up: false, downSince: new Date() };
    this.emitChange();
    this.scheduleReconnect();
  }

  private scheduleReconnect() {
    if (this.retry || this.channels.size === 0) return;
    const delay = reconnectDelay(this.attempt++, this.opts);
    this.retry = setTimeout(() => {
      this.retry = null;
      if (this.channels.size === 0) return;
      this.open().catch(() => this.scheduleReconnect());
    }, delay);
  }

  private resubscribed() {
    for (const subs of this.channels.values()) {
      for (const sub of subs) {
        try {
          sub.onReconnect?.();
        } catch {
          // One subscriber's failure must not keep the others from catching up.
        }
      }
    }
  }

  private emitChange() {
    const state = this.state();
    for (const h of this.changes) h(state);
  }

  private startHeartbeat() {
    this.stopHeartbeat();
    const timer = setInterval(() => {
      const client = this.client;
      if (!client) return;
      let timeout: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timeout = setTimeout(() => reject(new Error("heartbeat timed out")), this.opts.heartbeatTimeoutMs);
      });
      Promise.race([client.query("select 1"), late])
        .catch(() => {
          // A connection dropped without a word (a proxy's idle timeout): drop it and reconnect.
          this.lost(client);
          client.end().catch(() => {});
        })
        .finally(() => clearTimeout(timeout));
    }, this.opts.heartbeatMs);
    timer.unref();
    this.heartbeat = timer;
  }

  private stopHeartbeat() {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }
}
