import crypto from "node:crypto";
import type { AppContext } from "../../context";
import { egressPolicy } from "../../lib/egress/agents";
import { disableFailingEndpoint, FAILING_LIMIT_MS } from "./disable";
import { webhookEventOf } from "./events";
import { sendRound } from "./send";
import {
  claimEndpoints,
  dueDeliveries,
  fillDeliveries,
  type LeasedEndpoint,
  recordOutcomes,
  releaseLease,
  renewLease,
} from "./store";
import { registerWaker, WEBHOOKS_CHANNEL } from "./wake";

export interface DispatcherOptions {
  pollMs: number;
  timeoutMs: number;
  /** Endpoints one process works at once. */
  endpoints: number;
  /** Requests in flight at once per endpoint. */
  concurrency: number;
  /** Deliveries taken per round, and events read from the log per round. */
  batch: number;
  leaseMs: number;
}

/**
 * Delivers webhooks (worker role). All its state is in the database: each endpoint's cursor in the event log,
 * its deliveries, and a lease that lets one process at a time work one endpoint (so several processes share
 * the endpoints, and per-conversation order is kept by rows every process sees). It runs when events are
 * published, when a command queues a delivery, and on its poll (retries, other processes' events).
 */
export class WebhookDispatcher {
  private readonly owner = crypto.randomUUID();
  private readonly working = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | null = null;
  private scanning = false;
  private again = false;
  private stopped = true;
  private cleanups: (() => unknown)[] = [];

  constructor(
    private readonly ctx: AppContext,
    private readonly opts: DispatcherOptions,
  ) {}

  async start() {
    this.stopped = false;
    this.cleanups.push(
      registerWaker(this.ctx, () => this.wake()),
      this.ctx.bus.subscribe((events) => {
        if (events.some((e) => webhookEventOf(e.event))) this.wake();
      }),
    );
    if (this.ctx.db.listen) {
      // Woken again once the LISTEN connection is back: deliveries may have been enqueued while it was down.
      const wake = () => this.wake();
      this.cleanups.push(await this.ctx.db.listen(WEBHOOKS_CHANNEL, wake, wake));
    }
    this.schedule(0);
  }

  async stop() {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    for (const c of this.cleanups.splice(0)) await c();
    await Promise.allSettled([...this.working.values()]);
  }

  wake() {
    if (this.stopped) return;
    if (this.scanning) this.again = true;
    else this.schedule(0);
  }

  private schedule(ms: number) {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.scan(), ms);
    this.timer.unref?.();
  }

  private async scan() {
    if (this.stopped || this.scanning) return;
    this.scanning = true;
    try {
      do {
        this.again = false;
        const free = this.opts.endpoints - this.working.size;
        if (free <= 0) break;
        const claimed = await claimEndpoints(
          this.ctx.db,
          this.owner,
          this.ctx.clock.now(),
          this.opts.leaseMs,
          free,
          [...this.working.keys()],
        );
        for (const ep of claimed) {
          const p = this.work(ep)
            .catch((err) => this.ctx.log.warn({ err, endpointId: ep.id }, "webhook delivery round failed"))
            .then(() => releaseLease(this.ctx.db, ep.id, this.owner))
            .catch((err) => this.ctx.log.warn({ err }, "releasing a webhook lease failed"))
            .finally(() => {
              this.working.delete(ep.id);
              this.wake();
            });
          this.working.set(ep.id, p);
        }
      } while (this.again && !this.stopped);
    } catch (err) {
      this.ctx.log.warn({ err }, "webhook dispatcher scan failed");
    } finally {
      this.scanning = false;
      if (!this.stopped) this.schedule(this.opts.pollMs);
    }
  }

  /** Rounds on one endpoint while it has work: read new events, send what is due, record, keep the lease. */
  private async work(ep: LeasedEndpoint) {
    const { ctx, opts } = this;
    const secret = ctx.secrets.open<string>(ep.secret_enc);
    const policy = egressPolicy(ctx.config);
    let failingSince = ep.failing_since;
    const fill = () => fillDeliveries(ctx.db, ep, this.owner, ctx.clock.now(), opts.batch);
    let read = await fill();
    for (let round = 0; round < 1000 && !this.stopped; round++) {
      const due = await dueDeliveries(ctx.db, ep.id, ctx.clock.now(), opts.batch);
      if (!read && !due.length) return;
      // The next events become deliveries while this round's requests are out. They are written before this
      // round's outcomes, so a retry recorded below holds them too (recordOutcomes), and the next round's
      // selection leaves out whatever is behind a waiting delivery of its conversation.
      const filling = fill().then(
        (n) => ({ n }),
        (err: unknown) => ({ err }),
      );
      const outcomes = await sendRound(ep.url, secret, due, {
        policy,
        clock: ctx.clock,
        timeoutMs: opts.timeoutMs,
        concurrency: opts.concurrency,
        roundMs: Math.max(1000, opts.leaseMs / 3),
      });
      const filled = await filling;
      await recordOutcomes(ctx.db, ep.id, outcomes);
      if ("err" in filled) throw filled.err;
      read = filled.n;
      const now = ctx.clock.now();
      if (outcomes.some((o) => o.status === "succeeded")) {
        if (failingSince) await this.setFailingSince(ep.id, null);
        failingSince = null;
      } else if (outcomes.length) {
        if (!failingSince) await this.setFailingSince(ep.id, now);
        failingSince ??= now;
        if (now.getTime() - failingSince.getTime() >= FAILING_LIMIT_MS) {
          await disableFailingEndpoint(ctx, ep.id, failingSince);
          return;
        }
      }
      const fresh = await renewLease(ctx.db, ep, this.owner, now, opts.leaseMs);
      if (!fresh?.active) return;
      ep.url = fresh.url;
      ep.events = fresh.events;
    }
  }

  private async setFailingSince(endpointId: string, at: Date | null) {
    await this.ctx.db.query("update webhook_endpoints set failing_since = $2 where id = $1 and active", [
      endpointId,
      at,
    ]);
  }
}
