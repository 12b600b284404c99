import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type WebSocket from "ws";
import { cpuMeter } from "./cpu";
import {
  type Audience,
  findAll,
  fmt,
  openSockets,
  PROVIDER_ID_MARK,
  runStep,
  type StepResult,
} from "./ingest-harness";
import {
  apiConnection,
  authed,
  createOwner,
  PASSWORD,
  request,
  type Session,
  signIn,
  startServer,
  stopProcess,
  waitFor,
} from "./lib";
import { METRICS_TOKEN, pendingJobs, sampleOf, scrape } from "./server-metrics";
import { prepareWalFor } from "./wal";

/**
 * `npm run bench:ingest -- --agents 500 --teams 10`: the realtime fan-out at many sockets. The owner (who sees
 * every conversation) and agents 1…n-1 spread round-robin over the teams, each with a socket; conversation k
 * belongs to team k mod teams and waits unassigned in that team's queue, so each message must reach the owner
 * and its team's members and nobody else (a delivery to another socket is counted as a leak). Per rate step:
 * p50/p99 until every allowed socket has the message, and from the server's metrics the longest event-loop
 * delay (perf_hooks.monitorEventLoopDelay, via prom-client) and the longest slice of the hub's fan-out.
 */
export interface TeamsOptions {
  agents: number;
  teams: number;
  contacts: number;
  rates: number[];
  stepSeconds: number;
}

export interface TeamsStep extends StepResult {
  /** Longest event-loop delay over the step (ms), the p99 of the delays sampled, the longest hub fan-out. */
  loopMaxMs: number;
  loopP99Ms: number;
  fanoutMaxMs: number;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 128 });
/** The set-up's requests on fresh connections: a kept-alive one the loaded server closes meanwhile resets. */
const once = new http.Agent({ keepAlive: false });

async function addAgent(port: number, owner: Session, ownerEmail: string, i: number): Promise<string> {
  const inv = await request(
    port,
    "POST",
    "/api/invitations",
    JSON.stringify({ email: `agent-${i}-${ownerEmail}`, role: "agent" }),
    authed(owner),
    once,
  );
  if (inv.status !== 201) throw new Error(`invitation ${inv.status} ${inv.body}`);
  const accepted = await request(
    port,
    "POST",
    "/api/invitations/accept",
    JSON.stringify({
      token: JSON.parse(inv.body).acceptUrl.split("/").pop(),
      name: `Agent ${i}`,
      password: PASSWORD,
    }),
    {},
    once,
  );
  if (accepted.status !== 201) throw new Error(`accept ${accepted.status} ${accepted.body}`);
  return accepted.cookie!;
}

export async function benchTeams(kind: "embedded" | "postgres", o: TeamsOptions, postmaster: number | null) {
  const { port, dataDir, env, child } = await startServer(kind, "teams-", { METRICS_TOKEN });
  const meter = cpuMeter(child.pid!, postmaster);
  try {
    const email = await createOwner(port, env, "Bench teams");
    const owner = await signIn(port, email, once);
    const { id: connectionId, secret } = await apiConnection(port, owner, "bench", once);
    // Agent i is invited and accepts as agent-i-<owner's email>; ten at a time (each accept hashes a password).
    const cookies = [owner.cookie];
    for (let i = 1; i < o.agents; i += 10) {
      const batch = Array.from({ length: Math.min(10, o.agents - i) }, (_, k) => i + k);
      const got = await Promise.all(batch.map((n) => addAgent(port, owner, email, n)));
      cookies.push(...got);
    }
    const users = JSON.parse(
      (await request(port, "GET", "/api/users", undefined, { cookie: owner.cookie }, once)).body,
    ).users as { id: string; email: string }[];
    const idOf = new Map(users.map((u) => [u.email, u.id]));
    const teams: string[] = [];
    for (let t = 0; t < o.teams; t++) {
      const r = await request(
        port,
        "POST",
        "/api/teams",
        JSON.stringify({ name: `Team ${t}` }),
        authed(owner),
        once,
      );
      if (r.status !== 201) throw new Error(`team ${r.status} ${r.body}`);
      teams.push(JSON.parse(r.body).team.id);
    }
    // Socket 0 is the owner's; socket i ≥ 1 is agent i's, a member of team (i - 1) mod teams.
    const teamSize = new Array<number>(o.teams).fill(0);
    for (let i = 1; i < o.agents; i++) {
      const team = (i - 1) % o.teams;
      const userId = idOf.get(`agent-${i}-${email}`);
      const r = await request(
        port,
        "PUT",
        `/api/teams/${teams[team]}/members/${userId}`,
        undefined,
        authed(owner),
        once,
      );
      if (r.status !== 200) throw new Error(`member ${r.status} ${r.body}`);
      teamSize[team]!++;
    }
    const sockets = await openSockets(`ws://127.0.0.1:${port}/api/realtime`, cookies);
    const send = async (id: string, n: number) => {
      const c = n % o.contacts;
      const body = JSON.stringify({
        type: "message",
        id,
        contact: { id: `c-${c}`, name: `Contact ${c}` },
        text: `message ${n}`,
      });
      const signature = `sha256=${crypto.createHmac("sha256", secret).update(body).digest("hex")}`;
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
    // Seed: one message per contact creates its conversation; the owner's socket tells which one.
    const conversationOf = new Map<number, string>();
    const onSeed = (data: WebSocket.RawData) => {
      const frame = JSON.parse(String(data)) as { event?: Ev; events?: Ev[] };
      for (const e of frame.events ?? (frame.event ? [frame.event] : [])) {
        const m = /^seed-(\d+)$/.exec(e.message?.providerMessageId ?? "");
        if (e.type === "message.created" && m) conversationOf.set(Number(m[1]), e.conversationId!);
      }
    };
    type Ev = { type: string; conversationId?: string; message?: { providerMessageId?: string | null } };
    sockets[0]!.on("message", onSeed);
    for (let i = 0; i < o.contacts; i += 50)
      await Promise.all(
        Array.from({ length: Math.min(50, o.contacts - i) }, (_, k) => send(`seed-${i + k}`, i + k)),
      );
    await waitFor(async () => conversationOf.size === o.contacts, "the seeded conversations");
    sockets[0]!.off("message", onSeed);
    for (let c = 0; c < o.contacts; c++) {
      const r = await request(
        port,
        "POST",
        `/api/conversations/${conversationOf.get(c)}/assign`,
        JSON.stringify({ assigneeId: null, teamId: teams[c % o.teams] }),
        authed(owner),
        once,
      );
      if (r.status !== 200) throw new Error(`assign ${r.status} ${r.body}`);
    }
    await waitFor(async () => (await pendingJobs(port)) === 0, "the set-up's jobs", 300_000);
    const audience: Audience = {
      size: (n) => 1 + teamSize[(n % o.contacts) % o.teams]!,
      allows: (socket, n) => socket === 0 || (socket - 1) % o.teams === (n % o.contacts) % o.teams,
    };
    const idsOf = (frame: Buffer) => findAll(frame, PROVIDER_ID_MARK);
    // Before the warm-up, which takes the whole pages logged just after a checkpoint (see prepareWal).
    // The steps' messages and the warm-up's (2 seconds).
    await prepareWalFor(
      kind,
      o.rates.reduce((a, r) => a + r, 0) * o.stepSeconds + 2 * Math.min(200, o.rates[0]!),
    );
    // Warm-up (JIT, caches), then the steps.
    await runStep(
      Math.min(200, o.rates[0]!),
      sockets,
      (id, n) => send(`warm-${id}`, n),
      idsOf,
      2,
      undefined,
      audience,
    );
    const steps: TeamsStep[] = [];
    for (const rate of o.rates) {
      await scrape(port);
      const step = await runStep(rate, sockets, send, idsOf, o.stepSeconds, meter, audience);
      const text = await scrape(port);
      const ms = (name: string) => sampleOf(text, name) * 1000;
      steps.push({
        ...step,
        loopMaxMs: ms("parley_nodejs_eventloop_lag_max_seconds"),
        loopP99Ms: ms("parley_nodejs_eventloop_lag_p99_seconds"),
        fanoutMaxMs: ms("parley_realtime_fanout_max_seconds"),
      });
      if (step.achieved < 0.5 * rate) break;
    }
    for (const s of sockets) s.close();
    return { steps, teamSize };
  } finally {
    await stopProcess(child);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

export function printTeams(title: string, steps: TeamsStep[]) {
  console.log(`\n${title}`);
  console.log(
    "  target/s  achieved/s  acked    to all   p50 ms  p99 ms  leaks  errors  loop max ms  loop p99 ms  hub fan-out max ms",
  );
  for (const s of steps)
    console.log(
      `  ${fmt(s.target).padStart(8)}  ${fmt(s.achieved).padStart(10)}  ${`${s.acked}/${s.sent}`.padStart(11)}  ${String(s.complete).padStart(6)}  ${fmt(s.p50, 1).padStart(6)}  ${fmt(s.p99, 1).padStart(6)}  ${String(s.leaks).padStart(5)}  ${String(s.errors).padStart(6)}  ${fmt(s.loopMaxMs, 1).padStart(11)}  ${fmt(s.loopP99Ms, 1).padStart(11)}  ${fmt(s.fanoutMaxMs, 1).padStart(18)}`,
    );
}
