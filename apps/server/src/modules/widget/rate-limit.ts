import { AppError } from "../../lib/errors";
import type { Clock } from "../../lib/time";

/** A fixed-window counter per key (in this process), for a second limit on a route. */
export class WindowLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();
  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly clock: Clock,
  ) {}
  take(key: string) {
    const now = this.clock.now().getTime();
    let w = this.windows.get(key);
    if (!w || now - w.start >= this.windowMs) {
      if (this.windows.size > 50_000) this.windows.clear();
      w = { start: now, count: 0 };
      this.windows.set(key, w);
    }
    if (++w.count > this.max) {
      throw new AppError(
        "rate_limited",
        `Too many messages from this address. Try again in ${Math.ceil((w.start + this.windowMs - now) / 1000)} seconds.`,
      );
    }
  }
}
