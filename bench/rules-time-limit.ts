/**
 * npm run bench:rules-time-limit — what the "time limit reached" rules sweep costs each minute.
 *
 * Starts Parley in this process on a fresh embedded database, creates a workspace (yellow limit 30 min, red
 * 120 min) with an API connection, and bulk-loads N open conversations whose customers have waited 40 min to
 * 11 h (set-based INSERT … SELECT generate_series). Five `time_limit_reached` rules and five `no_reply` rules
 * (60 min) are added whose text condition never matches, so no run is recorded and every sweep does its full
 * work again (the steady state's worst case: one batch of 200 waits per workspace and minute). Then, one sweep
 * at a time, it times the `rules-no-reply` sweep (the baseline, measured in this run) and the `rules-time-limit`
 * sweep, first without business hours, then with the workspace's hours (working time counted per wait), and
 * prints p50/p95 of each and the ratios.
 *
 * Options (environment): BENCH_WAITING=5000 BENCH_SWEEPS=15
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openPglite } from "../apps/server/src/db/client";
import { migrate } from "../apps/server/src/db/migrate";
import { sweepNoReply } from "../apps/server/src/modules/rules/commands/no-reply-sweep";
import { sweepTimeLimitRules } from "../apps/server/src/modules/rules/commands/time-limit-sweep";
import { apiConnection, newWorkspace, startTestServer } from "../apps/server/src/testing/harness";

const WAITING = Number(process.env.BENCH_WAITING ?? 5000);
const SWEEPS = Number(process.env.BENCH_SWEEPS ?? 15);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

async function timeSweeps(run: () => Promise<unknown>) {
  await run(); // warm-up
  const ms: number[] = [];
  for (let i = 0; i < SWEEPS; i++) {
    const t0 = performance.now();
    await run();
    ms.push(performance.now() - t0);
  }
  return { p50: pct(ms, 50), p95: pct(ms, 95) };
}

async function main() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "parley-bench-rules-tl-"));
  const db = await openPglite(path.join(tmp, "db"));
  await migrate(db);
  const t = await startTestServer(db, { env: { LOG_LEVEL: "warn", DATA_DIR: path.join(tmp, "data") } });
  try {
    const { owner, workspaceId } = await newWorkspace(t, "Time limit bench");
    const conn = await apiConnection(t, owner);
    const limits = await owner.patch("/api/workspace", {
      settings: { slaYellowMinutes: 30, slaRedMinutes: 120 },
    });
    if (limits.status !== 200) throw new Error(`limits: ${limits.status}`);
    const now = t.server.ctx.clock.now();
    const t0 = performance.now();
    await db.query(
      `with c as (
         insert into contacts (workspace_id, name, created_at, updated_at)
         select $1, 'Bench ' || g, $4, $4 from generate_series(1, $2) g returning id
       ), i as (
         insert into contact_identities (workspace_id, contact_id, connection_id, external_id, display_name, created_at)
         select $1, c.id, $3, 'bench-' || c.id, 'Bench', $4 from c returning id, contact_id
       ), n as (select i.*, row_number() over () as k from i)
       insert into conversations (workspace_id, number, connection_id, contact_id, identity_id, source, status,
         first_unanswered_at, last_activity_at, created_at, updated_at)
       select $1, 1000000 + n.k, $3, n.contact_id, n.id, '{}', 'open',
         $4::timestamptz - make_interval(mins => 40 + (n.k % 620)::int), $4, $4, $4
       from n`,
      [workspaceId, WAITING, conn.id, now],
    );
    console.log(
      `loaded ${WAITING} waiting conversations in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    for (let i = 0; i < 5; i++) {
      for (const rule of [
        { trigger: "time_limit_reached", timeLimit: i % 2 ? "warning" : "overdue" },
        { trigger: "no_reply", minutes: 60 },
      ]) {
        const r = await owner.post("/api/rules", {
          name: `${rule.trigger} ${i}`,
          ...rule,
          conditions: { textContains: `never-${i}` },
          actions: [{ type: "note", text: "never written" }],
        });
        if (r.status !== 201) throw new Error(`rule: ${r.status} ${JSON.stringify(r.body)}`);
      }
    }
    const ctx = t.server.ctx;
    const report = (label: string, base: { p50: number; p95: number }, x: { p50: number; p95: number }) =>
      console.log(
        `${label.padEnd(26)} no-reply sweep p50 ${base.p50.toFixed(0)} ms p95 ${base.p95.toFixed(0)} ms | ` +
          `time-limit sweep p50 ${x.p50.toFixed(0)} ms p95 ${x.p95.toFixed(0)} ms | ratio p50 ${(x.p50 / base.p50).toFixed(2)}`,
      );
    report(
      "without business hours",
      await timeSweeps(() => sweepNoReply(ctx)),
      await timeSweeps(() => sweepTimeLimitRules(ctx)),
    );
    const hours = await owner.put("/api/hours/workspace", {
      timeZone: "Europe/Kyiv",
      weekly: [1, 2, 3, 4, 5, 6, 7].map((day) => ({ day, from: "00:00", to: "23:59" })),
      holidays: [],
    });
    if (hours.status !== 200) throw new Error(`hours: ${hours.status} ${JSON.stringify(hours.body)}`);
    report(
      "with business hours",
      await timeSweeps(() => sweepNoReply(ctx)),
      await timeSweeps(() => sweepTimeLimitRules(ctx)),
    );
    const [runs] = await db.query<{ n: number }>("select count(*)::int as n from rule_runs");
    console.log(`rule runs recorded: ${runs!.n} (the conditions never match: every sweep redoes its batch)`);
  } finally {
    await t.close();
    await db.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
