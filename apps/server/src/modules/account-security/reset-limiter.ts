import type { LimitStore } from "../../lib/limits";
import type { Clock } from "../../lib/time";

const WINDOW_MS = 3600_000;
/** Requests per hour for one email address (known or not: the answer must not tell which). */
export const RESET_PER_EMAIL = 3;
/** Requests per hour from one network address, across emails. */
export const RESET_PER_IP = 20;

/**
 * Caps password-reset requests per email address and per network address within an hour, counting every
 * request whether or not the address belongs to an account. Counted in the shared limits store
 * as one decision on both keys, so processes together take no more than the caps.
 */
export class ResetLimiter {
  constructor(
    private readonly limits: LimitStore,
    private readonly clock: Clock,
  ) {}

  /** Seconds to wait before another request is taken, or 0; a request taken is counted. */
  async take(ip: string, email: string): Promise<number> {
    const now = this.clock.now();
    const from = new Date(now.getTime() - WINDOW_MS);
    const keys = { email: `reset-email|${email}`, ip: `reset-ip|${ip}` };
    return this.limits.locked([keys.email, keys.ip], async (store) => {
      const times = async (key: string) =>
        (await store.since(key, from)).flatMap((h) => Array.from({ length: h.count }, () => h.at.getTime()));
      const until = (list: number[], cap: number) =>
        // At most one window: another process's clock may be a little ahead of this one's.
        list.length >= cap ? Math.min(list[list.length - cap]! + WINDOW_MS - now.getTime(), WINDOW_MS) : 0;
      const wait = Math.max(
        until(await times(keys.email), RESET_PER_EMAIL),
        until(await times(keys.ip), RESET_PER_IP),
      );
      if (wait > 0) return Math.ceil(wait / 1000);
      await store.record([keys.email, keys.ip], now, WINDOW_MS);
      return 0;
    });
  }
}
