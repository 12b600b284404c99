import type { Clock } from "../../lib/time";
import { MemoryFailureStore } from "../auth/signin-limiter";

const WINDOW_MS = 3600_000;
/** Requests per hour for one email address (known or not: the answer must not tell which). */
export const RESET_PER_EMAIL = 3;
/** Requests per hour from one network address, across emails. */
export const RESET_PER_IP = 20;

/**
 * Caps password-reset requests per email address and per network address within an hour, counting every
 * request whether or not the address belongs to an account. Kept in this process's memory, like the
 * sign-in limiter.
 */
export class ResetLimiter {
  private readonly store = new MemoryFailureStore(WINDOW_MS);
  constructor(private readonly clock: Clock) {}

  /** Seconds to wait before another request is taken, or 0; a request taken is counted. */
  async take(ip: string, email: string): Promise<number> {
    const now = this.clock.now();
    const from = new Date(now.getTime() - WINDOW_MS);
    const keys = { email: `reset-email|${email}`, ip: `reset-ip|${ip}` };
    const byEmail = await this.store.since(keys.email, from);
    const byIp = await this.store.since(keys.ip, from);
    const until = (list: Date[], cap: number) =>
      list.length >= cap ? list[list.length - cap]!.getTime() + WINDOW_MS - now.getTime() : 0;
    const wait = Math.max(until(byEmail, RESET_PER_EMAIL), until(byIp, RESET_PER_IP));
    if (wait > 0) return Math.ceil(wait / 1000);
    await this.store.add([keys.email, keys.ip], now);
    return 0;
  }
}
