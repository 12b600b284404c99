import crypto from "node:crypto";
import { Redis } from "ioredis";
import type { Hit, LimitCounter, LimitStore } from "./limits";

/**
 * The limits' counters in Redis (`REDIS_URL`), with the semantics of the PostgreSQL store (`lib/rate-store.ts`):
 * - a fixed window (`hit`) is a hash `{c: count, e: end}`, opened by its first hit and counted as a whole,
 *   in one Lua script (read, reset when the end has passed, add), so concurrent hits never lose a count;
 * - a sliding window (`record` + `since`) is a sorted set of hits scored by their millisecond, trimmed to
 *   what it is kept for on each write;
 * - a decision that reads before it counts (`locked`) reads the keys with their version numbers and writes
 *   through a Lua script that applies the hits only if no key's version moved meanwhile, otherwise the
 *   decision is made again: two processes never both take the last slot, and nothing is held while a
 *   process thinks (a process that dies mid-decision leaves no lock behind).
 * Times are the application's clock, as in PostgreSQL; Redis's own expiry only removes keys once their window
 * (plus `GRACE_MS`, for clocks that differ between machines) has passed, so Redis never grows without bound.
 *
 * Keys: `<prefix><limit>:<subject>` (`parley:limits:signin:ip|203.0.113.5`), the limit being the first part
 * of the key the limit gives (sign-in, reset, the route's method and path, a Telegram bot or chat by its
 * connection), each version under `…:version`.
 */

const GRACE_MS = 60_000;
/** How often a decision is made again when another process changed its keys meanwhile. */
const MAX_ATTEMPTS = 50;

const HIT = `
local at = tonumber(ARGV[1])
local win = tonumber(ARGV[2])
local n = tonumber(ARGV[3])
local cur = redis.call('HMGET', KEYS[1], 'c', 'e')
local c = tonumber(cur[1])
local e = tonumber(cur[2])
if (not e) or (not c) or e <= at then
  c = n
  e = at + win
else
  c = c + n
end
redis.call('HSET', KEYS[1], 'c', c, 'e', string.format('%.0f', e))
redis.call('PEXPIRE', KEYS[1], math.max(e - at, 1) + tonumber(ARGV[4]))
return {c, string.format('%.0f', e)}
`;

/**
 * KEYS: per key, its sorted set then its version. ARGV: the number of keys k; k expected versions ("-": not
 * read, not checked); the grace; the number of writes; per write: key index (1-based), at, keep, member.
 * Answers 0 when a version moved (nothing written), 1 when written.
 */
const COMMIT = `
local k = tonumber(ARGV[1])
for i = 1, k do
  local want = ARGV[1 + i]
  if want ~= '-' then
    local v = redis.call('GET', KEYS[2 * i]) or '0'
    if v ~= want then return 0 end
  end
end
local p = k + 2
local grace = tonumber(ARGV[p])
local w = tonumber(ARGV[p + 1])
p = p + 2
for j = 1, w do
  local i = tonumber(ARGV[p])
  local at = tonumber(ARGV[p + 1])
  local keep = tonumber(ARGV[p + 2])
  local key = KEYS[2 * i - 1]
  local version = KEYS[2 * i]
  redis.call('ZADD', key, at, ARGV[p + 3])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', '(' .. string.format('%.0f', at - keep))
  local ttl = keep + grace
  if redis.call('PTTL', key) < ttl then redis.call('PEXPIRE', key, ttl) end
  redis.call('INCR', version)
  redis.call('PEXPIRE', version, math.max(redis.call('PTTL', key), 1))
  p = p + 4
end
return 1
`;

/** The read of a sliding window and its version, in one script (atomic). */
const READ = `
local hits = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[1], '+inf')
local v = redis.call('GET', KEYS[2]) or '0'
return {v, hits}
`;

type Commands = Redis & {
  parleyHit(key: string, at: string, windowMs: string, n: string, grace: string): Promise<[number, string]>;
  parleyCommit(numKeys: number, ...args: string[]): Promise<number>;
  parleyRead(counter: string, version: string, from: string): Promise<[string, string[]]>;
};

/** Redis did not answer a command (not connected, timed out, refused): the caller may count elsewhere. */
export class RedisFailure extends Error {
  constructor(cause: unknown) {
    super(`Redis did not answer: ${(cause as Error)?.message ?? String(cause)}`, { cause });
  }
}

/** The command's answer, or a RedisFailure. */
async function answer<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    throw new RedisFailure(err);
  }
}

interface Write {
  key: string;
  at: Date;
  keepMs: number;
  n: number;
}

export interface RedisLimitsOptions {
  /** Key prefix; several deployments may share one Redis under different prefixes (or database numbers). */
  prefix?: string;
  /** How long one command may take before it counts as failed (the caller falls back). */
  commandTimeoutMs?: number;
  /** Told when the connection becomes ready (true) or is lost (false). */
  onState?: (up: boolean, err?: Error) => void;
}

export class RedisLimits implements LimitStore {
  readonly client: Commands;
  private readonly prefix: string;
  private closing = false;

  constructor(url: string, opts: RedisLimitsOptions = {}) {
    this.prefix = opts.prefix ?? "parley:limits:";
    const client = new Redis(url, {
      // A command while disconnected fails at once (the caller counts in PostgreSQL meanwhile) rather than
      // waiting in a queue; commands in flight when the connection drops fail instead of being sent again.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: opts.commandTimeoutMs ?? 1000,
      connectTimeout: 2000,
      // Reconnects for ever: after 200 ms, doubling to every 2 s.
      retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 5), 2000),
      lazyConnect: false,
    });
    client.defineCommand("parleyHit", { numberOfKeys: 1, lua: HIT });
    client.defineCommand("parleyCommit", { lua: COMMIT });
    client.defineCommand("parleyRead", { numberOfKeys: 2, lua: READ });
    let lastError: Error | undefined;
    client.on("error", (err: Error) => {
      lastError = err;
    });
    client.on("ready", () => opts.onState?.(true));
    client.on("close", () => {
      if (!this.closing) opts.onState?.(false, lastError);
    });
    this.client = client as Commands;
  }

  /** Connected and answering commands. */
  ready(): boolean {
    return this.client.status === "ready";
  }

  state() {
    return this.ready() ? ("redis" as const) : ("redis-degraded" as const);
  }

  /** The Redis key of a limit's key: `<prefix><limit>:<subject>`. */
  keyOf(key: string): string {
    const bar = key.indexOf("|");
    return bar < 0 ? `${this.prefix}${key}` : `${this.prefix}${key.slice(0, bar)}:${key.slice(bar + 1)}`;
  }

  async hit(key: string, at: Date, windowMs: number, n = 1): Promise<{ count: number; resetAt: Date }> {
    const [count, end] = await answer(
      this.client.parleyHit(
        this.keyOf(key),
        String(at.getTime()),
        String(windowMs),
        String(n),
        String(GRACE_MS),
      ),
    );
    return { count: Number(count), resetAt: new Date(Number(end)) };
  }

  async since(key: string, from: Date): Promise<Hit[]> {
    return (await this.read(key, from)).hits;
  }

  async record(keys: readonly string[], at: Date, keepMs: number, n = 1): Promise<void> {
    const unique = [...new Set(keys)];
    if (unique.length === 0) return;
    await this.commit(
      unique,
      new Map(),
      unique.map((key) => ({ key, at, keepMs, n })),
    );
  }

  async clear(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await answer(this.client.del(...keys.flatMap((k) => [this.keyOf(k), `${this.keyOf(k)}:version`])));
  }

  async locked<T>(keys: readonly string[], fn: (counter: LimitCounter) => Promise<T>): Promise<T> {
    const own = [...new Set(keys)].sort();
    for (let attempt = 1; ; attempt++) {
      const seen = new Map<string, string>();
      const writes: Write[] = [];
      const counter: LimitCounter = {
        since: async (key, from) => {
          const { hits, version } = await this.read(key, from);
          if (!seen.has(key)) seen.set(key, version);
          return hits;
        },
        record: async (rkeys, at, keepMs, n = 1) => {
          for (const key of rkeys) {
            if (!own.includes(key)) throw new Error(`"${key}" is not one of the keys this decision holds`);
            writes.push({ key, at, keepMs, n });
          }
        },
      };
      const result = await fn(counter);
      if (writes.length === 0) return result;
      if (await this.commit(own, seen, writes)) return result;
      if (attempt >= MAX_ATTEMPTS)
        throw new Error(`limits: ${own.join(", ")} kept changing; gave up after ${attempt} attempts`);
      // Another process decided on these keys meanwhile: decide again on what it recorded.
      await new Promise((r) => setTimeout(r, Math.random() * 5 * Math.min(attempt, 10)));
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    this.client.disconnect();
  }

  private async read(key: string, from: Date): Promise<{ hits: Hit[]; version: string }> {
    const k = this.keyOf(key);
    const [version, members] = await answer(
      this.client.parleyRead(k, `${k}:version`, String(from.getTime())),
    );
    // Members are `<ms>:<count>:<random>`; hits of one millisecond are added up, as one PostgreSQL row is.
    const byMs = new Map<number, number>();
    for (const m of members) {
      const [ms, count] = m.split(":");
      byMs.set(Number(ms), (byMs.get(Number(ms)) ?? 0) + Number(count));
    }
    const hits = [...byMs].sort(([a], [b]) => a - b).map(([ms, count]) => ({ at: new Date(ms), count }));
    return { hits, version: String(version) };
  }

  private async commit(own: string[], seen: Map<string, string>, writes: Write[]): Promise<boolean> {
    const keys = own.flatMap((k) => [this.keyOf(k), `${this.keyOf(k)}:version`]);
    const args = [
      String(own.length),
      ...own.map((k) => seen.get(k) ?? "-"),
      String(GRACE_MS),
      String(writes.length),
      ...writes.flatMap((w) => [
        String(own.indexOf(w.key) + 1),
        String(w.at.getTime()),
        String(w.keepMs),
        `${w.at.getTime()}:${w.n}:${crypto.randomBytes(6).toString("hex")}`,
      ]),
    ];
    return (await answer(this.client.parleyCommit(keys.length, ...keys, ...args))) === 1;
  }
}
