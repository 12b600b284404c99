import type { LimitStore } from "../../lib/limits";
import type { Clock } from "../../lib/time";

/** Where failed sign-ins are counted. */
export interface FailureStore {
  /** Records one failure under each key. */
  add(keys: readonly string[], at: Date): Promise<void>;
  /** The failures under a key since a moment, oldest first. */
  since(key: string, from: Date): Promise<Date[]>;
  /** Forgets a key's failures (after a successful sign-in). */
  clear(keys: readonly string[]): Promise<void>;
}

/**
 * Failures in the shared limits store (PostgreSQL's `rate_limits`, or Redis: `lib/limits.ts`), by the
 * millisecond and kept for the window, so every process counts the same attempts. `name` keeps limiters apart (wrong passwords, wrong second-step codes): a right
 * password clears only its own counts.
 */
export class SharedFailureStore implements FailureStore {
  constructor(
    private readonly store: LimitStore,
    private readonly name: string,
    private readonly windowMs: number,
  ) {}

  private key(k: string) {
    return `${this.name}|${k}`;
  }

  add(keys: readonly string[], at: Date) {
    return this.store.record(
      keys.map((k) => this.key(k)),
      at,
      this.windowMs,
    );
  }

  async since(key: string, from: Date) {
    return (await this.store.since(this.key(key), from)).flatMap((h) =>
      Array.from({ length: h.count }, () => h.at),
    );
  }

  clear(keys: readonly string[]) {
    return this.store.clear(keys.map((k) => this.key(k)));
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
 * A refusal says how long to wait (Retry-After). The failures are kept in the shared limits store (SharedFailureStore),
 * so the limits hold across every server process.
 */
export class SignInLimiter {
  constructor(
    private readonly limit: number,
    private readonly clock: Clock,
    private readonly store: FailureStore,
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
