import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDb, TEST_DB } from "../testing/db";
import { eventually } from "../testing/eventually";
import { unique } from "../testing/harness";
import { type RedisServer, redisInstalled, startRedisServer } from "../testing/redis";
import { killAllChildren, type ServerProcess, spawnServer } from "../testing/spawn";

/**
 * Two Parley processes sharing one Redis (REDIS_URL): sign-in's limit holds across them. On the embedded
 * database each process has a database of its own, so Redis is all they share; on PostgreSQL they share the
 * database too, and the failures are in Redis, not in its `rate_limits` table.
 */

const SIGNIN_LIMIT = 2;
const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), "parley-limits-"));
let redis: RedisServer;
let testDb: Awaited<ReturnType<typeof openTestDb>>;
let a: ServerProcess;
let b: ServerProcess;

function start() {
  const dir = fs.mkdtempSync(path.join(tmpRoot, "data-"));
  // On the embedded database, a copy of the migrated template (a fresh one would migrate at start).
  const template = process.env.PARLEY_TEST_TEMPLATE;
  if (TEST_DB === "embedded" && template && fs.existsSync(template))
    fs.cpSync(template, dir, { recursive: true });
  return spawnServer(
    {
      ...(TEST_DB === "postgres" ? { DATABASE_URL: testDb.url!, EVENT_BUS: "postgres" } : {}),
      DATA_DIR: dir,
      REDIS_URL: redis.url,
      SIGNIN_RATE_LIMIT: String(SIGNIN_LIMIT),
      // The test is the proxy: it says which address a request came from.
      TRUST_PROXY: "loopback",
    },
    { readyTimeoutMs: 120_000 },
  );
}

// A real Redis is needed: without one these tests do not run, and the global set-up says so.
const withRedis = redisInstalled();

beforeAll(async () => {
  if (!withRedis) return;
  [redis, testDb] = await Promise.all([startRedisServer(), openTestDb()]);
  [a, b] = await Promise.all([start(), start()]);
}, 180_000);

afterAll(async () => {
  await killAllChildren();
  await redis?.close();
  await testDb?.close();
  fs.rmSync(tmpRoot, { recursive: true, force: true });
});

describe.runIf(withRedis)("limits in a shared Redis", () => {
  it("sign-in's limit holds across processes: attempts spread over A and B stop at the same total", async () => {
    const limits = async (s: ServerProcess) =>
      ((await (await fetch(`${s.url}/api/health`)).json()) as { limits: string }).limits;
    for (const s of [a, b]) await eventually(async () => expect(await limits(s)).toBe("redis"));
    const ip = "198.51.100.77";
    // Made-up accounts from one address: after 5 × SIGNIN_RATE_LIMIT failures the address is capped.
    const cap = 5 * SIGNIN_LIMIT;
    const attempt = async (s: ServerProcess) => {
      const res = await fetch(`${s.url}/api/auth/sign-in`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-forwarded-for": ip },
        body: JSON.stringify({ email: `${unique("nobody")}@example.com`, password: "wrong password" }),
      });
      return { status: res.status, retryAfter: res.headers.get("retry-after") };
    };
    for (let i = 0; i < cap; i++) expect((await attempt(i % 2 ? b : a)).status, `attempt ${i + 1}`).toBe(401);
    for (const s of [a, b]) {
      const refused = await attempt(s);
      expect(refused.status).toBe(429);
      expect(Number(refused.retryAfter)).toBeGreaterThan(60);
    }
    // Counted in Redis, under the limit's and the address's name.
    expect(await redis.client().zcard(`parley:limits:signin:ip|${ip}`)).toBe(cap);
    if (TEST_DB === "postgres")
      expect(await testDb.db.query("select 1 from rate_limits where key like 'signin|%'")).toEqual([]);
    // Another address is not affected.
    const other = await fetch(`${a.url}/api/auth/sign-in`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-for": "198.51.100.78" },
      body: JSON.stringify({ email: `${unique("nobody")}@example.com`, password: "wrong password" }),
    });
    expect(other.status).toBe(401);
  });
});
