import type { Logger } from "pino";
import type { ChannelRegistry } from "./channels/registry";
import type { Config } from "./config";
import { type Db, prepared, type Queryable, type TxOptions } from "./db/client";
import type { EventBus } from "./events/bus";
import { JOB_EVENTS, notifiableSpan } from "./events/notifiable";
import { currentCause, RULES_JOB, triggersRules } from "./events/rule-triggers";
import { appendEventsAtCommit, type EventDraft, type StoredEvent } from "./events/store";
import { type EnqueueOptions, enqueueJob, enqueueJobs, type JobRunner } from "./jobs/queue";
import type { SecretBox } from "./lib/crypto";
import type { LimitStore } from "./lib/limits";
import type { Clock } from "./lib/time";
import type { IngestQueue } from "./modules/ingest/ingest-queue";
import type { BlobStore } from "./storage/blob-store";

/** Everything a command needs, built once by the composition root (main.ts / app.ts). */
export interface AppContext {
  config: Config;
  db: Db;
  bus: EventBus;
  clock: Clock;
  log: Logger;
  secrets: SecretBox;
  jobs: JobRunner;
  channels: ChannelRegistry;
  /** Where webhooks hand their events (group commit). */
  ingest: IngestQueue;
  blobs: BlobStore;
  /** Where rate limits count: PostgreSQL, or Redis with `REDIS_URL` (lib/limit-store.ts). */
  limits: LimitStore;
}

/** The handle a command gets inside its transaction. */
export interface Tx {
  q: Queryable;
  now: Date;
  /** Records a domain event; it is written at the end of the transaction and published after commit. */
  emit(workspaceId: string, draft: EventDraft): void;
  /** Enqueues a durable job in this transaction; workers are woken after commit. */
  enqueue(type: string, payload: unknown, opts?: EnqueueOptions): Promise<void>;
  /** Enqueues many jobs with one statement (see enqueueJobs). */
  enqueueMany(jobs: { type: string; payload: unknown; opts?: EnqueueOptions }[]): Promise<void>;
}

/**
 * Runs a command in one transaction: its changes, its domain events and its jobs commit together.
 * Events are appended last (the workspace's sequence lock is held only briefly) and published to the
 * realtime bus after commit; job workers are woken after commit, with no polling delay.
 */
export async function transact<T>(ctx: AppContext, fn: (tx: Tx) => Promise<T>, opts?: TxOptions): Promise<T> {
  // A deadlock or serialization failure rolls the whole transaction back: running it again is safe.
  for (let attempt = 1; ; attempt++) {
    try {
      return await transactOnce(ctx, fn, opts);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (attempt >= 3 || (code !== "40P01" && code !== "40001")) throw err;
      ctx.log.warn({ code, attempt }, "transaction retried after a deadlock or serialization failure");
    }
  }
}

/** The job workers' wake-up: the payload names this process's runner, which is woken directly (see JobRunner.origin). */
const WAKE = prepared("jobs.wake", "select pg_notify('parley_jobs', $1)");

async function transactOnce<T>(ctx: AppContext, fn: (tx: Tx) => Promise<T>, opts?: TxOptions): Promise<T> {
  let jobsEnqueued = false;
  /** Each workspace's append, sent with the COMMIT: its events once the transaction has committed. */
  const appended: Promise<{ events: StoredEvent[]; jobs: number }>[] = [];
  const result = await ctx.db.tx(async (q) => {
    const now = ctx.clock.now();
    const drafts = new Map<string, EventDraft[]>();
    const tx: Tx = {
      q,
      now,
      emit(workspaceId, draft) {
        const list = drafts.get(workspaceId) ?? [];
        list.push(draft);
        drafts.set(workspaceId, list);
      },
      async enqueue(type, payload, opts) {
        // Due at once: by the earlier of this clock and the database's (see EnqueueOptions.now).
        await enqueueJob(q, type, payload, { now, ...opts });
        jobsEnqueued = true;
      },
      async enqueueMany(jobs) {
        if (!jobs.length) return;
        await enqueueJobs(
          q,
          jobs.map((j) => ({ ...j, opts: { now, ...j.opts } })),
        );
        jobsEnqueued = true;
      },
    };
    const value = await fn(tx);
    // Workspaces in a fixed order: two transactions touching the same two never wait on each other in a circle.
    // Inside a rule's action, every event names the rule (it never runs again on its own changes).
    const cause = currentCause();
    const appends = [...drafts]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([workspaceId, drafted]) => {
        const list = cause ? drafted.map((d) => ({ ...d, cause })) : drafted;
        return { workspaceId, list, span: notifiableSpan(list), rules: triggersRules(list) };
      });
    // The job workers' wake-up (a NOTIFY is delivered at commit whatever its place) rides in the event
    // appends: each sends it if it wrote a job (the fan-out, or the rules job where a rule is on), the first
    // one also when the command enqueued jobs itself. Identical notifications of a transaction are delivered
    // once. A transaction that enqueued jobs and appends no events sends it as a statement of its own.
    const wakeAnyway = jobsEnqueued;
    const postgres = ctx.db.kind === "postgres";
    if (wakeAnyway && appends.length === 0 && postgres) await q.query(WAKE, [ctx.jobs.origin]);
    for (const [i, { workspaceId, list, span, rules }] of appends.entries()) {
      const always = wakeAnyway && i === 0;
      // One statement under the workspace's lock: the events, the fan-out job over them (agent
      // notifications are worked out by a worker from these events, never in the writer's time) and the
      // bus's notice. It goes with the COMMIT, in the same round trip, after the workspaces before it: the
      // locks are taken in the same order by every transaction, and none is held across a wait for us.
      const { stored } = await appendEventsAtCommit(q, workspaceId, list, now, {
        rangeJob: span ? { type: JOB_EVENTS, ...span } : null,
        rulesJob: rules ? RULES_JOB : null,
        notice: ctx.bus.notice(workspaceId),
        wake:
          postgres && (span || rules || always)
            ? { channel: "parley_jobs", payload: ctx.jobs.origin, always }
            : null,
      });
      stored.catch(() => {}); // its error is the transaction's, thrown by tx
      appended.push(stored);
    }
    return value;
  }, opts);
  // What an append found wrong after the commit (its workspace deleted meanwhile) is thrown once what did
  // commit has been published and the workers woken.
  const published: StoredEvent[] = [];
  let appendFailed: unknown = null;
  for (const stored of appended) {
    try {
      const { events, jobs } = await stored;
      if (jobs > 0) jobsEnqueued = true;
      published.push(...events);
    } catch (err) {
      appendFailed ??= err;
    }
  }
  ctx.bus.publish(published);
  if (jobsEnqueued) ctx.jobs.wake();
  if (appendFailed) throw appendFailed;
  return result;
}
