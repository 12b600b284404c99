import { describe, expect, it } from "vitest";
import { TEST_DB } from "../testing/db";
import { eventually } from "../testing/eventually";
import { apiConnection, inbound, newWorkspace, unique } from "../testing/harness";
import { metricValue as value } from "../testing/metrics-text";
import { useTestServer } from "../testing/use-test-server";

const TOKEN = "metrics-token-0123456789abcdef";
const t = useTestServer({ env: { METRICS_TOKEN: TOKEN, METRICS_PORT: "0" } });

const scrape = async () => {
  const r = await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(r.status).toBe(200);
  return r.text();
};

describe("GET /metrics", () => {
  it("is closed without the token, open with it, and open without a token on METRICS_PORT", async () => {
    expect((await fetch(`${t.url}/metrics`)).status).toBe(401);
    const wrong = await fetch(`${t.url}/metrics`, { headers: { authorization: "Bearer not-the-token" } });
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { error: { message: string } }).error.message).toMatch(/METRICS_TOKEN/);

    const text = await scrape();
    for (const name of [
      "parley_ingest_webhooks_total",
      "parley_ingest_events_total",
      "parley_ingest_duration_seconds_bucket",
      "parley_ingest_wait_seconds_bucket",
      "parley_ingest_transaction_seconds_bucket",
      "parley_ingest_batch_submissions_bucket",
      "parley_ingest_queue_depth",
      "parley_job_attempts_total",
      "parley_job_duration_seconds_bucket",
      "parley_jobs",
      "parley_sockets",
      "parley_realtime_fanout_max_seconds",
      "parley_bus_lag_seconds_bucket",
      "parley_process_cpu_seconds_total",
    ])
      expect(text).toContain(`# TYPE ${name.replace(/_bucket$/, "")} `);
    expect(value(text, "parley_ingest_queue_depth", { state: "limit" })).toBe(2000);
    // Without REDIS_URL the limits count in PostgreSQL.
    expect(value(text, "parley_limits_store", { store: "postgres" })).toBe(1);
    expect(value(text, "parley_limits_store", { store: "redis-degraded" })).toBe(0);
    // The PostgreSQL pool is reported where there is one.
    expect(text.includes("parley_db_pool_connections")).toBe(TEST_DB === "postgres");
    if (TEST_DB === "postgres")
      expect(value(text, "parley_db_pool_connections", { state: "total" })).toBeGreaterThan(0);

    const port = t.server.metricsPort;
    expect(port).toBeGreaterThan(0);
    const local = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(local.status).toBe(200);
    expect(local.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(await local.text()).toContain("parley_ingest_events_total");
    expect((await fetch(`http://127.0.0.1:${port}/api/health`)).status).toBe(404);
  });

  it("moves: ingested messages, bus deliveries, job outcomes, queued jobs and sockets", async () => {
    const { owner } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    const before = await scrape();
    for (let i = 0; i < 3; i++)
      expect((await conn.post(inbound(unique("c"), `hello ${i}`))).status).toBe(200);
    const after = await scrape();
    const delta = (name: string, labels?: Record<string, string>) =>
      value(after, name, labels) - value(before, name, labels);
    expect(delta("parley_ingest_events_total")).toBe(3);
    expect(delta("parley_ingest_webhooks_total", { outcome: "stored" })).toBe(3);
    expect(delta("parley_ingest_duration_seconds_count")).toBe(3);
    // One after another, each webhook had a transaction of its own, which it waited for.
    expect(delta("parley_ingest_wait_seconds_count")).toBe(3);
    expect(delta("parley_ingest_transaction_seconds_count")).toBe(3);
    expect(delta("parley_ingest_batch_submissions_sum")).toBe(3);
    expect(delta("parley_ingest_transaction_seconds_sum")).toBeGreaterThan(0);
    expect(delta("parley_bus_lag_seconds_count")).toBeGreaterThanOrEqual(3);

    // Ingest enqueues the notification fan-out; the worker role runs it.
    await eventually(async () =>
      expect(value(await scrape(), "parley_job_attempts_total", { outcome: "done" })).toBeGreaterThan(
        value(before, "parley_job_attempts_total", { outcome: "done" }),
      ),
    );

    const type = unique("test.later");
    await t.db.query(
      "insert into jobs (type, payload, run_at) values ($1, '{}', now() + interval '1 day'), ($1, '{}', now() + interval '1 day')",
      [type],
    );
    expect(value(await scrape(), "parley_jobs", { type, status: "pending" })).toBe(2);

    const socket = await owner.socket(t.wsUrl);
    await socket.waitFor((f) => f.type === "hello");
    expect(value(await scrape(), "parley_sockets", { kind: "agent" })).toBe(1);
    // The hub's longest fan-out since the previous scrape: a message delivered to the socket moves it.
    expect((await conn.post(inbound(unique("c"), "fan out"))).status).toBe(200);
    await socket.waitFor((f) => f.type === "event" || f.type === "events");
    expect(value(await scrape(), "parley_realtime_fanout_max_seconds")).toBeGreaterThan(0);
    socket.close();
    await eventually(async () => expect(value(await scrape(), "parley_sockets", { kind: "agent" })).toBe(0));
  });
});
