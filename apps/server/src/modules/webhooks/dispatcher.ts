import crypto from "node:crypto";
import type { AppContext } from "../../context";
import { webhookEventOf } from "./events";
import { EndpointPipeline } from "./pipeline";
import { anyActiveEndpoint, claimEndpoints, releaseLease } from "./store";
import { registerWaker, WEBHOOKS_CHANNEL } from "./wake";

export interface DispatcherOptions {
  pollMs: number;
  timeoutMs: number;
  /** Endpoints one process works at once. */
  endpoints: number;
  /** Requests in flight at once per endpoint. */
  concurrency: number;
  /** Due deliveries selected, and events read from the log, per statement. */
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
  private readonly working = new Map<string, { pipeline: EndpointPipeline; done: Promise<void> }>();
  private timer: NodeJS.Timeout | null = null;
  private scanning = false;
  private again = false;
  private stopped = true;
  /**
   * The last scan found no active endpoint anywhere: committed events then wake nothing (no statement per
   * ingest batch). An endpoint created or turned on wakes every dispatcher (wakeDispatcher), and the poll
   * scans regardless.
   */
  private noEndpoints = false;
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
        if (!this.noEndpoints && events.some((e) => webhookEventOf(e.event))) this.wake();
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
    for (const w of this.working.values()) w.pipeline.stop();
    await Promise.allSettled([...this.working.values()].map((w) => w.done));
  }

  wake() {
    if (this.stopped) return;
    for (const w of this.working.values()) w.pipeline.nudge();
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
        this.noEndpoints =
          claimed.length === 0 && this.working.size === 0 && !(await anyActiveEndpoint(this.ctx.db));
        for (const ep of claimed) {
          const pipeline = new EndpointPipeline(this.ctx, ep, this.owner, {
            timeoutMs: this.opts.timeoutMs,
            concurrency: this.opts.concurrency,
            batch: this.opts.batch,
            leaseMs: this.opts.leaseMs,
            maxStarts: this.opts.batch * 100,
          });
          const done = pipeline
            .run()
            .catch((err) => this.ctx.log.warn({ err, endpointId: ep.id }, "webhook delivery round failed"))
            .then(() => releaseLease(this.ctx.db, ep.id, this.owner))
            .catch((err) => this.ctx.log.warn({ err }, "releasing a webhook lease failed"))
            .finally(() => {
              this.working.delete(ep.id);
              this.wake();
            });
          this.working.set(ep.id, { pipeline, done });
        }
      } while (this.again && !this.stopped);
    } catch (err) {
      this.ctx.log.warn({ err }, "webhook dispatcher scan failed");
    } finally {
      this.scanning = false;
      if (!this.stopped) this.schedule(this.opts.pollMs);
    }
  }
}
