import crypto from "node:crypto";
import WebSocket from "ws";
import { type CpuSample, type cpuMeter, idleSince, machineSample, perUnit, selfCpuMs } from "./cpu";

/**
 * The ingest benchmarks' load: open-loop steps of signed webhooks at a rate, each message timed until it has
 * reached every socket (bench/ingest.ts on one process, bench/cluster.ts on several).
 */

/** The p99 to all sockets a step must stay within to count as sustained. */
export const P99_TARGET_MS = 50;

export interface StepResult {
  target: number;
  sent: number;
  acked: number;
  achieved: number;
  complete: number;
  p50: number;
  p99: number;
  p50Ack: number;
  p99Ack: number;
  /** The webhook's own answer: from sending the request to its 200. */
  ackP50: number;
  ackP99: number;
  errors: number;
  /** Deliveries to a socket outside a message's audience (with an audience given). */
  leaks: number;
  /** Frames that carried at least one of the step's messages, per socket on average (each a socket write). */
  framesPerSocket: number;
  /** Bytes of those frames, per socket on average: what each socket received for the step's messages. */
  bytesPerSocket: number;
  /** CPU ms of the server (app) and the database (db) over the step, when measured. */
  cpu?: CpuSample;
  /** With the CPU: the load generator's own CPU ms over the step (this process). */
  loadCpu?: number;
  /** With the CPU: the share of the machine's CPU time left unused over the step (0–1). */
  idle?: number;
}

type Meter = ReturnType<typeof cpuMeter>;

/**
 * Who must receive message `n` (the n-th of a step): without one, every socket. `size(n)` is how many sockets
 * that is; `allows(i, n)` whether socket `i` is one of them (a delivery to another socket counts as a leak).
 */
export interface Audience {
  size(n: number): number;
  allows(socket: number, n: number): boolean;
}

export const ID_MARK = Buffer.from('"id":"');
export const PROVIDER_ID_MARK = Buffer.from('"providerMessageId":"');
const QUOTE = 0x22;

/**
 * The string values that follow `mark` in a frame. The load generator shares the machine with the server, so
 * it scans bytes natively instead of decoding and parsing every frame of 50 sockets.
 */
export function findAll(frame: Buffer, mark: Buffer): string[] {
  const out: string[] = [];
  let at = frame.indexOf(mark);
  while (at !== -1) {
    const start = at + mark.length;
    const end = frame.indexOf(QUOTE, start);
    if (end === -1) break;
    out.push(frame.toString("latin1", start, end));
    at = frame.indexOf(mark, end);
  }
  return out;
}

/**
 * Open-loop pacing: calls `each(i)` for i = 0 … total − 1, the i-th at `i / rate` seconds after the start
 * (at once when it is already late), and resolves with the start's `performance.now()`. The load does not wait
 * for answers: `each` starts a request and returns.
 */
export async function paced(rate: number, total: number, each: (i: number) => void): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < total; i++) {
    const wait = started + (i * 1000) / rate - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    each(i);
  }
  return started;
}

export const pct = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : Number.NaN;

/**
 * Open-loop load: `rate` messages per second for `stepSeconds`; each message's latency is measured until the
 * last of the sockets has received it. `send` posts one message; `idsOf` finds the message ids in a frame.
 */
export async function runStep(
  rate: number,
  sockets: WebSocket[],
  send: (id: string, n: number) => Promise<number>,
  idsOf: (frame: Buffer) => string[],
  stepSeconds: number,
  meter?: Meter,
  audience?: Audience,
): Promise<StepResult> {
  const sentAt = new Map<string, number>();
  const numberOf = new Map<string, number>();
  const ackAt = new Map<string, number>();
  const seenBy = new Map<string, number>();
  const doneAt = new Map<string, number>();
  let errors = 0;
  let leaks = 0;
  let frames = 0;
  let bytes = 0;
  const onFrame = (socket: number) => (data: WebSocket.RawData) => {
    const ids = idsOf(data as Buffer);
    if (ids.length > 0) {
      frames++;
      bytes += (data as Buffer).length;
    }
    for (const id of ids) {
      const n = numberOf.get(id);
      if (n === undefined) continue;
      if (audience && !audience.allows(socket, n)) {
        leaks++;
        continue;
      }
      const seen = (seenBy.get(id) ?? 0) + 1;
      seenBy.set(id, seen);
      if (seen === (audience ? audience.size(n) : sockets.length)) doneAt.set(id, performance.now());
    }
  };
  const handlers = sockets.map((s, i) => {
    const h = onFrame(i);
    s.on("message", h);
    return h;
  });
  const total = Math.round(rate * stepSeconds);
  const cpuFrom = meter?.sample();
  const loadFrom = selfCpuMs();
  const machineFrom = machineSample();
  const inflight: Promise<void>[] = [];
  const prefix = crypto.randomBytes(4).toString("hex");
  const started = await paced(rate, total, (i) => {
    const id = `${prefix}-${i}`;
    sentAt.set(id, performance.now());
    numberOf.set(id, i);
    inflight.push(
      send(id, i).then(
        (status) => {
          if (status === 200) ackAt.set(id, performance.now());
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
  const until = performance.now() + 5000;
  while (doneAt.size < ackAt.size && performance.now() < until) await new Promise((r) => setTimeout(r, 20));
  const cpu = meter && cpuFrom ? meter.since(cpuFrom) : undefined;
  const loadCpu = selfCpuMs() - loadFrom;
  const idle = idleSince(machineFrom);
  for (const [i, s] of sockets.entries()) s.off("message", handlers[i]!);
  const lat: number[] = [];
  const latAck: number[] = [];
  for (const [id, t] of doneAt) {
    lat.push(t - sentAt.get(id)!);
    const a = ackAt.get(id);
    if (a !== undefined) latAck.push(Math.max(0, t - a));
  }
  if (process.env.BENCH_TIMELINE) printTimeline(rate, started, sentAt, doneAt);
  lat.sort((a, b) => a - b);
  latAck.sort((a, b) => a - b);
  const ackLat = [...ackAt].map(([id, t]) => t - sentAt.get(id)!).sort((a, b) => a - b);
  return {
    target: rate,
    sent: total,
    acked: ackAt.size,
    achieved: ackAt.size / sendWindow,
    complete: doneAt.size,
    p50: pct(lat, 50),
    p99: pct(lat, 99),
    p50Ack: pct(latAck, 50),
    p99Ack: pct(latAck, 99),
    ackP50: pct(ackLat, 50),
    ackP99: pct(ackLat, 99),
    errors,
    leaks,
    framesPerSocket: frames / sockets.length,
    bytesPerSocket: bytes / sockets.length,
    ...(cpu ? { cpu, loadCpu, ...(idle === undefined ? {} : { idle }) } : {}),
  };
}

/**
 * BENCH_TIMELINE=1: a step's latency to all sockets second by second (by when each message was sent), to see
 * whether a tail is spread over the step or comes from one moment (a collection, a scheduled task).
 */
function printTimeline(
  rate: number,
  started: number,
  sentAt: Map<string, number>,
  doneAt: Map<string, number>,
) {
  const seconds: number[][] = [];
  for (const [id, done] of doneAt) {
    const sent = sentAt.get(id)!;
    const second = Math.floor((sent - started) / 1000);
    seconds[second] ??= [];
    seconds[second].push(done - sent);
  }
  const at = new Date(Date.now() - (performance.now() - started)).toISOString();
  console.log(
    `  timeline of the ${rate}/s step from ${at} (second: messages, p50 / p99 / max ms to all sockets)`,
  );
  for (const [i, l] of seconds.entries()) {
    if (!l) continue;
    l.sort((a, b) => a - b);
    console.log(
      `    ${String(i).padStart(3)} s: ${String(l.length).padStart(5)}  ${fmt(pct(l, 50), 1)} / ${fmt(pct(l, 99), 1)} / ${fmt(l.at(-1)!, 1)}`,
    );
  }
}

export function openSockets(url: string, cookies: (string | undefined)[]): Promise<WebSocket[]> {
  return Promise.all(
    cookies.map(
      (cookie) =>
        new Promise<WebSocket>((resolve, reject) => {
          const ws = new WebSocket(url, cookie ? { headers: { cookie } } : {});
          ws.once("open", () => resolve(ws));
          ws.once("error", reject);
        }),
    ),
  );
}

export const fmt = (n: number, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : "-");

export function printSteps(title: string, steps: StepResult[]) {
  console.log(`\n${title}`);
  // Each column as wide as its widest value or its name.
  const columns: [string, number, (s: StepResult) => string][] = [
    ["target/s", 8, (s) => fmt(s.target)],
    ["achieved/s", 10, (s) => fmt(s.achieved)],
    ["acked", 11, (s) => `${s.acked}/${s.sent}`],
    ["to all", 6, (s) => String(s.complete)],
    ["p50 ms", 6, (s) => fmt(s.p50, 1)],
    ["p99 ms", 6, (s) => fmt(s.p99, 1)],
    ["p50 from 200", 12, (s) => fmt(s.p50Ack, 1)],
    ["p99 from 200", 12, (s) => fmt(s.p99Ack, 1)],
    ["errors", 6, (s) => String(s.errors)],
    ["msgs/frame", 10, (s) => fmt(s.acked / s.framesPerSocket, 1)],
    ["bytes/msg", 9, (s) => fmt(s.bytesPerSocket / s.acked)],
  ];
  const row = (cells: string[]) => `  ${cells.map((c, i) => c.padStart(columns[i]![1])).join("  ")}`;
  const cpu = (s: StepResult) => (s.cpu ? perUnit(s.cpu, s.acked) : "-");
  const load = (s: StepResult) => (s.loadCpu === undefined ? "-" : fmt(s.loadCpu / s.acked, 3));
  const idle = (s: StepResult) => (s.idle === undefined ? "-" : `${fmt(s.idle * 100)} %`);
  console.log(
    `${row(columns.map(([name]) => name))}  ${"CPU ms per message".padEnd(33)}  ${"load ms".padStart(7)}  ${"idle".padStart(5)}`,
  );
  for (const s of steps)
    console.log(
      `${row(columns.map(([, , value]) => value(s)))}  ${cpu(s).padEnd(33)}  ${load(s).padStart(7)}  ${idle(s).padStart(5)}`,
    );
}

/** Highest step whose achieved rate kept up (≥ 95 %), delivered everything to all sockets, within the p99 target. */
export function sustained(steps: StepResult[]) {
  const ok = steps.filter(
    (s) =>
      s.achieved >= 0.95 * s.target && s.complete === s.acked && s.errors === 0 && s.p99 <= P99_TARGET_MS,
  );
  return ok.at(-1) ?? null;
}
