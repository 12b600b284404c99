/** The clock the application reads; tests swap it to move time without sleeping. */
export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };

/**
 * The clock tests give the server: the system's time moved by hand. `advance` makes hours pass at once (a
 * retry due, a limit expired); `freeze` stops it, so what the server decides is checked against a known
 * time rather than against when requests happened to arrive; `unfreeze` lets it run on from there.
 */
export class MovableClock implements Clock {
  private offsetMs = 0;
  private frozenAt: number | null = null;

  now(): Date {
    return new Date(this.frozenAt ?? Date.now() + this.offsetMs);
  }

  advance(ms: number) {
    if (this.frozenAt !== null) this.frozenAt += ms;
    else this.offsetMs += ms;
  }

  /** Stops the clock; returns the time it stopped at (ms). */
  freeze(): number {
    this.frozenAt = Date.now() + this.offsetMs;
    return this.frozenAt;
  }

  unfreeze() {
    if (this.frozenAt !== null) this.offsetMs = this.frozenAt - Date.now();
    this.frozenAt = null;
  }
}

export const iso = (d: Date | string | null | undefined): string | null =>
  d == null ? null : typeof d === "string" ? new Date(d).toISOString() : d.toISOString();
