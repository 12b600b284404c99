import { metricValue } from "../apps/server/src/testing/metrics-text";
import { fmt } from "./ingest-harness";

/** The bearer token the benchmark's servers are started with (METRICS_TOKEN), for their /metrics. */
export const METRICS_TOKEN = "bench-metrics-token-0123456789";

/** The server's /metrics text (reading it resets the event-loop delay histogram and the hub's longest fan-out). */
export async function scrape(port: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`, {
    headers: { authorization: `Bearer ${METRICS_TOKEN}` },
  });
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  return res.text();
}

/** An unlabelled sample's value in a /metrics text, or NaN when the text does not have it. */
export const sampleOf = (text: string, name: string): number =>
  text.includes(`\n${name} `) ? metricValue(text, name) : Number.NaN;

/** Notification fan-out jobs pending or running in the server's queue, from its metrics. */
export async function pendingJobs(port: number): Promise<number> {
  return metricValue(await scrape(port), "parley_jobs", { type: "notify.events" });
}

/** The ingest queue's histograms as the server counts them: taken before and after a step. */
export interface QueueSample {
  transactions: number;
  transactionSeconds: number;
  submissions: number;
  waits: number;
  waitSeconds: number;
}

export async function queueSample(port: number): Promise<QueueSample> {
  const text = await scrape(port);
  const m = (name: string) => metricValue(text, name);
  return {
    transactions: m("parley_ingest_transaction_seconds_count"),
    transactionSeconds: m("parley_ingest_transaction_seconds_sum"),
    submissions: m("parley_ingest_batch_submissions_sum"),
    waits: m("parley_ingest_wait_seconds_count"),
    waitSeconds: m("parley_ingest_wait_seconds_sum"),
  };
}

/** What a step did in the ingest queue: its transactions, their size and length, and the webhooks' wait. */
export interface QueueStep {
  target: number;
  transactions: number;
  /** Webhooks a transaction, on average. */
  perTransaction: number;
  /** A transaction's length, on average (ms). */
  transactionMs: number;
  /** A webhook's wait for its transaction to start, on average (ms). */
  waitMs: number;
}

export function queueStep(target: number, from: QueueSample, to: QueueSample): QueueStep {
  const transactions = to.transactions - from.transactions;
  const waits = to.waits - from.waits;
  return {
    target,
    transactions,
    perTransaction: (to.submissions - from.submissions) / transactions,
    transactionMs: ((to.transactionSeconds - from.transactionSeconds) * 1000) / transactions,
    waitMs: ((to.waitSeconds - from.waitSeconds) * 1000) / waits,
  };
}

export function printQueue(steps: QueueStep[]) {
  if (steps.length === 0) return;
  console.log("\nIngest queue per step (the server's metrics; averages)");
  console.log("  target/s  transactions  webhooks a transaction  transaction ms  a webhook's wait ms");
  for (const s of steps)
    console.log(
      `  ${fmt(s.target).padStart(8)}  ${fmt(s.transactions).padStart(12)}  ${fmt(s.perTransaction, 1).padStart(22)}  ${fmt(s.transactionMs, 1).padStart(14)}  ${fmt(s.waitMs, 1).padStart(19)}`,
    );
}
