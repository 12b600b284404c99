import type { Task } from "@parley/protocol";
import dayjs, { type Dayjs } from "dayjs";

/**
 * The tasks page's calendar maths (dayjs, the web app's date library): the days a month or a week view
 * shows, and which of a task's moments fall on each day. Pure, in the browser's time zone.
 */
export type CalendarView = "month" | "week";

/** The first day of the week in the person's language: Sunday in English (US), Monday in Russian and Ukrainian. */
export const firstDayOfWeek = (lang: string) => (lang.startsWith("en") ? 0 : 1);

const startOfWeek = (d: Dayjs, first: number) => d.startOf("day").subtract((d.day() - first + 7) % 7, "day");

/** The days on screen: whole weeks around the month (5 or 6 of them), or the week holding `anchor`. */
export function calendarDays(view: CalendarView, anchor: Date, first: number): Date[] {
  const a = dayjs(anchor);
  const start = view === "month" ? startOfWeek(a.startOf("month"), first) : startOfWeek(a, first);
  const end = view === "month" ? startOfWeek(a.endOf("month"), first).add(7, "day") : start.add(7, "day");
  const days: Date[] = [];
  for (let d = start; d.isBefore(end); d = d.add(1, "day")) days.push(d.toDate());
  return days;
}

/** The period to ask the server for: from the first day shown to the end of the last. */
export function periodOf(days: Date[]): { from: string; to: string } {
  return {
    from: dayjs(days[0]).startOf("day").toISOString(),
    to: dayjs(days.at(-1)).startOf("day").add(1, "day").toISOString(),
  };
}

/** The anchor of the previous or next month or week. */
export const step = (view: CalendarView, anchor: Date, by: 1 | -1) => dayjs(anchor).add(by, view).toDate();

export interface CalendarItem {
  task: Task;
  /** "due": a task's due time or an event's start; "ongoing": a day inside a longer event; "reminder". */
  what: "due" | "ongoing" | "reminder";
  /** The moment shown (null for a day an event goes on through). */
  at: Date | null;
}

export const dayKeyOf = (d: Date) => dayjs(d).format("YYYY-MM-DD");

/**
 * Places each task on the days shown: a task on its due day, an event on every day from its start to its
 * end, and a reminder on the day it rings (a task or event with a reminder shows on both days). Each day's items
 * come by time, the days an event goes on through first.
 */
export function placeItems(tasks: Task[], days: Date[]): Map<string, CalendarItem[]> {
  const out = new Map<string, CalendarItem[]>(days.map((d) => [dayKeyOf(d), []]));
  const put = (d: Dayjs, item: CalendarItem) => out.get(d.format("YYYY-MM-DD"))?.push(item);
  for (const task of tasks) {
    // A reminder is its ringing time (which is its due time unless moved): shown once, as a reminder.
    if (task.kind === "reminder") {
      const at = task.remindAt ?? task.dueAt;
      if (at) put(dayjs(at), { task, what: "reminder", at: dayjs(at).toDate() });
      continue;
    }
    if (task.dueAt) {
      const start = dayjs(task.dueAt);
      put(start, { task, what: "due", at: start.toDate() });
      if (task.endsAt) {
        const end = dayjs(task.endsAt);
        // Every later day the event still runs on (an end at midnight does not add that day).
        for (let d = start.startOf("day").add(1, "day"); d.isBefore(end); d = d.add(1, "day")) {
          if (d.isBefore(dayjs(days[0]).startOf("day"))) continue;
          if (!out.has(d.format("YYYY-MM-DD"))) break;
          put(d, { task, what: "ongoing", at: null });
        }
      }
    }
    if (task.remindAt) {
      const at = dayjs(task.remindAt);
      put(at, { task, what: "reminder", at: at.toDate() });
    }
  }
  for (const items of out.values())
    items.sort(
      (a, b) => (a.at?.getTime() ?? Number.NEGATIVE_INFINITY) - (b.at?.getTime() ?? Number.NEGATIVE_INFINITY),
    );
  return out;
}
