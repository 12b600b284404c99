import crypto from "node:crypto";
import type { z } from "zod";
import { type Db, prepared, type Queryable } from "../db/client";
import { withLogContext } from "../lib/log-context";
import { type Clock, dbTimeParams } from "../lib/time";
import { JOB_LANES, type JobLane } from "./lanes";

/** The database's time as the application's clock sees it, from the two parameters of `dbTimeParams`. */
const dbNow = (a: number, b: number) =>
  `coalesce($${a}::timestamptz, now() + $${b}::double precision * interval '1 millisecond')`;

/** A typed job: a name, a zod payload schema, a handler, retry policy and a hook when it is given up. */
export interface JobDefinition<S extends z.ZodType = z.ZodType> {
  type: string;
  payload: S;
  maxAttempts?: number;
  /** Backoff before attempt n+1 (ms). */
  backoffMs?: (attempt: number) => number;
  run(payload: z.infer<S>, job: { id: number; attempt: number }): Promise<void>;
  /** Called once when the job is given up (dead-lettered). */
  onDead?(payload: z.infer<S>, error: unknown): Promise<void>;
  /**
   * Jobs of this type that are due together run together: with each job it starts, the runner claims up to
   * `gather.max` more due jobs of the same type and workspace and hands all their payloads to
   * `gather.run` (instead of `run`), so a backlog of small jobs becomes a few large ones. They end alike:
   * all done, or each retried (or given up) as it would have been alone.
   */
  gather?: { max: number; run(payloads: z.infer<S>[]): Promise<void> };
}

/** A job the handler asks to retry at a set time (e.g. a provider's retry_after), not counted as failure. */
export class RetryLater extends Error {
  constructor(
    public readonly afterMs: number,
    message: string,
    /** The exact time to run again, where the handler already told someone (a message's "waiting until"). */
    public readonly at?: Date,
  ) {
    super(message);
  }
}

/** A failure no retry can fix: the job is dead at once. */
export class PermanentFailure extends Error {}

export interface EnqueueOptions {
  runAt?: Date;
  /**
   * The enqueuing process's reading of now, for a job to run at once: it is due at the earlier of this and
   * the database's now(), so a machine whose clock runs ahead does not hold its jobs back (and a test's
   * frozen clock still decides). Ignored when `runAt` is given.
   */
  now?: Date;
  idempotencyKey?: string;
  workspaceId?: string;
  maxAttempts?: number;
}

/** SQL LIKE as a regular expression (`%` any run, `_` one character), to tell which lane claimed a job. */
function likeMatcher(pattern: string): RegExp {
  const body = [...pattern]
    .map((ch) => (ch === "%" ? ".*" : ch === "_" ? "." : ch.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
    .join("");
  return new RegExp(`^${body}$`, "s");
}

/** What a claim reads of a job (the workspace: gathered jobs are of one type and workspace). */
const JOB_ROW = "id, type, payload, attempts, max_attempts, workspace_id";

/** Due jobs for every lane with free slots (`$3`: each lane's free slots, LIKE patterns and whether they exclude). */
const CLAIM = prepared(
  "jobs.claim",
  `update jobs set status = 'running', attempts = attempts + 1,
         locked_until = now() + $2::double precision * interval '1 millisecond', updated_at = $1
       where id in (
         select j.id from jsonb_to_recordset($3::jsonb) as l(free int, patterns text[], exclude boolean)
         cross join lateral (
           select id from jobs
           where ((status = 'pending' and run_at <= ${dbNow(4, 5)}) or (status = 'running' and locked_until < now()))
             and (type like any(l.patterns)) is distinct from l.exclude
           order by run_at limit l.free for update skip locked) j)
       returning ${JOB_ROW}`,
);

const FINISH = prepared(
  "jobs.finish",
  "update jobs set status = $2, last_error = $3, locked_until = null, updated_at = $4 where id = any($1::bigint[])",
);

const defaultBackoff = (attempt: number) => Math.min(2 ** attempt * 1000, 15 * 60_000);

/** Inserts a job row; call inside the transaction that makes the job necessary. */
export async function enqueueJob(q: Queryable, type: string, payload: unknown, opts: EnqueueOptions = {}) {
  await enqueueJobs(q, [{ type, payload, opts }]);
}

/**
 * Inserts jobs with one statement (a batch of notifications enqueues its deliveries at once): each runs at
 * `runAt`, else now (the movable clock's `now` when it is earlier than the database's); a key repeated in
 * the list, or already taken, inserts once.
 */
export async function enqueueJobs(
  q: Queryable,
  jobs: { type: string; payload: unknown; opts?: EnqueueOptions }[],
) {
  if (!jobs.length) return;
  await q.query(
    `insert into jobs (type, payload, run_at, idempotency_key, workspace_id, max_attempts)
     select j.type, j.payload, coalesce(j.run_at, least(j.now, now())), j.key, j.workspace_id, coalesce(j.max_attempts, 8)
     from unnest($1::text[], $2::jsonb[], $3::timestamptz[], $4::text[], $5::uuid[], $6::int[], $7::timestamptz[])
       with ordinality as j(type, payload, run_at, key, workspace_id, max_attempts, now, n)
     order by j.n
     on conflict (idempotency_key) do nothing`,
    [
      jobs.map((j) => j.type),
      jobs.map((j) => JSON.stringify(j.payload)),
      jobs.map((j) => j.opts?.runAt ?? null),
      jobs.map((j) => j.opts?.idempotencyKey ?? null),
      jobs.map((j) => j.opts?.workspaceId ?? null),
      jobs.map((j) => j.opts?.maxAttempts ?? null),
      jobs.map((j) => j.opts?.now ?? null),
    ],
  );
}

/** How one attempt ended: done, given up, failed and to be retried, or put off by the handler (rate limit). */
export type JobOutcome = "done" | "dead" | "retried" | "deferred";

interface JobRow {
  id: number;
  type: string;
  payload: unknown;
  attempts: number;
  max_attempts: number;
  workspace_id: string | null;
}

/**
 * A durable queue in the application database: a job commits together with the change that needs it,
 * is claimed with FOR UPDATE SKIP LOCKED (so several workers share it), retried with backoff, and
 * dead-lettered after its last attempt. `wake()` runs due jobs at once: sending a reply never waits for
 * the polling interval, which only picks up retries and jobs from other processes.
 *
 * Time is the database's: a lease is `now() + lockMs` and expires by `now()`, so machines whose clocks
 * disagree never take each other's running jobs; jobs fall due by `now()` too, moved only by a test clock
 * (`Clock.dbTime`). Job slots are split into lanes (see lanes.ts), each claiming its own types.
 */
export class JobRunner {
  /**
   * This runner's name in the wake-up NOTIFY its process's transactions send (`parley_jobs`): it was woken
   * directly after that commit, so the notice coming back to it is skipped (other processes' are not).
   */
  readonly origin = crypto.randomUUID();
  private readonly defs = new Map<string, JobDefinition>();
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private again = false;
  private stopped = true;
  private readonly inFlight = new Set<Promise<void>>();
  private ticking: Promise<void> | null = null;
  private readonly busy = new Map<string, number>();
  private readonly lanes: { lane: JobLane; patterns: string[]; exclude: boolean; matchers: RegExp[] }[];

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly opts: {
      pollMs: number;
      lockMs: number;
      /** The lanes and their concurrency (JOB_LANES unless a test sets others). */
      lanes?: readonly JobLane[];
      onError: (err: unknown, job?: { id: number; type: string }) => void;
      /** After each attempt: how it ended and how long it took (metrics). */
      onOutcome?: (type: string, outcome: JobOutcome, ms: number) => void;
    },
  ) {
    const lanes = opts.lanes ?? JOB_LANES;
    const named = lanes.flatMap((l) => l.types);
    // A lane without patterns takes every type no other lane names.
    this.lanes = lanes.map((lane) =>
      lane.types.length
        ? { lane, patterns: [...lane.types], exclude: false, matchers: lane.types.map(likeMatcher) }
        : { lane, patterns: named, exclude: true, matchers: [] },
    );
  }

  register<S extends z.ZodType>(def: JobDefinition<S>) {
    if (this.defs.has(def.type)) throw new Error(`job type ${def.type} registered twice`);
    this.defs.set(def.type, def as unknown as JobDefinition);
  }

  start() {
    this.stopped = false;
    this.schedule(0);
  }

  async stop() {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    // A claim under way when stopping starts its jobs after it returns: wait for it, then for them.
    await this.ticking;
    await Promise.allSettled([...this.inFlight]);
  }

  /** The wake-up NOTIFY's payload (see `origin`): another process's, or an empty one, wakes this runner. */
  notified(payload: string) {
    if (payload !== this.origin) this.wake();
  }

  wake() {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.schedule(0);
  }

  private schedule(ms: number) {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.ticking = this.tick();
    }, ms);
    this.timer.unref?.();
  }

  private async tick() {
    if (this.stopped || this.running) return;
    this.running = true;
    try {
      do {
        this.again = false;
        // Every lane with a free slot, in one statement: a wake costs one round trip, not one per lane.
        const open = this.lanes
          .map((lane) => ({ lane, free: lane.lane.concurrency - (this.busy.get(lane.lane.name) ?? 0) }))
          .filter((l) => l.free > 0);
        if (open.length === 0 || this.stopped) break;
        const jobs = await this.claim(
          open.map((l) => ({ free: l.free, patterns: l.lane.patterns, exclude: l.lane.exclude })),
        );
        const claimed = new Map<string, number>();
        for (const job of jobs) {
          const name = this.laneOf(job.type);
          claimed.set(name, (claimed.get(name) ?? 0) + 1);
          this.busy.set(name, (this.busy.get(name) ?? 0) + 1);
          const p = this.execute(job).finally(() => {
            this.inFlight.delete(p);
            this.busy.set(name, (this.busy.get(name) ?? 1) - 1);
            this.wake();
          });
          this.inFlight.add(p);
        }
        // A lane that took as many as it had room for may have more waiting.
        if (open.some((l) => (claimed.get(l.lane.lane.name) ?? 0) >= l.free)) this.again = true;
      } while (this.again && !this.stopped);
    } catch (err) {
      this.opts.onError(err);
    } finally {
      this.running = false;
      if (!this.stopped) this.schedule(this.opts.pollMs);
    }
  }

  /** The lane that claims a job type: the first whose patterns match, else the lane of every other type. */
  private laneOf(type: string): string {
    const named = this.lanes.find((l) => !l.exclude && l.matchers.some((m) => m.test(type)));
    return (named ?? this.lanes.find((l) => l.exclude) ?? this.lanes[0]!).lane.name;
  }

  private async claim(lanes: { free: number; patterns: string[]; exclude: boolean }[]): Promise<JobRow[]> {
    // Due pending jobs, and running jobs whose worker died (lease expired by the database's clock), up to each
    // lane's free slots among the types it claims.
    return this.db.query<JobRow>(CLAIM, [
      this.clock.now(),
      this.opts.lockMs,
      JSON.stringify(lanes),
      ...dbTimeParams(this.clock),
    ]);
  }

  /** Runs one claimed job; every log line written meanwhile carries its id and type. */
  private async execute(job: JobRow) {
    const started = performance.now();
    const outcome = await withLogContext({ jobId: job.id, jobType: job.type }, () => this.attempt(job));
    this.opts.onOutcome?.(job.type, outcome, performance.now() - started);
  }

  /** Due pending jobs of the job's type and workspace, claimed to run with it (JobDefinition.gather). */
  private async claimSiblings(job: JobRow, max: number): Promise<JobRow[]> {
    return this.db.query<JobRow>(
      `update jobs set status = 'running', attempts = attempts + 1,
         locked_until = now() + $2::double precision * interval '1 millisecond', updated_at = $1
       where id in (
         select id from jobs
         where status = 'pending' and run_at <= ${dbNow(7, 8)} and type = $4
           and workspace_id is not distinct from $5::uuid and id <> $6
         order by run_at, id limit $3 for update skip locked)
       returning ${JOB_ROW}`,
      [
        this.clock.now(),
        this.opts.lockMs,
        max,
        job.type,
        job.workspace_id,
        job.id,
        ...dbTimeParams(this.clock),
      ],
    );
  }

  private async attempt(job: JobRow): Promise<JobOutcome> {
    const def = this.defs.get(job.type);
    if (!def) {
      await this.finish([job.id], "dead", `no handler registered for job type ${job.type}`);
      return "dead";
    }
    const group: { job: JobRow; payload: unknown }[] = [];
    for (const j of [job, ...(def.gather ? await this.claimSiblings(job, def.gather.max) : [])]) {
      const parsed = def.payload.safeParse(j.payload);
      if (parsed.success) group.push({ job: j, payload: parsed.data });
      else await this.finish([j.id], "dead", `invalid payload: ${parsed.error.message}`);
    }
    if (!group.length) return "dead";
    try {
      if (def.gather) await def.gather.run(group.map((g) => g.payload));
      else await def.run(group[0]!.payload, { id: job.id, attempt: job.attempts });
      await this.finish(
        group.map((g) => g.job.id),
        "done",
        null,
      );
      return "done";
    } catch (err) {
      const outcomes = await Promise.all(group.map((g) => this.failed(def, g.job, g.payload, err)));
      return outcomes[0]!;
    }
  }

  /** What an attempt that threw does to one job: retried later, or given up. */
  private async failed(def: JobDefinition, job: JobRow, payload: unknown, err: unknown): Promise<JobOutcome> {
    const message = err instanceof Error ? err.message : String(err);
    if (err instanceof RetryLater) {
      // Not the job's fault (rate limit): don't burn an attempt.
      // An exact time the handler already told someone is kept to the millisecond.
      await this.retry(job.id, err.at ?? null, err.afterMs, message, true);
      return "deferred";
    }
    const maxAttempts = def.maxAttempts ?? job.max_attempts;
    if (err instanceof PermanentFailure || job.attempts >= maxAttempts) {
      await this.finish([job.id], "dead", message);
      try {
        await def.onDead?.(payload, err);
      } catch (hookErr) {
        this.opts.onError(hookErr, job);
      }
      return "dead";
    }
    this.opts.onError(err, job);
    await this.retry(job.id, null, (def.backoffMs ?? defaultBackoff)(job.attempts), message, false);
    return "retried";
  }

  /** Back to pending, due at `at` or `afterMs` from the database's now (as the clock sees it). */
  private async retry(id: number, at: Date | null, afterMs: number, error: string, refund: boolean) {
    await this.db.query(
      `update jobs set status = 'pending', last_error = $3, locked_until = null, updated_at = $4,
         run_at = coalesce($2, ${dbNow(7, 8)} + $6::double precision * interval '1 millisecond'),
         attempts = attempts - $5
       where id = $1`,
      [id, at, error, this.clock.now(), refund ? 1 : 0, afterMs, ...dbTimeParams(this.clock)],
    );
  }

  private async finish(ids: number[], status: "done" | "dead", error: string | null) {
    await this.db.query(FINISH, [ids, status, error, this.clock.now()]);
  }
}
