import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import type { Db } from "../db/client";
import { type Clock, MovableClock } from "../lib/time";
import { openTestDb } from "../testing/db";
import { eventually } from "../testing/eventually";
import { gate } from "../testing/gate";
import { JOB_LANES, type JobLane } from "./lanes";
import { enqueueJob, JobRunner } from "./queue";
import { Schedule } from "./schedule";

let testDb: Awaited<ReturnType<typeof openTestDb>>;
let db: Db;
const runners: JobRunner[] = [];
beforeAll(async () => {
  testDb = await openTestDb();
  db = testDb.db;
});
// Each test's runners stop with it: a runner left running would take the next test's jobs.
afterEach(async () => {
  for (const r of runners.splice(0)) await r.stop();
});
afterAll(async () => {
  await testDb.close();
});

function runner(clock: Clock, lanes: readonly JobLane[] = JOB_LANES) {
  const r = new JobRunner(db, clock, { pollMs: 50, lockMs: 5 * 60_000, lanes, onError: () => {} });
  runners.push(r);
  return r;
}

/** A machine whose own clock is an hour behind (not a test clock: it does not move the database's). */
const behind: Clock = { now: () => new Date(Date.now() - 3600_000) };

describe("job leases on the database's clock", () => {
  it("a runner whose clock is behind leases by the database's time, and another runner takes the job once that lease expires", async () => {
    const release = gate();
    const firstStarted = gate();
    const attempts: number[] = [];
    // One job at a time: the first runner is busy with it and cannot take it back itself.
    const a = runner(behind, [{ name: "one", concurrency: 1, types: [] }]);
    a.register({
      type: "lease.check",
      payload: z.object({}),
      run: async (_p, job) => {
        attempts.push(job.attempt);
        firstStarted.open();
        await release.opened;
      },
    });
    await enqueueJob(db, "lease.check", {});
    a.start();
    await firstStarted.opened;
    // Leased for five minutes of the database's time, not of the runner's (which would have expired already).
    const [lease] = await db.query<{ left_ms: number }>(
      "select extract(epoch from locked_until - now()) * 1000 as left_ms from jobs where type = 'lease.check'",
    );
    expect(Number(lease!.left_ms)).toBeGreaterThan(4 * 60_000);
    expect(Number(lease!.left_ms)).toBeLessThanOrEqual(5 * 60_000);

    // The lease runs out by the database's clock (the first worker hung): a second runner, also behind, takes it.
    await db.query("update jobs set locked_until = now() - interval '1 second' where type = 'lease.check'");
    const secondRan = gate();
    const b = runner(behind);
    b.register({
      type: "lease.check",
      payload: z.object({}),
      run: async (_p, job) => {
        attempts.push(job.attempt);
        secondRan.open();
      },
    });
    b.start();
    await secondRan.opened;
    expect(attempts).toEqual([1, 2]);
    await eventually(async () => {
      const [row] = await db.query<{ status: string }>("select status from jobs where type = 'lease.check'");
      return row?.status === "done";
    });
    release.open();
  });
});

describe("job lanes", () => {
  it("sends a reply while a backlog of notification jobs is still waiting", async () => {
    const release = gate();
    const sent = gate();
    const r = runner(new MovableClock());
    r.register({ type: "notify.backlog", payload: z.object({ i: z.number() }), run: () => release.opened });
    r.register({ type: "message.send", payload: z.object({}), run: async () => sent.open() });
    for (let i = 0; i < 40; i++) await enqueueJob(db, "notify.backlog", { i });
    // Queued after all of them.
    await enqueueJob(db, "message.send", {});
    r.start();
    await sent.opened;
    const counts = async () =>
      Object.fromEntries(
        (
          await db.query<{ status: string; n: number }>(
            "select status, count(*)::int as n from jobs where type = 'notify.backlog' group by status",
          )
        ).map((c) => [c.status, c.n]),
      );
    const notifications = JOB_LANES.find((l) => l.name === "notifications")!.concurrency;
    // The reply went out while none of the backlog had finished, nor could (their handlers wait on the test).
    const atSend = await counts();
    expect(atSend.done).toBeUndefined();
    expect(atSend.pending).toBeGreaterThanOrEqual(40 - notifications);
    // The notifications lane fills up to its own limit, no further.
    await eventually(async () =>
      expect(await counts()).toEqual({ running: notifications, pending: 40 - notifications }),
    );
    release.open();
    await eventually(async () => expect(await counts()).toEqual({ done: 40 }), { timeout: 30_000 });
  });
});

describe("scheduled tasks", () => {
  it("run once per slot when two workers look at the same time", async () => {
    const clock = new MovableClock();
    clock.freeze();
    let runs = 0;
    const task = { name: "count-runs", everyMs: 60_000, run: async () => runs++ };
    const one = new Schedule(db, clock, [task], (err) => {
      throw err;
    });
    const two = new Schedule(db, clock, [task], (err) => {
      throw err;
    });
    const both = async () => (await Promise.all([one.tick(), two.tick()])).flat();
    expect(await both()).toEqual(["count-runs"]);
    expect(runs).toBe(1);
    // The same slot again: nobody runs it.
    expect(await both()).toEqual([]);
    expect(runs).toBe(1);
    // The next slot: once more, by one of them.
    clock.advance(60_000);
    expect(await both()).toEqual(["count-runs"]);
    expect(runs).toBe(2);
    const slots = await db.query<{ slot: number }>(
      "select slot from scheduled_runs where task = 'count-runs' order by slot",
    );
    expect(slots.map((s) => Number(s.slot))).toEqual(
      [slots[0]!.slot, Number(slots[0]!.slot) + 1].map(Number),
    );
  });
});

describe("a scheduled task still running", () => {
  it("holds its next slots back on every worker while it is alive, and not once its worker has died", async () => {
    const clock = new MovableClock();
    clock.freeze();
    const release = gate();
    const started = gate();
    let runs = 0;
    const task = {
      name: "long-pass",
      everyMs: 60_000,
      run: async () => {
        runs++;
        started.open();
        await release.opened;
      },
    };
    const fail = (err: unknown) => {
      throw err;
    };
    // A beat of 50 ms: the running worker marks its run alive that often, on the schedule's clock.
    const one = new Schedule(db, clock, [task], fail, 50);
    const two = new Schedule(db, clock, [task], fail, 50);
    const first = one.tick();
    await started.opened;
    // Ten periods later, far beyond three beats: the run's mark follows the clock, so it still holds.
    clock.advance(600_000);
    const aliveAt = async () =>
      (
        await db.query<{ alive_at: Date }>(
          "select alive_at from scheduled_runs where task = 'long-pass' and finished_at is null",
        )
      )[0]?.alive_at.getTime();
    await eventually(async () => expect(await aliveAt()).toBe(clock.now().getTime()));
    expect(await two.tick()).toEqual([]);
    expect(await one.tick()).toEqual([]);
    expect(runs).toBe(1);
    release.open();
    expect(await first).toEqual(["long-pass"]);
    // Finished: the current slot runs.
    expect(await two.tick()).toEqual(["long-pass"]);
    expect(runs).toBe(2);

    // A worker that died while running leaves its run unfinished, its mark three beats old: it holds nothing.
    clock.advance(60_000);
    await db.query(
      "insert into scheduled_runs (task, slot, alive_at, finished_at) values ('long-pass', 1, $1, null)",
      [new Date(clock.now().getTime() - 151)],
    );
    expect(await one.tick()).toEqual(["long-pass"]);
    expect(runs).toBe(3);
  });
});

describe("stopping a schedule", () => {
  it("asks the run under way to end, waits for it and marks it finished; a stopped schedule claims no slot", async () => {
    const clock = new MovableClock();
    clock.freeze();
    const started = gate();
    let ended: string | null = null;
    const task = {
      name: "stoppable-pass",
      everyMs: 60_000,
      run: async (signal: AbortSignal) => {
        started.open();
        // A pass that would go on for ever unless told to stop.
        await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve()));
        ended = "stopped by its signal";
      },
    };
    const schedule = new Schedule(db, clock, [task], (err) => {
      throw err;
    });
    const run = schedule.tick();
    await started.opened;
    await schedule.stop();
    expect(ended).toBe("stopped by its signal");
    expect(await run).toEqual(["stoppable-pass"]);
    const runs = await db.query<{ finished: boolean }>(
      "select finished_at is not null as finished from scheduled_runs where task = 'stoppable-pass'",
    );
    expect(runs).toEqual([{ finished: true }]);
    // The next slot is due, but this schedule has stopped; started again, it runs it.
    clock.advance(60_000);
    expect(await schedule.tick()).toEqual([]);
    schedule.start();
    const again = schedule.tick();
    await eventually(async () =>
      expect(
        await db.query("select 1 from scheduled_runs where task = 'stoppable-pass' and finished_at is null"),
      ).toHaveLength(1),
    );
    await schedule.stop();
    expect(await again).toEqual(["stoppable-pass"]);
  });
});

describe("stopping a schedule while it claims a slot", () => {
  it("waits for the claim, gives the slot back unrun, and another worker runs it", async () => {
    const clock = new MovableClock();
    clock.freeze();
    const claimSent = gate();
    const answer = gate();
    let runs = 0;
    const task = { name: "claimed-at-stop", everyMs: 60_000, run: async () => runs++ };
    // The real database; this worker's claim is held until the test lets the answer through.
    const held: Db = {
      ...db,
      query: async (sql, params) => {
        if (typeof sql === "string" && sql.includes("insert into scheduled_runs")) {
          claimSent.open();
          const rows = await db.query(sql, params);
          await answer.opened;
          return rows as never;
        }
        return db.query(sql, params);
      },
    };
    const stopping = new Schedule(held, clock, [task], (err) => {
      throw err;
    });
    const tick = stopping.tick();
    await claimSent.opened;
    let stopped = false;
    const stop = stopping.stop().then(() => {
      stopped = true;
    });
    // The claim has taken the slot; the stop waits for it to be given back.
    await eventually(async () =>
      expect(await db.query("select 1 from scheduled_runs where task = 'claimed-at-stop'")).toHaveLength(1),
    );
    expect(stopped).toBe(false);
    answer.open();
    await stop;
    expect(await tick).toEqual([]);
    expect(runs).toBe(0);
    expect(await db.query("select 1 from scheduled_runs where task = 'claimed-at-stop'")).toEqual([]);
    // The same slot, on another worker: it runs.
    const other = new Schedule(db, clock, [task], (err) => {
      throw err;
    });
    expect(await other.tick()).toEqual(["claimed-at-stop"]);
    expect(runs).toBe(1);
  });
});

describe("gathered jobs", () => {
  it("runs the due jobs of one type and workspace together, not another workspace's nor a later one, and retries them together", async () => {
    const [a, b] = await db.query<{ id: string }>(
      "insert into workspaces (name) values ('gather a'), ('gather b') returning id",
    );
    const runs: number[][] = [];
    let failures = 1;
    const r = runner(new MovableClock(), [{ name: "one", concurrency: 1, types: [] }]);
    r.register({
      type: "gather.check",
      payload: z.object({ i: z.number() }),
      backoffMs: () => 0,
      run: async () => {
        throw new Error("a gathered type runs through gather.run");
      },
      gather: {
        max: 10,
        run: async (payloads) => {
          runs.push(payloads.map((p) => p.i).sort((x, y) => x - y));
          if (failures-- > 0) throw new Error("the first run fails");
        },
      },
    });
    for (const i of [1, 2, 3, 4]) await enqueueJob(db, "gather.check", { i }, { workspaceId: a!.id });
    for (const i of [5, 6]) await enqueueJob(db, "gather.check", { i }, { workspaceId: b!.id });
    await enqueueJob(
      db,
      "gather.check",
      { i: 7 },
      { workspaceId: a!.id, runAt: new Date(Date.now() + 3600_000) },
    );
    r.start();
    const states = async () =>
      db.query<{ i: number; status: string; attempts: number }>(
        "select (payload->>'i')::int as i, status, attempts from jobs where type = 'gather.check' order by 1",
      );
    await eventually(async () =>
      expect((await states()).filter((s) => s.status === "done").map((s) => s.i)).toEqual([1, 2, 3, 4, 5, 6]),
    );
    // One run per workspace; the first (whichever workspace it was) failed and all its jobs ran again together.
    const sorted = runs.map((x) => x.join(",")).sort();
    expect(sorted).toEqual(runs[0]![0] === 1 ? ["1,2,3,4", "1,2,3,4", "5,6"] : ["1,2,3,4", "5,6", "5,6"]);
    const failed = runs[0]![0] === 1 ? [1, 2, 3, 4] : [5, 6];
    for (const s of await states()) {
      if (s.i === 7) expect(s).toMatchObject({ status: "pending", attempts: 0 });
      else expect(s.attempts).toBe(failed.includes(s.i) ? 2 : 1);
    }
  });
});
