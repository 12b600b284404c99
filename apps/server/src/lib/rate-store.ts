import type { Db, Queryable } from "../db/client";
import type { LimitCounter, LimitStore } from "./limits";

/**
 * Counters every process shares, in the `rate_limits` table: one row per key and window, counted with an
 * atomic upsert. Two shapes:
 * - fixed windows (`hit`): a window opening with the key's first hit, counted as a whole;
 * - sliding windows (`record` + `since`): hits kept by the millisecond they happened, summed over any span.
 * Limits whose decision reads before it counts (a refusal is not counted) run under `locked`, which holds a
 * transaction-scoped advisory lock per key, so two processes cannot both take the last slot. Expired rows
 * are pruned by a scheduled task (`pruneRateLimits`). Times are the application's clock: a machine's skew
 * shifts its windows by that much, no more (leases, where skew would do harm, use the database's clock).
 */
export class RateStore implements LimitCounter {
  constructor(private readonly q: Queryable) {}

  /**
   * Counts `n` hits in the key's fixed window, which opens with its first hit and lasts `windowMs` (one row,
   * `window_start` left at the epoch, `expires_at` the window's end); answers the count and when it ends.
   */
  async hit(key: string, at: Date, windowMs: number, n = 1): Promise<{ count: number; resetAt: Date }> {
    const [row] = await this.q.query<{ count: number; expires_at: Date }>(
      `insert into rate_limits (key, window_start, count, expires_at) values ($1, 'epoch', $2, $4)
       on conflict (key, window_start) do update set
         count = case when rate_limits.expires_at <= $3 then excluded.count else rate_limits.count + excluded.count end,
         expires_at = case when rate_limits.expires_at <= $3 then excluded.expires_at else rate_limits.expires_at end
       returning count, expires_at`,
      [key, n, at, new Date(at.getTime() + windowMs)],
    );
    return { count: row!.count, resetAt: new Date(row!.expires_at) };
  }

  /** Records `n` hits at `at` under each key, kept for `keepMs`. */
  async record(keys: readonly string[], at: Date, keepMs: number, n = 1) {
    if (keys.length === 0) return;
    await this.q.query(
      `insert into rate_limits (key, window_start, count, expires_at)
       select k, $2, $3, $4 from unnest($1::text[]) as k
       on conflict (key, window_start) do update set count = rate_limits.count + excluded.count,
         expires_at = greatest(rate_limits.expires_at, excluded.expires_at)`,
      [keys, at, n, new Date(at.getTime() + keepMs)],
    );
  }

  /** The hits recorded under a key from a moment on, oldest first. */
  async since(key: string, from: Date): Promise<{ at: Date; count: number }[]> {
    const rows = await this.q.query<{ window_start: Date; count: number }>(
      `select window_start, count from rate_limits where key = $1 and window_start >= $2 order by window_start`,
      [key, from],
    );
    return rows.map((r) => ({ at: new Date(r.window_start), count: r.count }));
  }

  /** Forgets everything recorded under these keys. */
  async clear(keys: readonly string[]) {
    if (keys.length) await this.q.query("delete from rate_limits where key = any($1::text[])", [keys]);
  }
}

/**
 * Runs `fn` in a transaction holding an advisory lock on each key (in a fixed order), for a limit that
 * decides on what was counted before it counts: no other process decides for these keys meanwhile.
 */
export function locked<T>(
  db: Db,
  keys: readonly string[],
  fn: (store: LimitCounter) => Promise<T>,
): Promise<T> {
  return db.tx(async (q) => {
    await q.query(
      "select pg_advisory_xact_lock(hashtextextended(k, 7)) from unnest($1::text[]) with ordinality as u(k, i)",
      [[...new Set(keys)].sort()],
    );
    return fn(new RateStore(q));
  });
}

/** Removes the counters whose window has passed. */
export async function pruneRateLimits(db: Queryable, now: Date): Promise<number> {
  return (await db.query("delete from rate_limits where expires_at < $1 returning 1", [now])).length;
}

/** The default store: every limit in the shared `rate_limits` table. */
export class PostgresLimits implements LimitStore {
  private readonly store: RateStore;
  constructor(private readonly db: Db) {
    this.store = new RateStore(db);
  }
  hit(key: string, at: Date, windowMs: number, n = 1) {
    return this.store.hit(key, at, windowMs, n);
  }
  record(keys: readonly string[], at: Date, keepMs: number, n = 1) {
    return this.store.record(keys, at, keepMs, n);
  }
  since(key: string, from: Date) {
    return this.store.since(key, from);
  }
  clear(keys: readonly string[]) {
    return this.store.clear(keys);
  }
  locked<T>(keys: readonly string[], fn: (counter: LimitCounter) => Promise<T>): Promise<T> {
    return locked(this.db, keys, fn);
  }
  state() {
    return "postgres" as const;
  }
  async close() {}
}
