import type { Clock } from "../../lib/time";

/**
 * Where failed sign-ins are counted. Per process for now (kept in memory); a store shared by several
 * processes (a PostgreSQL table keyed by kind and key) implements the same three calls.
 */
export interface FailureStore {
  /** Records one failure under each key. */
  add(keys: readonly string[], at: Date): Promise<void>;
  /** The failures under a key since a moment, oldest first. */
  since(key: string, from: Date): Promise<Date[]>;
  /** Forgets a key's failures (after a successful sign-in). */
  clear(keys: readonly string[]): Promise<void>;
}

/** Failures kept in this process's memory; entries older than the window are dropped as keys are touched. */
export class MemoryFailureStore implements FailureStore {
  private readonly failures = new Map<string, number[]>();
  constructor(private readonly windowMs: number) {}

  async add(keys: readonly string[], at: Date) {
    for (const key of keys) {
      const list = this.prune(key, at.getTime()) ?? [];
      list.push(at.getTime());
      this.failures.set(key, list);
    }
    // Bound the memory an attacker can make us hold: sweep the expired keys now and then.
    if (this.failures.size > 10_000)
      for (const key of [...this.failures.keys()]) this.prune(key, at.getTime());
  }

  async since(key: string, from: Date) {
    return (this.failures.get(key) ?? []).filter((t) => t >= from.getTime()).map((t) => new Date(t));
  }

  async clear(keys: readonly string[]) {
    for (const key of keys) this.failures.delete(key);
  }

  private prune(key: string, now: number) {
    const list = this.failures.get(key)?.filter((t) => t > now - this.windowMs);
    if (!list?.length) {
      this.failures.delete(key);
      return undefined;
    }
    this.failures.set(key, list);
    return list;
  }
}

export const SIGNIN_WINDOW_MS = 15 * 60_000;
/** The longest an account's sign-ins are spaced after many failures from many addresses. */
const MAX_SPACING_MS = 60_000;

/**
 * Decides whether a sign-in attempt may be checked. Only wrong passwords count; a success clears the
 * failures of that account. Within a 15-minute window, with `limit` = SIGNIN_RATE_LIMIT:
 * - one address and one account: after `limit` failures each further attempt from that address waits 1 s
 *   after the last failure, doubling up to a minute — slowed down, never locked out;
 * - one account, any addresses: the same from 2 × `limit` failures, so the right password from another
 *   address still works at once after an attack from one address;
 * - one address, any accounts: after 5 × `limit` failures the address waits until the oldest of them
 *   leaves the window (a hard cap against guessing across many accounts).
 * A refusal says how long to wait (Retry-After).
 */
export class SignInLimiter {
  constructor(
    private readonly limit: number,
    private readonly clock: Clock,
    private readonly store: FailureStore = new MemoryFailureStore(SIGNIN_WINDOW_MS),
  ) {}

  private keys(ip: string, email: string) {
    return { pair: `pair|${ip}|${email}`, ip: `ip|${ip}`, account: `account|${email}` };
  }

  /** Milliseconds to wait before this attempt may be checked; 0 when it may be checked now. */
  async waitMs(ip: string, email: string): Promise<number> {
    const now = this.clock.now().getTime();
    const from = new Date(now - SIGNIN_WINDOW_MS);
    const k = this.keys(ip, email);
    const spaced = (list: Date[], after: number) => {
      const beyond = list.length - after;
      if (beyond < 0) return 0;
      return list[list.length - 1]!.getTime() + Math.min(1000 * 2 ** beyond, MAX_SPACING_MS) - now;
    };
    const capped = (list: Date[], cap: number) =>
      list.length >= cap ? list[list.length - cap]!.getTime() + SIGNIN_WINDOW_MS - now : 0;
    const wait = Math.max(
      spaced(await this.store.since(k.pair, from), this.limit),
      spaced(await this.store.since(k.account, from), this.limit * 2),
      capped(await this.store.since(k.ip, from), this.limit * 5),
    );
    return Math.max(0, wait);
  }

  async failed(ip: string, email: string) {
    const k = this.keys(ip, email);
    await this.store.add([k.pair, k.ip, k.account], this.clock.now());
  }

  async succeeded(ip: string, email: string) {
    const k = this.keys(ip, email);
    await this.store.clear([k.pair, k.account]);
  }
}
