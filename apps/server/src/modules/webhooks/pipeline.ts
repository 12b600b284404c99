import type { AppContext } from "../../context";
import { egressPolicy } from "../../lib/egress/agents";
import { disableFailingEndpoint, FAILING_LIMIT_MS } from "./disable";
import { type PostOptions, postDelivery, targetOf } from "./send";
import {
  type DueDelivery,
  dueDeliveries,
  fillDeliveries,
  type LeasedEndpoint,
  type Outcome,
  recordOutcomes,
  renewLease,
} from "./store";

/** The database loop wakes at least this often while requests are out, to record what arrived. */
const FLUSH_MS = 200;
/** …and at once when this many outcomes are waiting. */
const FLUSH_COUNT = 256;

export interface PipelineOptions {
  timeoutMs: number;
  /** Requests in flight at once for the endpoint (each a different conversation). */
  concurrency: number;
  /** Events read, and due deliveries selected, per statement. */
  batch: number;
  leaseMs: number;
  /** The session ends (and the lease is let go) after starting this many deliveries, so others get a turn. */
  maxStarts: number;
}

/**
 * Delivers one leased endpoint's work as a continuous pipeline: up to `concurrency` requests in flight (one
 * per conversation at a time, in log order), a new one started as soon as one ends, while one database loop
 * records the outcomes that have arrived (all of them in one statement, every FLUSH_MS or FLUSH_COUNT
 * outcomes, so a busy endpoint writes hundreds per statement), turns new events into deliveries
 * and selects more due ones when the buffer runs low, and keeps the lease. Nothing waits for a round's
 * slowest request.
 *
 * Order per conversation: a conversation's next delivery starts only after its previous one succeeded (or
 * was refused for good); one that will be retried stops the conversation for the rest of the session, and
 * the statement that records the retry makes the conversation's later deliveries wait as long.
 */
export class EndpointPipeline {
  /** Selected, not started: per conversation, in log order. */
  private readonly queued = new Map<string, DueDelivery[]>();
  private queuedCount = 0;
  /** Conversations with a request out. */
  private readonly inFlight = new Set<string>();
  /** Conversations stopped for this session by a delivery that will be retried. */
  private readonly blocked = new Set<string>();
  /** Deliveries this session holds (selected and not yet recorded): a new selection leaves them out. */
  private readonly held = new Set<string>();
  private outcomes: Outcome[] = [];
  private starts = 0;
  private signal: (() => void) | null = null;
  private moreEvents = true;
  private moreDue = true;
  private leaseOk = true;
  private stopped = false;
  private failingSince: Date | null;
  private readonly secret: string;
  private readonly post: PostOptions;
  private target: { url: string; parsed: string | URL } | null = null;

  constructor(
    private readonly ctx: AppContext,
    private readonly ep: LeasedEndpoint,
    private readonly owner: string,
    private readonly opts: PipelineOptions,
  ) {
    this.failingSince = ep.failing_since;
    this.secret = ctx.secrets.open<string>(ep.secret_enc);
    this.post = { policy: egressPolicy(ctx.config), clock: ctx.clock, timeoutMs: opts.timeoutMs };
  }

  /** New events were published: read them on the next turn of the loop. */
  nudge() {
    this.moreEvents = true;
    this.wakeLoop();
  }

  /** Starts nothing new; the requests out end and are recorded. */
  stop() {
    this.stopped = true;
    this.wakeLoop();
  }

  private wakeLoop() {
    const s = this.signal;
    this.signal = null;
    s?.();
  }

  private starting() {
    return !this.stopped && this.leaseOk && this.starts < this.opts.maxStarts;
  }

  async run(): Promise<void> {
    const { ctx, ep, opts } = this;
    let renewedAt = performance.now();
    try {
      for (;;) {
        if (this.outcomes.length) {
          if (await this.record()) return;
        }
        if (this.starting() && this.queuedCount < opts.batch / 2) await this.refill();
        if (this.starting() && performance.now() - renewedAt > opts.leaseMs / 3) {
          renewedAt = performance.now();
          const fresh = await renewLease(ctx.db, ep, this.owner, ctx.clock.now(), opts.leaseMs);
          if (!fresh?.active) this.leaseOk = false;
          else {
            ep.url = fresh.url;
            ep.events = fresh.events;
          }
        }
        this.pump();
        if (!this.inFlight.size && !this.outcomes.length) {
          const more = this.queuedCount > 0 || this.moreEvents || this.moreDue;
          if (!this.starting() || !more) return;
          continue;
        }
        if (this.outcomes.length < FLUSH_COUNT) await this.pause();
      }
    } finally {
      // An error above leaves requests out: their outcomes are written as they end (best effort; anything
      // not recorded stays pending and is sent again, at least once).
      if (this.inFlight.size) await this.drain();
    }
  }

  /** Until FLUSH_MS have passed, or the loop is woken (many outcomes, none out, a nudge, a stop). */
  private pause() {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.wakeLoop(), FLUSH_MS);
      this.signal = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private async drain() {
    this.stopped = true;
    while (this.inFlight.size) await new Promise<void>((r) => (this.signal = r));
    if (this.outcomes.length)
      await recordOutcomes(this.ctx.db, this.ep.id, this.outcomes.splice(0)).catch((err) =>
        this.ctx.log.warn({ err, endpointId: this.ep.id }, "recording webhook outcomes failed"),
      );
  }

  /** Reads new events into deliveries and selects due ones not held yet. */
  private async refill() {
    const { ctx, ep, opts } = this;
    if (this.moreEvents) {
      this.moreEvents = false;
      const read = await fillDeliveries(ctx.db, ep, this.owner, ctx.clock.now(), opts.batch);
      if (read > 0) {
        this.moreDue = true;
        if (read >= opts.batch) this.moreEvents = true;
      }
    }
    if (!this.moreDue) return;
    const due = await dueDeliveries(ctx.db, ep.id, ctx.clock.now(), opts.batch, [...this.held]);
    this.moreDue = due.length >= opts.batch;
    for (const d of due) {
      this.held.add(d.id);
      if (this.blocked.has(d.ordering_key)) continue;
      const list = this.queued.get(d.ordering_key);
      if (list) list.push(d);
      else this.queued.set(d.ordering_key, [d]);
      this.queuedCount++;
    }
  }

  /** Starts requests up to the limit, one per conversation at a time. */
  private pump() {
    if (!this.starting()) return;
    for (const [key, list] of this.queued) {
      if (this.inFlight.size >= this.opts.concurrency || !this.starting()) return;
      if (this.inFlight.has(key)) continue;
      const d = list.shift()!;
      this.queuedCount--;
      if (!list.length) this.queued.delete(key);
      this.inFlight.add(key);
      this.starts++;
      if (this.target?.url !== this.ep.url) this.target = { url: this.ep.url, parsed: targetOf(this.ep.url) };
      void postDelivery(this.target.parsed, this.secret, d, this.post).then((o) => {
        this.outcomes.push({ ...o, key });
        this.inFlight.delete(key);
        if (o.status === "pending") this.block(key);
        this.pump();
        if (this.outcomes.length >= FLUSH_COUNT || !this.inFlight.size) this.wakeLoop();
      });
    }
  }

  private block(key: string) {
    this.blocked.add(key);
    const list = this.queued.get(key);
    if (list) {
      this.queuedCount -= list.length;
      this.queued.delete(key);
    }
  }

  /** Writes the outcomes that arrived in one statement, and applies the 24-hour rule. True: stop. */
  private async record(): Promise<boolean> {
    const { ctx, ep } = this;
    const batch = this.outcomes.splice(0);
    await recordOutcomes(ctx.db, ep.id, batch);
    for (const o of batch) if (o.status !== "pending") this.held.delete(o.id);
    const now = ctx.clock.now();
    if (batch.some((o) => o.status === "succeeded")) {
      if (this.failingSince) await this.setFailingSince(null);
      this.failingSince = null;
    } else {
      if (!this.failingSince) await this.setFailingSince(now);
      this.failingSince ??= now;
      if (now.getTime() - this.failingSince.getTime() >= FAILING_LIMIT_MS) {
        await this.drain();
        await disableFailingEndpoint(ctx, ep.id, this.failingSince);
        return true;
      }
    }
    return false;
  }

  private async setFailingSince(at: Date | null) {
    await this.ctx.db.query("update webhook_endpoints set failing_since = $2 where id = $1 and active", [
      this.ep.id,
      at,
    ]);
  }
}
