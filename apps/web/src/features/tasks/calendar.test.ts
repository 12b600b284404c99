import type { Task } from "@parley/protocol";
import { describe, expect, it } from "vitest";
import { calendarDays, dayKeyOf, firstDayOfWeek, periodOf, placeItems, step } from "./calendar";

const task = (over: Partial<Task>): Task => ({
  id: Math.random().toString(36).slice(2),
  kind: "task",
  title: "t",
  notes: null,
  conversationId: null,
  contactId: null,
  assigneeId: "u",
  createdBy: "u",
  dueAt: null,
  endsAt: null,
  remindAt: null,
  remindedAt: null,
  doneAt: null,
  createdAt: "2031-01-01T00:00:00Z",
  ...over,
});
const local = (y: number, m: number, d: number, h = 0, min = 0) => new Date(y, m - 1, d, h, min);

describe("the tasks calendar", () => {
  it("shows whole weeks around a month, starting on the language's first day of the week", () => {
    // March 2031 starts on a Saturday and ends on a Monday.
    const monday = calendarDays("month", local(2031, 3, 15), firstDayOfWeek("ru"));
    expect(monday.length % 7).toBe(0);
    expect(dayKeyOf(monday[0]!)).toBe("2031-02-24");
    expect(dayKeyOf(monday.at(-1)!)).toBe("2031-04-06");
    const sunday = calendarDays("month", local(2031, 3, 15), firstDayOfWeek("en"));
    expect(dayKeyOf(sunday[0]!)).toBe("2031-02-23");
    expect(dayKeyOf(sunday.at(-1)!)).toBe("2031-04-05");
    const week = calendarDays("week", local(2031, 3, 12), 1);
    expect(week.map(dayKeyOf)).toEqual([
      "2031-03-10",
      "2031-03-11",
      "2031-03-12",
      "2031-03-13",
      "2031-03-14",
      "2031-03-15",
      "2031-03-16",
    ]);
    const { from, to } = periodOf(week);
    expect(new Date(to).getTime() - new Date(from).getTime()).toBeGreaterThanOrEqual(
      7 * 86_400_000 - 3_600_000,
    );
    expect(dayKeyOf(step("month", local(2031, 1, 31), 1))).toBe("2031-02-28");
    expect(dayKeyOf(step("week", local(2031, 3, 12), -1))).toBe("2031-03-05");
  });

  it("places tasks on their due day, events on every day they run and reminders on the day they ring, by time", () => {
    const days = calendarDays("week", local(2031, 3, 12), 1);
    const due = task({ title: "invoice", dueAt: local(2031, 3, 12, 15).toISOString() });
    const early = task({ title: "call", dueAt: local(2031, 3, 12, 9).toISOString() });
    const fair = task({
      kind: "event",
      title: "fair",
      dueAt: local(2031, 3, 13, 10).toISOString(),
      endsAt: local(2031, 3, 15, 0).toISOString(),
    });
    const reminded = task({
      title: "quote",
      dueAt: local(2031, 3, 20, 12).toISOString(),
      remindAt: local(2031, 3, 14, 8).toISOString(),
    });
    const ping = task({
      kind: "reminder",
      title: "ping",
      dueAt: local(2031, 3, 16, 9).toISOString(),
      remindAt: local(2031, 3, 16, 9).toISOString(),
    });
    const placed = placeItems([due, early, fair, reminded, ping], days);
    const titles = (key: string) => placed.get(key)!.map((i) => `${i.what}:${i.task.title}`);
    expect(titles("2031-03-12")).toEqual(["due:call", "due:invoice"]);
    expect(titles("2031-03-13")).toEqual(["due:fair"]);
    expect(titles("2031-03-14")).toEqual(["ongoing:fair", "reminder:quote"]);
    // Ends at midnight: the 15th is not a day of the fair.
    expect(titles("2031-03-15")).toEqual([]);
    // A reminder shows once, as a reminder.
    expect(titles("2031-03-16")).toEqual(["reminder:ping"]);
    expect([...placed.keys()]).not.toContain("2031-03-20");
  });
});
