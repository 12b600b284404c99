/** The clock the application reads; tests swap it to move time without sleeping. */
export interface Clock {
  now(): Date;
  /**
   * For a clock tests move: what the database's clock is to read instead of its own now() where the database
   * decides on time (jobs falling due, scheduled slots): a fixed instant (a frozen clock) or now() moved by
   * a shift. Absent in production, where the database's now() alone decides: a machine whose own clock is
   * wrong does not move it.
   */
  dbTime?(): DbTime;
}
export type DbTime = { at: Date; shiftMs?: undefined } | { at?: undefined; shiftMs: number };
export const systemClock: Clock = { now: () => new Date() };

/**
 * The database's time as seen by `clock`, as two query parameters: use them as
 * `coalesce($a::timestamptz, now() + $b::double precision * interval '1 millisecond')` (see `DB_NOW`).
 */
export function dbTimeParams(clock: Clock): [Date | null, number] {
  const t = clock.dbTime?.();
  return [t?.at ?? null, t?.shiftMs ?? 0];
}

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

  dbTime(): DbTime {
    return this.frozenAt !== null ? { at: new Date(this.frozenAt) } : { shiftMs: this.offsetMs };
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
