import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RESET_PER_EMAIL, ResetLimiter } from "../modules/account-security/reset-limiter";
import { SharedFailureStore, SIGNIN_WINDOW_MS, SignInLimiter } from "../modules/auth/signin-limiter";
import { WindowLimiter } from "../modules/widget/rate-limit";
import { openTestDb } from "../testing/db";
import { type RedisServer, redisInstalled, startRedisServer } from "../testing/redis";
import type { LimitStore } from "./limits";
import { PostgresLimits } from "./rate-store";
import { RedisLimits } from "./redis-limits";
import { MovableClock } from "./time";

/**
 * The Redis store against a real Redis, side by side with the PostgreSQL store: the same calls give the
 * same counts, windows and waits; decisions taken concurrently from several clients (as from several
 * processes) never take more than the limit; every key expires.
 */

let redis: RedisServer;
let testDb: Awaited<ReturnType<typeof openTestDb>>;
let postgres: PostgresLimits;
const clients: RedisLimits[] = [];
let run = 0;

/** A Redis store on its own connection, with a prefix of this test's own. */
function redisStore(prefix: string): RedisLimits {
  const r = new RedisLimits(redis.url, { prefix });
  clients.push(r);
  return r;
}

const ready = async (stores: RedisLimits[]) => {
  for (const s of stores) while (!s.ready()) await new Promise((done) => setTimeout(done, 10));
};

// A real Redis is needed: without one these tests do not run, and the global set-up says so.
const withRedis = redisInstalled();

beforeAll(async () => {
  if (!withRedis) return;
  [redis, testDb] = await Promise.all([startRedisServer(), openTestDb()]);
  postgres = new PostgresLimits(testDb.db);
}, 60_000);

afterAll(async () => {
  for (const c of clients) await c.close();
  await redis?.close();
  await testDb?.close();
});

/** Both stores, each under keys no other test uses. */
async function both() {
  const id = `t${++run}-${Date.now()}`;
  const r = redisStore(`parley-test:${id}:`);
  await ready([r]);
  return { id, stores: { postgres, redis: r } as Record<"postgres" | "redis", LimitStore> };
}

describe.runIf(withRedis)("Redis limits", () => {
  it("count a fixed window as PostgreSQL does: opened by the first hit, reset once its end has passed", async () => {
    const { id, stores } = await both();
    const t0 = Date.UTC(2026, 0, 1, 12);
    const at = (ms: number) => new Date(t0 + ms);
    const results: Record<string, unknown[]> = {};
    for (const [name, store] of Object.entries(stores)) {
      const key = `route|${id}|203.0.113.1`;
      results[name] = [
        await store.hit(key, at(0), 60_000),
        await store.hit(key, at(10), 60_000),
        await store.hit(key, at(59_999), 60_000, 3),
        // The window ends at t0 + 60 s: a hit then opens the next one.
        await store.hit(key, at(60_000), 60_000),
        await store.hit(key, at(60_001), 60_000),
      ];
    }
    expect(results.redis).toEqual(results.postgres);
    expect(results.redis).toEqual([
      { count: 1, resetAt: at(60_000) },
      { count: 2, resetAt: at(60_000) },
      { count: 5, resetAt: at(60_000) },
      { count: 1, resetAt: at(120_000) },
      { count: 2, resetAt: at(120_000) },
    ]);
  });

  it("keep a sliding window's hits by the millisecond, sum those of one millisecond, and forget them on clear", async () => {
    const { id, stores } = await both();
    const t0 = Date.UTC(2026, 0, 1, 13);
    const at = (ms: number) => new Date(t0 + ms);
    const results: Record<string, unknown[]> = {};
    for (const [name, store] of Object.entries(stores)) {
      const [a, b] = [`signin|${id}|a`, `signin|${id}|b`];
      await store.record([a, b], at(0), 60_000);
      await store.record([a], at(0), 60_000, 2);
      await store.record([a], at(500), 60_000);
      await store.record([b], at(900), 60_000, 4);
      const seen = [await store.since(a, at(0)), await store.since(a, at(1)), await store.since(b, at(0))];
      await store.clear([a]);
      seen.push(await store.since(a, at(0)), await store.since(b, at(0)));
      results[name] = seen;
    }
    expect(results.redis).toEqual(results.postgres);
    expect(results.redis).toEqual([
      [
        { at: at(0), count: 3 },
        { at: at(500), count: 1 },
      ],
      [{ at: at(500), count: 1 }],
      [
        { at: at(0), count: 1 },
        { at: at(900), count: 4 },
      ],
      [],
      [
        { at: at(0), count: 1 },
        { at: at(900), count: 4 },
      ],
    ]);
  });

  it("give the same 429 and Retry-After as PostgreSQL: the web chat's window and sign-in's spacing and cap", async () => {
    const { id, stores } = await both();
    const outcomes: Record<string, unknown[]> = {};
    for (const [name, store] of Object.entries(stores)) {
      const clock = new MovableClock();
      clock.freeze();
      const seen: unknown[] = [];
      // The web chat's second limit: 3 a minute per address.
      const widget = new WindowLimiter(store, `widget-${id}`, 3, 60_000, clock);
      for (let i = 0; i < 5; i++) {
        seen.push(
          await widget.take("198.51.100.1").then(
            () => "ok",
            (e: { details?: unknown }) => e.details,
          ),
        );
        clock.advance(7_000);
      }
      // Sign-in: 2 failures per address and account, then spaced 1 s, 2 s, …; 10 per address, then capped.
      const signin = new SignInLimiter(
        2,
        clock,
        new SharedFailureStore(store, `signin-${id}`, SIGNIN_WINDOW_MS),
      );
      for (let i = 0; i < 4; i++) {
        seen.push(await signin.waitMs("198.51.100.2", "a@example.com"));
        await signin.failed("198.51.100.2", "a@example.com");
        clock.advance(100);
      }
      for (let i = 0; i < 8; i++) await signin.failed("198.51.100.2", `other-${i}@example.com`);
      clock.advance(60_000);
      seen.push(await signin.waitMs("198.51.100.2", "new@example.com"));
      await signin.succeeded("198.51.100.2", "a@example.com");
      seen.push(await signin.waitMs("198.51.100.3", "a@example.com"));
      outcomes[name] = seen;
    }
    expect(outcomes.redis).toEqual(outcomes.postgres);
    expect(outcomes.redis).toEqual([
      "ok",
      "ok",
      "ok",
      { retryAfterSeconds: 39 },
      { retryAfterSeconds: 32 },
      0,
      0,
      900,
      1900,
      // The address's 12 failures: capped until the 3rd oldest leaves the 15-minute window.
      SIGNIN_WINDOW_MS - 60_000 - 400 + 200,
      0,
    ]);
  });

  it("let concurrent decisions from several clients take no more than the limit (password reset: 3 an hour)", async () => {
    const { id } = await both();
    const prefix = `parley-test:${id}:`;
    // Four clients, as four processes, each asking six times at once for one email address.
    const stores = [redisStore(prefix), redisStore(prefix), redisStore(prefix), redisStore(prefix)];
    await ready(stores);
    const clock = new MovableClock();
    // One moment for all: a decision taken a moment earlier would see the others' hits as in its future.
    clock.freeze();
    const email = `${id}@example.com`;
    const waits = await Promise.all(
      stores.flatMap((s, i) =>
        Array.from({ length: 6 }, (_, j) => new ResetLimiter(s, clock).take(`192.0.2.${i * 6 + j}`, email)),
      ),
    );
    expect(waits.filter((w) => w === 0)).toHaveLength(RESET_PER_EMAIL);
    expect(waits.filter((w) => w > 0).every((w) => w > 3500 && w <= 3600)).toBe(true);
    const raw = redis.client();
    const hits = await raw.zrange(`${prefix}reset-email:${email}`, 0, -1);
    expect(hits).toHaveLength(RESET_PER_EMAIL);
  });

  it("name keys by limit and subject, and let every key expire with its window", async () => {
    const { id, stores } = await both();
    const store = stores.redis;
    const now = new Date();
    await store.hit(`route|${id}|GET /x|203.0.113.9`, now, 60_000);
    await store.record([`tg-bot|${id}`], now, 1000, 3);
    await store.record([`signin|${id}|ip|203.0.113.9`], now, SIGNIN_WINDOW_MS);
    const raw = redis.client();
    const keys = (await raw.keys(`parley-test:${id}:*`)).sort();
    expect(keys).toEqual(
      [
        `parley-test:${id}:route:${id}|GET /x|203.0.113.9`,
        `parley-test:${id}:signin:${id}|ip|203.0.113.9`,
        `parley-test:${id}:signin:${id}|ip|203.0.113.9:version`,
        `parley-test:${id}:tg-bot:${id}`,
        `parley-test:${id}:tg-bot:${id}:version`,
      ].sort(),
    );
    const ttl = async (k: string) => raw.pttl(k);
    // The window plus a minute's grace for clocks that differ between machines; never without expiry.
    expect(await ttl(keys.find((k) => k.includes(":route:"))!)).toBeGreaterThan(60_000);
    expect(await ttl(keys.find((k) => k.includes(":route:"))!)).toBeLessThanOrEqual(120_000);
    expect(await ttl(`parley-test:${id}:tg-bot:${id}`)).toBeLessThanOrEqual(61_000);
    expect(await ttl(`parley-test:${id}:tg-bot:${id}:version`)).toBeLessThanOrEqual(61_000);
    expect(await ttl(`parley-test:${id}:signin:${id}|ip|203.0.113.9`)).toBeGreaterThan(SIGNIN_WINDOW_MS);
    for (const k of keys) expect(await ttl(k), k).toBeGreaterThan(0);
  });
});
