import http from "node:http";
import type { AddressInfo } from "node:net";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { Db } from "../db/client";
import type { EventBus } from "../events/bus";
import type { App } from "../http/types";
import type { JobOutcome } from "../jobs/queue";
import { safeEqual } from "../lib/crypto";
import { AppError } from "../lib/errors";
import type { LimitStore } from "../lib/limits";
import type { Clock } from "../lib/time";
import type { IngestBatchRun, IngestQueue, IngestSettled } from "../modules/ingest/ingest-queue";
import type { WidgetHub } from "../modules/widget/hub";
import type { RealtimeHub } from "../realtime/hub";

/** Buckets in seconds: 1 ms to 30 s. */
const SECONDS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * This process's metrics, in the Prometheus text format (prom-client). Counters and histograms are
 * updated as things happen; depths and counts are read when scraped. One registry per server (not the
 * library's global one), so several servers in one process (tests) keep apart.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly ingestWebhooks = new Counter({
    name: "parley_ingest_webhooks_total",
    help: "Submissions to the ingest queue (provider webhooks, widget messages, emails) by outcome: stored, failed, or refused because the queue was full",
    labelNames: ["outcome"] as const,
    registers: [this.registry],
  });
  private readonly ingestEvents = new Counter({
    name: "parley_ingest_events_total",
    help: "Inbound events (messages, delivery reports, …) stored by the ingest queue",
    registers: [this.registry],
  });
  private readonly ingestSeconds = new Histogram({
    name: "parley_ingest_duration_seconds",
    help: "From a submission to the ingest queue until its transaction committed (waiting included)",
    buckets: SECONDS,
    registers: [this.registry],
  });
  private readonly ingestWaitSeconds = new Histogram({
    name: "parley_ingest_wait_seconds",
    help: "From a submission to the ingest queue until the batch that writes it started",
    buckets: SECONDS,
    registers: [this.registry],
  });
  private readonly ingestTransactionSeconds = new Histogram({
    name: "parley_ingest_transaction_seconds",
    help: "One ingest batch, from its start (waiting for a database connection included) until it settled: its transaction and any run again after a deadlock, the health fields written after it, and after a failure its submissions' one-by-one retries",
    buckets: SECONDS,
    registers: [this.registry],
  });
  private readonly ingestBatchSubmissions = new Histogram({
    name: "parley_ingest_batch_submissions",
    help: "Submissions in one ingest batch, written by one transaction unless it failed",
    buckets: [1, 2, 5, 10, 20, 50, 100, 200],
    registers: [this.registry],
  });
  private readonly jobAttempts = new Counter({
    name: "parley_job_attempts_total",
    help: "Job attempts run by this process, by job type and outcome (done, dead, retried, deferred)",
    labelNames: ["type", "outcome"] as const,
    registers: [this.registry],
  });
  private readonly jobSeconds = new Histogram({
    name: "parley_job_duration_seconds",
    help: "How long one job attempt took, by job type",
    labelNames: ["type"] as const,
    buckets: SECONDS,
    registers: [this.registry],
  });
  private readonly busLag = new Histogram({
    name: "parley_bus_lag_seconds",
    help: "From an event's time (taken in its writing transaction) to its delivery to this process's sockets",
    buckets: SECONDS,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: "parley_" });
  }

  /** For IngestQueue's options. */
  readonly ingest = {
    onSettled: (s: IngestSettled) => {
      this.ingestWebhooks.inc({ outcome: s.ok ? "stored" : "failed" });
      if (s.ok) this.ingestEvents.inc(s.events);
      this.ingestSeconds.observe(s.ms / 1000);
    },
    onBatch: (b: IngestBatchRun) => {
      for (const ms of b.waitedMs) this.ingestWaitSeconds.observe(ms / 1000);
      this.ingestTransactionSeconds.observe(b.ms / 1000);
      this.ingestBatchSubmissions.observe(b.submissions);
    },
    onRefused: () => this.ingestWebhooks.inc({ outcome: "refused" }),
  };

  /** For JobRunner's options. */
  readonly jobOutcome = (type: string, outcome: JobOutcome, ms: number) => {
    this.jobAttempts.inc({ type, outcome });
    this.jobSeconds.observe({ type }, ms / 1000);
  };

  /** The values read when scraped, and the bus lag; returns the unsubscription. */
  watch(s: {
    db: Db;
    bus: EventBus;
    clock: Clock;
    ingest: IngestQueue;
    agents: RealtimeHub;
    visitors: WidgetHub;
    limits: LimitStore;
  }): () => void {
    const registers = [this.registry];
    new Gauge({
      name: "parley_ingest_queue_depth",
      help: "Submissions waiting for an ingest transaction (waiting), being written (writing), and the bound on waiting ones (limit)",
      labelNames: ["state"] as const,
      registers,
      collect() {
        const d = s.ingest.depth();
        this.set({ state: "waiting" }, d.waiting);
        this.set({ state: "writing" }, d.writing);
        this.set({ state: "limit" }, d.limit);
      },
    });
    new Gauge({
      name: "parley_jobs",
      help: "Jobs in the shared queue (all processes) that are pending or running, by type",
      labelNames: ["type", "status"] as const,
      registers,
      async collect() {
        const rows = await s.db.query<{ type: string; status: string; n: number }>(
          `select type, status, count(*)::int as n from jobs where status in ('pending', 'running')
           group by type, status`,
        );
        this.reset();
        for (const r of rows) this.set({ type: r.type, status: r.status }, r.n);
      },
    });
    new Gauge({
      name: "parley_sockets",
      help: "Open WebSockets on this process: agents' (agent) and web chat visitors' (widget)",
      labelNames: ["kind"] as const,
      registers,
      collect() {
        this.set({ kind: "agent" }, s.agents.clientCount());
        this.set({ kind: "widget" }, s.visitors.count());
      },
    });
    new Gauge({
      name: "parley_realtime_fanout_max_seconds",
      help: "The longest one slice of the fan-out of committed events to this process's agent sockets held the event loop since the previous scrape",
      registers,
      collect() {
        this.set(s.agents.takeLongestFanout() / 1000);
      },
    });
    new Gauge({
      name: "parley_limits_store",
      help: "Where this process counts rate limits: 1 for the store in use (postgres, redis, or redis-degraded: Redis configured but unreachable, PostgreSQL counting), 0 for the others",
      labelNames: ["store"] as const,
      registers,
      collect() {
        const now = s.limits.state();
        for (const store of ["postgres", "redis", "redis-degraded"] as const)
          this.set({ store }, store === now ? 1 : 0);
      },
    });
    const pool = s.db.pool;
    if (pool) {
      new Gauge({
        name: "parley_db_pool_connections",
        help: "The PostgreSQL connection pool: connections open (total), idle, and queries waiting for one",
        labelNames: ["state"] as const,
        registers,
        collect() {
          const p = pool();
          this.set({ state: "total" }, p.total);
          this.set({ state: "idle" }, p.idle);
          this.set({ state: "waiting" }, p.waiting);
        },
      });
    }
    return s.bus.subscribe((events) => {
      const first = events[0];
      if (!first) return;
      const lag = (s.clock.now().getTime() - Date.parse(first.event.at)) / 1000;
      this.busLag.observe(Math.max(0, lag));
    });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

/** `METRICS_TOKEN`: `GET /metrics` on the main port, for `Authorization: Bearer <METRICS_TOKEN>` only. */
export function metricsRoute(app: App, metrics: Metrics, token: string) {
  app.get("/metrics", { config: { auth: false }, schema: { hide: true } }, async (req, reply) => {
    const given = /^Bearer (.+)$/i.exec(req.headers.authorization ?? "")?.[1] ?? "";
    if (!safeEqual(given, token))
      throw new AppError(
        "unauthenticated",
        "Send Authorization: Bearer <METRICS_TOKEN> to read the metrics.",
      );
    return reply.header("content-type", metrics.contentType).send(await metrics.text());
  });
}

/**
 * `METRICS_PORT`: a plain HTTP server answering `GET /metrics` without a token, meant to be bound to a
 * private address (METRICS_HOST, 127.0.0.1 by default) that only the scraper reaches.
 */
export async function startMetricsServer(
  metrics: Metrics,
  port: number,
  host: string,
): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    if (req.method !== "GET" || (req.url ?? "").split("?")[0] !== "/metrics") {
      res.writeHead(404, { "content-type": "text/plain" }).end("Only GET /metrics is served here.\n");
      return;
    }
    metrics.text().then(
      (body) => res.writeHead(200, { "content-type": metrics.contentType }).end(body),
      () => res.writeHead(500, { "content-type": "text/plain" }).end("The metrics could not be read.\n"),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
