import { DateTime } from "luxon";
import { z } from "zod";

/**
 * Business hours: weekly open intervals in an IANA time zone plus whole-day holidays. The maths here is
 * pure (no database) so the server, the agent web app and set-based callers share one definition. Luxon
 * does the time-zone and daylight-saving work: a local wall-clock time is turned into an instant in the
 * schedule's zone, so a 09:00–18:00 day is 9 working hours on both sides of a DST change.
 */

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;

export const HoursInterval = z
  .object({
    /** ISO weekday: 1 = Monday … 7 = Sunday. */
    day: z.number().int().min(1).max(7),
    from: z.string().regex(HHMM, "Use HH:MM (00:00–23:59)."),
    /** Earlier than or equal to `from` means the interval runs past midnight into the next day. */
    to: z.string().regex(HHMM, "Use HH:MM (00:00–24:00)."),
  })
  .refine((i) => i.from !== "24:00", { message: "An interval cannot start at 24:00.", path: ["from"] });
export type HoursInterval = z.infer<typeof HoursInterval>;

export const Holiday = z.object({
  date: z.iso.date(),
  name: z.string().trim().max(100).nullable().default(null),
});
export type Holiday = z.infer<typeof Holiday>;

export const TimeZoneName = z
  .string()
  .min(1)
  .refine((tz) => DateTime.local().setZone(tz).isValid, "is not a known IANA time zone (e.g. Europe/Kyiv)");

export const Schedule = z.object({
  timeZone: TimeZoneName,
  weekly: z.array(HoursInterval).max(70),
  holidays: z.array(Holiday).max(500).default([]),
});
export type Schedule = z.infer<typeof Schedule>;

/** [start, end) in epoch milliseconds. */
export type Span = readonly [number, number];

const DAY = 86_400_000;
const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

function at(date: DateTime, minutes: number): number {
  // Local wall-clock time on that date in the schedule's zone. A time that a DST gap skips is moved forward
  // by the gap (03:30 on Kyiv's spring-forward night is 04:30), as Luxon and Temporal's "compatible" do.
  if (minutes >= 1440) return date.plus({ days: 1 }).startOf("day").toMillis();
  return date
    .set({ hour: Math.floor(minutes / 60), minute: minutes % 60, second: 0, millisecond: 0 })
    .toMillis();
}

/**
 * The open spans that overlap [from, to), merged and sorted. A null schedule is always open. Holidays
 * close their whole local day, including the part of an interval that ran past midnight into it.
 */
export function openSpans(schedule: Schedule | null, from: number, to: number): Span[] {
  if (to <= from) return [];
  if (!schedule) return [[from, to]];
  const zone = schedule.timeZone;
  const holidays = new Set(schedule.holidays.map((h) => h.date));
  const raw: [number, number][] = [];
  // One local day before `from`: an interval that started yesterday evening may still be open.
  let day = DateTime.fromMillis(from, { zone }).startOf("day").minus({ days: 1 });
  const last = DateTime.fromMillis(to, { zone }).startOf("day");
  while (day <= last) {
    for (const i of schedule.weekly) {
      if (i.day !== day.weekday) continue;
      const a = minutesOf(i.from);
      const b = minutesOf(i.to);
      const start = at(day, a);
      const end = b > a ? at(day, b) : at(day.plus({ days: 1 }), b);
      if (end > start) raw.push(...cutHolidays(start, end, zone, holidays));
    }
    day = day.plus({ days: 1 });
  }
  raw.sort((x, y) => x[0] - y[0]);
  const merged: [number, number][] = [];
  for (const [s0, e0] of raw) {
    const s = Math.max(s0, from);
    const e = Math.min(e0, to);
    if (e <= s) continue;
    const prev = merged[merged.length - 1];
    if (prev && s <= prev[1]) prev[1] = Math.max(prev[1], e);
    else merged.push([s, e]);
  }
  return merged;
}

function cutHolidays(start: number, end: number, zone: string, holidays: Set<string>): [number, number][] {
  if (!holidays.size) return [[start, end]];
  const out: [number, number][] = [];
  let day = DateTime.fromMillis(start, { zone }).startOf("day");
  while (day.toMillis() < end) {
    const next = day.plus({ days: 1 });
    const s = Math.max(start, day.toMillis());
    const e = Math.min(end, next.toMillis());
    if (e > s && !holidays.has(day.toISODate()!)) out.push([s, e]);
    day = next;
  }
  return out;
}

/** Whether the schedule is open at an instant. */
export function isOpenAt(schedule: Schedule | null, t: number): boolean {
  return openSpans(schedule, t, t + 1).length > 0;
}

/** The first instant at or after `t` when the schedule is open; null when it never opens within a year. */
export function nextOpeningAt(schedule: Schedule | null, t: number): number | null {
  if (!schedule) return t;
  for (let from = t; from < t + 370 * DAY; from += 14 * DAY) {
    const first = openSpans(schedule, from, from + 14 * DAY)[0];
    if (first) return first[0];
  }
  return null;
}

/** The first instant after `t` when an open period ends (the schedule closes); null when always open. */
export function nextClosingAt(schedule: Schedule | null, t: number): number | null {
  if (!schedule) return null;
  const spans = openSpans(schedule, t, t + 15 * DAY);
  const first = spans[0];
  if (!first || first[0] > t) return t;
  return first[1];
}

/** Working milliseconds in [from, to): the length of the open time between two instants. */
export function workingMs(schedule: Schedule | null, from: number, to: number): number {
  let sum = 0;
  for (const [s, e] of openSpans(schedule, from, to)) sum += e - s;
  return sum;
}

/**
 * The instant when `ms` working milliseconds have passed since `from` (a time limit's due instant);
 * null when the schedule has no open time within a year.
 */
export function addWorkingMs(schedule: Schedule | null, from: number, ms: number): number | null {
  if (!schedule) return from + ms;
  let left = ms;
  for (let a = from; a < from + 370 * DAY; a += 14 * DAY) {
    for (const [s, e] of openSpans(schedule, a, a + 14 * DAY)) {
      if (e - s >= left) return s + left;
      left -= e - s;
    }
  }
  return null;
}
