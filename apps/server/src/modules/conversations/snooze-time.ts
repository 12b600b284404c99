import { nextClosingAt, nextOpeningAt, type Schedule } from "@parley/protocol/hours";
import { DateTime } from "luxon";
import { z } from "zod";

/** The snooze presets: an hour from now, tomorrow morning, next week (Monday morning). */
export const SnoozePreset = z.enum(["hour", "tomorrow", "next_week"]);
export type SnoozePreset = z.infer<typeof SnoozePreset>;

/** "Morning" when there are no business hours: 09:00 local time. */
export const MORNING_HOUR = 9;
/** The longest snooze: a year. */
export const SNOOZE_MAX_MS = 366 * 86_400_000;

/**
 * When a preset ends, from `now`. With business hours (the conversation's team's, else the workspace's),
 * "tomorrow" is their first opening from the start of tomorrow and "next week" their first opening from the
 * start of next Monday, both in the hours' time zone; without, 09:00 on that day in `zone` (the agent's time
 * zone as the browser tells it, else UTC). Null when the hours never open within a year.
 */
export function presetUntil(
  preset: SnoozePreset,
  now: Date,
  schedule: Schedule | null,
  zone: string,
): Date | null {
  if (preset === "hour") return new Date(now.getTime() + 3600_000);
  const local = DateTime.fromJSDate(now, { zone: schedule?.timeZone ?? zone });
  // Luxon's weeks start on Monday.
  const day =
    preset === "tomorrow" ? local.startOf("day").plus({ days: 1 }) : local.startOf("week").plus({ weeks: 1 });
  if (schedule) {
    const t = nextOpeningAt(schedule, day.toMillis());
    return t === null ? null : new Date(t);
  }
  return day.set({ hour: MORNING_HOUR }).toJSDate();
}

/**
 * The next opening of business hours after the current open period (a rule's "snooze until the next
 * opening"): when closed now, the coming opening; when open now, the one after this period closes. Null
 * without business hours (always open: there is no next opening) or when they never open within a year.
 */
export function nextOpeningAfter(schedule: Schedule | null, now: Date): Date | null {
  if (!schedule) return null;
  const closes = nextClosingAt(schedule, now.getTime()) ?? now.getTime();
  const t = nextOpeningAt(schedule, closes);
  return t === null ? null : new Date(t);
}
