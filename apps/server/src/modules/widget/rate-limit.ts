import { AppError } from "../../lib/errors";
import type { LimitStore } from "../../lib/limits";
import type { Clock } from "../../lib/time";

/**
 * A fixed-window counter per key, for a second limit on a route; counted in the shared limits store,
 * so the limit holds across every server process.
 */
export class WindowLimiter {
  constructor(
    private readonly store: LimitStore,
    private readonly name: string,
    private readonly max: number,
    private readonly windowMs: number,
    private readonly clock: Clock,
  ) {}

  /** Counts one request; throws a 429 (with the seconds to wait) past the limit. */
  async take(key: string): Promise<void> {
    const now = this.clock.now();
    const { count, resetAt } = await this.store.hit(`${this.name}|${key}`, now, this.windowMs);
    if (count > this.max) {
      const seconds = Math.max(1, Math.ceil((resetAt.getTime() - now.getTime()) / 1000));
      throw new AppError(
        "rate_limited",
        `Too many messages from this address. Try again in ${seconds} seconds.`,
        {
          retryAfterSeconds: seconds,
        },
      );
    }
  }
}
