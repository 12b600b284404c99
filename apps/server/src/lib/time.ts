/** The clock the application reads; tests swap it to move time without sleeping. */
export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };

export const iso = (d: Date | string | null | undefined): string | null =>
  d == null ? null : typeof d === "string" ? new Date(d).toISOString() : d.toISOString();
