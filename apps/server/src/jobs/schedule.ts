import type { Db } from "../db/client";
import { type Clock, dbTimeParams } from "../lib/time";

/** A task the worker role runs once per period across all processes. */
export interface ScheduledTask {
  /** Unique name; the key of its slots in `scheduled_runs`. */
  name: string;
  everyMs: number;
  /** `signal` is aborted when the schedule stops: a long pass ends at its next step, keeping what it did. */
  run(signal: AbortSignal): Promise<unknown>;
}

/** The database's "now" on the schedule's clock: `$3` and `$4` of its statements (see `dbTimeParams`). */
const NOW = "coalesce($3::timestamptz, now() + $4::double precision * interval '1 millisecond')";

/** How often a running task marks its run alive: half its period, between one second and a minute. */
const beatOf = (everyMs: number) => Math.min(60_000, Math.max(1000, Math.floor(everyMs / 2)));

/**
 * Runs scheduled tasks once per slot across the cluster. A slot is a period on the database's clock
 * (`floor(epoch ms / everyMs)`); every worker looks twice a period, and only the one whose
 * `insert … on conflict do nothing` on (task, slot) inserts the row runs the task.
 *
 * A slot is not taken while the task's previous run is still going, on this worker or another: a pass that
 * outlasts its period (the search vocabulary catching up on a large import) is not started again beside
 * itself every period. The running worker marks its run alive each beat (`beatMs`, half the period by
 * default); a worker that dies while running stops holding the task back once its mark is three beats old,
 * and the next slot runs the task again (every task here is idempotent and catches up on what the previous
 * one missed).
 */
export class Schedule {
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly running = new Set<Promise<unknown>>();
  private stopping = new AbortController();

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly tasks: readonly ScheduledTask[],
    private readonly onError: (err: unknown, task: string) => void,
    private readonly beatMs?: number,
  ) {
    const names = new Set(tasks.map((t) => t.name));
    if (names.size !== tasks.length) throw new Error("scheduled task names must be unique");
  }

  start() {
    if (this.stopping.signal.aborted) this.stopping = new AbortController();
    for (const task of this.tasks) {
      const timer = setInterval(() => void this.runIfDue(task), Math.max(1, Math.floor(task.everyMs / 2)));
      timer.unref();
      this.timers.push(timer);
    }
  }

  /** Stops looking, asks the runs in progress to end (their signal) and waits for them. */
  async stop() {
    for (const t of this.timers) clearInterval(t);
    this.timers.length = 0;
    this.stopping.abort();
    await Promise.allSettled([...this.running]);
  }

  /** Looks at every task now: runs those whose current slot no process has taken. Returns the names run. */
  async tick(): Promise<string[]> {
    const ran = await Promise.all(this.tasks.map(async (t) => ((await this.runIfDue(t)) ? t.name : null)));
    return ran.filter((n): n is string => n !== null);
  }

  /**
   * Claims the task's current slot, unless a run of it is still alive; runs the task when this process took
   * it. The claim counts as running: `stop()` waits for it, and a slot claimed as the schedule stopped is
   * given back unrun for another worker to take.
   */
  private runIfDue(task: ScheduledTask): Promise<boolean> {
    const { signal } = this.stopping;
    if (signal.aborted) return Promise.resolve(false);
    const p = this.claimAndRun(task, signal);
    this.running.add(p);
    return p.finally(() => this.running.delete(p));
  }

  private async claimAndRun(task: ScheduledTask, signal: AbortSignal): Promise<boolean> {
    const beat = this.beatMs ?? beatOf(task.everyMs);
    const time = dbTimeParams(this.clock);
    let claimed: { slot: number }[];
    try {
      claimed = await this.db.query<{ slot: number }>(
        `insert into scheduled_runs (task, slot, alive_at)
         select $1, floor(extract(epoch from ${NOW}) * 1000 / $2)::bigint, ${NOW}
         where not exists (
           select 1 from scheduled_runs r
           where r.task = $1 and r.finished_at is null
             and r.alive_at > ${NOW} - $5::double precision * interval '1 millisecond')
         on conflict do nothing
         returning slot`,
        [task.name, task.everyMs, ...time, 3 * beat],
      );
    } catch (err) {
      this.onError(err, task.name);
      return false;
    }
    const slot = claimed[0]?.slot;
    if (slot === undefined) return false;
    if (signal.aborted) {
      await this.db
        .query("delete from scheduled_runs where task = $1 and slot = $2", [task.name, slot])
        .catch((err) => this.onError(err, task.name));
      return false;
    }
    const mark = (column: "alive_at" | "finished_at") =>
      this.db
        .query(`update scheduled_runs set ${column} = ${NOW} where task = $1 and slot = $2`, [
          task.name,
          slot,
          ...dbTimeParams(this.clock),
        ])
        .catch((err) => this.onError(err, task.name));
    const alive = setInterval(() => void mark("alive_at"), beat);
    alive.unref();
    try {
      await task.run(signal);
    } catch (err) {
      this.onError(err, task.name);
    } finally {
      clearInterval(alive);
      await mark("finished_at");
    }
    return true;
  }
}

/** Forgets slots older than a day (they only stop a slot from running twice). */
export async function pruneScheduledRuns(db: Db): Promise<number> {
  return (
    await db.query("delete from scheduled_runs where started_at < now() - interval '1 day' returning 1")
  ).length;
}
