import type { LimitStore } from "../lib/limits";
import type { Clock } from "../lib/time";

type Done = (err: Error | null, res?: { current: number; ttl: number }) => void;
/** What the plugin hands a store: the route's merged limit options, with the route under `routeInfo`. */
type Params = { routeInfo?: { method?: string | string[]; url?: string } };

/**
 * The store behind the routes' `config.rateLimit` (@fastify/rate-limit): fixed windows in the shared limits
 * store (PostgreSQL or Redis), one counter per route and key, so a route's limit holds across every server
 * process. Times are the application's clock (tests move it).
 */
export function sharedRateLimitStore(store: LimitStore, clock: Clock) {
  return class SharedRateLimitStore {
    private readonly prefix: string;
    constructor(params: object = {}) {
      const info = (params as Params).routeInfo;
      this.prefix = info?.url ? `route|${[info.method ?? ""].flat().join(",")} ${info.url}` : "route|global";
    }

    incr(key: string, done: Done, timeWindow: number) {
      const now = clock.now();
      store.hit(`${this.prefix}|${key}`, now, timeWindow).then(
        ({ count, resetAt }) =>
          done(null, { current: count, ttl: Math.max(1, resetAt.getTime() - now.getTime()) }),
        (err: Error) => done(err),
      );
    }

    child(params: object) {
      return new SharedRateLimitStore(params);
    }
  };
}
