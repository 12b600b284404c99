import type { Logger } from "pino";
import type { Db } from "../db/client";
import type { LimitCounter, LimitStore, LimitsState } from "./limits";
import { PostgresLimits } from "./rate-store";
import { RedisFailure, RedisLimits } from "./redis-limits";

/** After a Redis command failed while connected (a timeout, say), PostgreSQL counts for this long. */
const PAUSE_MS = 2000;

/**
 * The limits' store for this process: PostgreSQL, or with `REDIS_URL` Redis in front of it. While Redis cannot
 * be reached (not connected, or a command failed or took over a second) every limit counts in PostgreSQL, so
 * requests are answered and limits keep holding; the process logs a warning once per outage, `/api/health`
 * says `limits: "redis-degraded"`, and Redis is used again as soon as it answers (the client reconnects by
 * itself). Counts made in one store are not seen by the other: across a switch a window starts afresh.
 */
export function createLimitStore(db: Db, opts: { redisUrl?: string; log: Logger }): LimitStore {
  const postgres = new PostgresLimits(db);
  if (!opts.redisUrl) return postgres;
  return new RedisWithFallback(opts.redisUrl, postgres, opts.log);
}

class RedisWithFallback implements LimitStore {
  private readonly redis: RedisLimits;
  private pausedUntil = 0;
  /** Whether the last word about Redis was bad (for logging each outage once). */
  private down = false;

  constructor(
    url: string,
    private readonly postgres: PostgresLimits,
    private readonly log: Logger,
  ) {
    this.redis = new RedisLimits(url, {
      onState: (up, err) => (up ? this.recovered() : this.failed("connection lost", err)),
    });
  }

  private usable() {
    return this.redis.ready() && performance.now() >= this.pausedUntil;
  }

  private failed(what: string, err?: unknown) {
    if (this.down) return;
    this.down = true;
    this.log.warn({ err, what }, "limits: Redis unreachable, counting in PostgreSQL until it answers");
  }

  private recovered() {
    if (!this.down) return;
    this.down = false;
    this.pausedUntil = 0;
    this.log.info("limits: Redis answers again, counting there");
  }

  private async run<T>(what: string, viaRedis: () => Promise<T>, viaPostgres: () => Promise<T>): Promise<T> {
    if (this.usable()) {
      try {
        const result = await viaRedis();
        this.recovered();
        return result;
      } catch (err) {
        // The limit's own errors are its caller's; only Redis not answering sends the count to PostgreSQL.
        if (!(err instanceof RedisFailure)) throw err;
        if (this.redis.ready()) this.pausedUntil = performance.now() + PAUSE_MS;
        this.failed(what, err);
      }
    }
    return viaPostgres();
  }

  hit(key: string, at: Date, windowMs: number, n = 1) {
    return this.run(
      "hit",
      () => this.redis.hit(key, at, windowMs, n),
      () => this.postgres.hit(key, at, windowMs, n),
    );
  }

  record(keys: readonly string[], at: Date, keepMs: number, n = 1) {
    return this.run(
      "record",
      () => this.redis.record(keys, at, keepMs, n),
      () => this.postgres.record(keys, at, keepMs, n),
    );
  }

  since(key: string, from: Date) {
    return this.run(
      "since",
      () => this.redis.since(key, from),
      () => this.postgres.since(key, from),
    );
  }

  clear(keys: readonly string[]) {
    return this.run(
      "clear",
      () => this.redis.clear(keys),
      () => this.postgres.clear(keys),
    );
  }

  locked<T>(keys: readonly string[], fn: (counter: LimitCounter) => Promise<T>) {
    return this.run(
      "locked",
      () => this.redis.locked(keys, fn),
      () => this.postgres.locked(keys, fn),
    );
  }

  state(): LimitsState {
    return this.usable() ? "redis" : "redis-degraded";
  }

  close() {
    return this.redis.close();
  }
}
