import type http from "node:http";
import path from "node:path";
import { type CpuSample, cpuMeter } from "./cpu";
import { findAll, ID_MARK, openSockets, paced, runStep, type StepResult } from "./ingest-harness";
import { freePort, ROOT, request, startProcess, waitFor } from "./lib";

/**
 * The ingest benchmark's bare baselines, measured at the same rates as Parley: a bare HTTP server (the relay
 * with no socket: POST → 200) and a bare relay (HTTP POST → the agents' WebSockets, no database), both in
 * one process (bench/ws-relay.ts) whose CPU is measured.
 */
export interface BaselineOptions {
  rates: number[];
  stepSeconds: number;
  agents: number;
  contacts: number;
  /** The load's HTTP agent (its connections), as Parley's steps use. */
  agent: http.Agent;
}

/** Posts the `n`-th message, with id `id`, to the relay: what the benchmark's webhooks carry, unsigned. */
const postMessage = (o: BaselineOptions, port: number, id: string, n: number) =>
  request(
    port,
    "POST",
    "/",
    JSON.stringify({ type: "message", id, contact: { id: `c-${n % o.contacts}` }, text: `message ${n}` }),
    {},
    o.agent,
  );

/** The bare HTTP baseline of one rate: requests answered and the relay process's CPU per request. */
export interface HttpStep {
  target: number;
  achieved: number;
  acked: number;
  cpu: CpuSample;
}

/**
 * The least a webhook costs the server before any work: the relay with no socket connected answers each POST
 * with 200 and nothing else. Open loop at `rate` for the step's length; CPU of the relay process per request.
 */
async function bareHttpStep(
  o: BaselineOptions,
  port: number,
  rate: number,
  meter: ReturnType<typeof cpuMeter>,
  seconds = o.stepSeconds,
): Promise<HttpStep> {
  const total = Math.round(rate * seconds);
  const from = meter.sample();
  const inflight: Promise<number>[] = [];
  const started = await paced(rate, total, (i) => {
    inflight.push(
      postMessage(o, port, `h-${i}`, i).then(
        (r) => r.status,
        () => 0,
      ),
    );
  });
  const acked = (await Promise.all(inflight)).filter((status) => status === 200).length;
  const achieved = acked / ((performance.now() - started) / 1000);
  return { target: rate, achieved, acked, cpu: meter.since(from) };
}

export async function relayBaseline(o: BaselineOptions): Promise<{ relay: StepResult[]; http: HttpStep[] }> {
  const port = await freePort();
  const child = startProcess([path.join(ROOT, "bench/ws-relay.ts")], { PORT: String(port) });
  try {
    await waitFor(async () => {
      const res = await fetch(`http://127.0.0.1:${port}/`);
      await res.text();
      return res.status > 0;
    }, "the relay");
    const meter = cpuMeter(child.pid!, null);
    // First with no socket connected: the HTTP request alone, after a second of warm-up (JIT, connections).
    await bareHttpStep(o, port, o.rates[0]!, meter, 1);
    const http: HttpStep[] = [];
    for (const rate of o.rates) http.push(await bareHttpStep(o, port, rate, meter));
    const sockets = await openSockets(
      `ws://127.0.0.1:${port}`,
      Array.from({ length: o.agents }, () => undefined),
    );
    const steps: StepResult[] = [];
    for (const rate of o.rates) {
      steps.push(
        await runStep(
          rate,
          sockets,
          async (id, n) => (await postMessage(o, port, id, n)).status,
          (frame) => findAll(frame, ID_MARK),
          o.stepSeconds,
          meter,
        ),
      );
    }
    for (const s of sockets) s.close();
    return { relay: steps, http };
  } finally {
    child.kill("SIGKILL");
  }
}
