import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDb } from "../testing/db";
import { eventually } from "../testing/eventually";
import { startTestServer, type TestServer, unique } from "../testing/harness";
import { type RedisServer, redisInstalled, startRedisServer } from "../testing/redis";

/**
 * A server whose limits count in Redis (REDIS_URL) when Redis goes away and comes back: requests are still
 * answered (never a 500), the limits keep holding by counting in PostgreSQL meanwhile, `/api/health` and the
 * metrics say so, and once Redis answers again the limits count there again.
 */

let redis: RedisServer;
let testDb: Awaited<ReturnType<typeof openTestDb>>;
let s: TestServer;
/** SIGNIN_RATE_LIMIT in tests: one address is capped after 5 × 5 failures. */
const CAP = 25;

// A real Redis is needed: without one these tests do not run, and the global set-up says so.
const withRedis = redisInstalled();

beforeAll(async () => {
  if (!withRedis) return;
  [redis, testDb] = await Promise.all([startRedisServer(), openTestDb()]);
  s = await startTestServer(testDb.db, { env: { REDIS_URL: redis.url, TRUST_PROXY: "true" } });
}, 60_000);

afterAll(async () => {
  await s?.close();
  await redis?.close();
  await testDb?.close();
});

async function signIn(ip: string) {
  const res = await fetch(`${s.url}/api/auth/sign-in`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-for": ip },
    body: JSON.stringify({ email: `${unique("nobody")}@example.com`, password: "wrong password" }),
  });
  return { status: res.status, retryAfter: res.headers.get("retry-after") };
}

const health = async () =>
  (await (await fetch(`${s.url}/api/health`)).json()) as { ok: boolean; limits: string };
const storeGauge = async () =>
  (await s.server.metrics.text())
    .split("\n")
    .filter((l) => l.startsWith("parley_limits_store{") && l.endsWith(" 1"));
/** Rows PostgreSQL counted for an address's sign-in failures. */
const postgresRows = async (ip: string) =>
  (await testDb.db.query("select 1 from rate_limits where key = $1", [`signin|ip|${ip}`])).length;
const redisHits = (ip: string) => redis.client().zcard(`parley:limits:signin:ip|${ip}`);

/** Fails CAP times from one address, then checks the next attempt is refused with a wait. */
async function capped(ip: string) {
  for (let i = 0; i < CAP; i++) expect((await signIn(ip)).status, `attempt ${i + 1}`).toBe(401);
  const refused = await signIn(ip);
  expect(refused.status).toBe(429);
  expect(Number(refused.retryAfter)).toBeGreaterThan(800);
}

describe.runIf(withRedis)("limits in Redis", () => {
  it("count in Redis while it answers, in PostgreSQL while it does not, and in Redis again once it is back", async () => {
    await eventually(async () => expect((await health()).limits).toBe("redis"), { what: "Redis connected" });
    expect(await storeGauge()).toEqual(['parley_limits_store{store="redis"} 1']);

    // With Redis: the address's failures are in Redis, none in PostgreSQL.
    const first = "198.51.100.10";
    await capped(first);
    expect(await redisHits(first)).toBe(CAP);
    expect(await postgresRows(first)).toBe(0);

    // Redis dies: every request is still answered, and the limit still holds, counted in PostgreSQL.
    await redis.stop();
    await eventually(async () => expect((await health()).limits).toBe("redis-degraded"), {
      what: "health to say the limits are degraded",
    });
    const h = await health();
    expect(h.ok).toBe(true);
    expect(await storeGauge()).toEqual(['parley_limits_store{store="redis-degraded"} 1']);
    const second = "198.51.100.11";
    await capped(second);
    expect(await postgresRows(second)).toBeGreaterThan(0);
    // Password reset requests (a decision that reads before it counts) are taken and counted there too.
    const reset = await fetch(`${s.url}/api/auth/password-reset`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-for": second },
      body: JSON.stringify({ email: `${unique("reset")}@example.com` }),
    });
    expect(reset.status).toBe(202);
    expect(
      (await testDb.db.query("select 1 from rate_limits where key = $1", [`reset-ip|${second}`])).length,
    ).toBe(1);

    // Redis is back (empty): the limits count there again.
    await redis.start();
    await eventually(async () => expect((await health()).limits).toBe("redis"), {
      timeout: 15_000,
      what: "the limits to use Redis again",
    });
    expect(await storeGauge()).toEqual(['parley_limits_store{store="redis"} 1']);
    const third = "198.51.100.12";
    await capped(third);
    expect(await redisHits(third)).toBe(CAP);
    expect(await postgresRows(third)).toBe(0);
  });
});
