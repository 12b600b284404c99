/**
 * Where rate limits count (sign-in, two-factor codes, password reset, web chat, the routes' limits, Telegram's
 * pacing): one interface, two stores. PostgreSQL (`rate_limits`, `lib/rate-store.ts`) by default; Redis when
 * `REDIS_URL` is set (`lib/redis-limits.ts`), falling back to PostgreSQL while Redis cannot be reached
 * (`lib/limit-store.ts`). Both count on the application's clock, with the same windows, so a limit answers the
 * same count and the same wait whichever store holds it.
 */

/** Hits recorded at one millisecond. */
export interface Hit {
  at: Date;
  count: number;
}

/** What a limit that decides before it counts may do while it holds its keys (`LimitStore.locked`). */
export interface LimitCounter {
  /** The hits recorded under a key from a moment on, oldest first. */
  since(key: string, from: Date): Promise<Hit[]>;
  /** Records `n` hits at `at` under each key, kept for `keepMs`. */
  record(keys: readonly string[], at: Date, keepMs: number, n?: number): Promise<void>;
}

/** Which store counts right now: `redis-degraded` is Redis configured but unreachable (PostgreSQL counts). */
export type LimitsState = "postgres" | "redis" | "redis-degraded";

export interface LimitStore extends LimitCounter {
  /**
   * Counts `n` hits in the key's fixed window, which opens with its first hit and lasts `windowMs`; answers
   * the count and when the window ends.
   */
  hit(key: string, at: Date, windowMs: number, n?: number): Promise<{ count: number; resetAt: Date }>;
  /** Forgets everything recorded under these keys. */
  clear(keys: readonly string[]): Promise<void>;
  /**
   * Runs `fn` as the only decision on these keys: no other process decides for them meanwhile, so a limit
   * that reads, decides and then records never lets two processes take the last slot. `fn` may run more than
   * once (it must only read and record through the counter it is given).
   */
  locked<T>(keys: readonly string[], fn: (counter: LimitCounter) => Promise<T>): Promise<T>;
  state(): LimitsState;
  close(): Promise<void>;
}
