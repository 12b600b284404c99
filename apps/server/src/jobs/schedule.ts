import type { Db } from "../db/client";
import { type Clock, dbTimeParams } from "../lib/time";

/** A task the worker role runs once per period across all processes. */
export interface ScheduledTask {
  /** Unique name; the key of its slots in `scheduled_runs`. */
  name: string;
  everyMs: number;
  run(): Promise<unknown>;
}

/**
 * Runs scheduled tasks once per slot across the cluster. A slot is a period on the database's clock
 * (`floor(epoch ms / everyMs)`); every worker looks twice a period, and only the one whose
 * `insert … on conflict do nothing` on (task, slot) inserts the row runs the task. A worker that dies
 * while running leaves the slot taken: the next slot runs the task again (every task here is idempotent
 * and catches up on what the previous one missed).
 */
export class Schedule {
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly running = new Set<Promise<unknown>>();

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly tasks: readonly ScheduledTask[],
    private readonly onError: (err: unknown, task: string) => void,
  ) {
    const names = new Set(tasks.map((t) => t.name));
    if (names.size !== tasks.length) throw new Error("scheduled task names must be unique");
  }

  start() {
    for (const task of this.tasks) {
      const timer = setInterval(() => void this.runIfDue(task), Math.max(1, Math.floor(task.everyMs / 2)));
      timer.unref();
      this.timers.push(timer);
    }
  }

  async stop() {
    for (const t of this.timers) clearInterval(t);
    this.timers.length = 0;
    await Promise.allSettled([...this.running]);
  }

  /** Looks at every task now: runs those whose current slot no process has taken. Returns the names run. */
  async tick(): Promise<string[]> {
    const ran = await Promise.all(this.tasks.map(async (t) => ((await this.runIfDue(t)) ? t.name : null)));
    return ran.filter((n): n is string => n !== null);
  }

  /** Claims the task's current slot; runs the task when this process took it. */
  private async runIfDue(task: ScheduledTask): Promise<boolean> {
    let claimed: { slot: number }[];
    try {
      claimed = await this.db.query<{ slot: number }>(
        `insert into scheduled_runs (task, slot)
         values ($1, floor(extract(epoch from
           coalesce($3::timestamptz, now() + $4::double precision * interval '1 millisecond')) * 1000 / $2)::bigint)
         on conflict do nothing
         returning slot`,
        [task.name, task.everyMs, ...dbTimeParams(this.clock)],
      );
    } catch (err) {
      this.onError(err, task.name);
      return false;
    }
    if (claimed.length === 0) return false;
    const p = task.run().catch((err) => this.onError(err, task.name));
    this.running.add(p);
    try {
      await p;
    } finally {
      this.running.delete(p);
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
