import { describe, expect, it } from "vitest";
import {
  addWorkingMs,
  isOpenAt,
  nextClosingAt,
  nextOpeningAt,
  openSpans,
  type Schedule,
  workingMs,
} from "./hours";

const H = 3_600_000;
const t = (iso: string) => Date.parse(iso);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const weekdays = (from: string, to: string) => [1, 2, 3, 4, 5, 6, 7].map((day) => ({ day, from, to }));
const kyiv = (weekly: Schedule["weekly"], holidays: Schedule["holidays"] = []): Schedule => ({
  timeZone: "Europe/Kyiv",
  weekly,
  holidays,
});

describe("business hours maths", () => {
  it("no schedule is always open", () => {
    expect(isOpenAt(null, t("2026-03-29T01:00:00Z"))).toBe(true);
    expect(workingMs(null, t("2026-03-29T00:00:00Z"), t("2026-03-29T05:00:00Z"))).toBe(5 * H);
    expect(nextOpeningAt(null, 1000)).toBe(1000);
  });

  it("a 09:00–18:00 day is 9 working hours on both sides of Kyiv's spring DST change (29 March 2026)", () => {
    const s = kyiv(weekdays("09:00", "18:00"));
    // Saturday 28 March: UTC+2, so 09:00 local is 07:00Z.
    expect(
      openSpans(s, t("2026-03-28T00:00:00Z"), t("2026-03-29T00:00:00Z")).map(([a, b]) => [iso(a), iso(b)]),
    ).toEqual([["2026-03-28T07:00:00.000Z", "2026-03-28T16:00:00.000Z"]]);
    // Sunday 29 March, after 03:00→04:00: UTC+3, so 09:00 local is 06:00Z.
    expect(
      openSpans(s, t("2026-03-29T00:00:00Z"), t("2026-03-30T00:00:00Z")).map(([a, b]) => [iso(a), iso(b)]),
    ).toEqual([["2026-03-29T06:00:00.000Z", "2026-03-29T15:00:00.000Z"]]);
    // From Saturday 17:00 local (15:00Z) to Sunday 10:00 local (07:00Z): one hour each day.
    expect(workingMs(s, t("2026-03-28T15:00:00Z"), t("2026-03-29T07:00:00Z"))).toBe(2 * H);
  });

  it("a night shift across the spring-forward gap is one hour shorter, across the autumn fall-back one hour longer", () => {
    const s = kyiv(weekdays("22:00", "06:00"));
    // Saturday 28 March 22:00 (+02, 20:00Z) to Sunday 06:00 (+03, 03:00Z): 7 hours.
    expect(workingMs(s, t("2026-03-28T18:00:00Z"), t("2026-03-29T05:00:00Z"))).toBe(7 * H);
    // Saturday 24 October 22:00 (+03, 19:00Z) to Sunday 25 October 06:00 (+02, 04:00Z): 9 hours.
    expect(workingMs(s, t("2026-10-24T18:00:00Z"), t("2026-10-25T05:00:00Z"))).toBe(9 * H);
    expect(isOpenAt(s, t("2026-10-25T03:30:00Z"))).toBe(true);
    expect(isOpenAt(s, t("2026-10-25T04:30:00Z"))).toBe(false);
  });

  it("an interval starting in the hour the spring change skips starts one hour later on the wall clock", () => {
    const s = kyiv([{ day: 7, from: "03:30", to: "05:00" }]);
    const [span] = openSpans(s, t("2026-03-29T00:00:00Z"), t("2026-03-30T00:00:00Z"));
    expect(iso(span![0])).toBe("2026-03-29T01:30:00.000Z"); // 04:30 at +03 (03:30 does not exist)
    expect(iso(span![1])).toBe("2026-03-29T02:00:00.000Z");
  });

  it("holidays close the whole local day, including the part of a night interval that runs into them", () => {
    const s = kyiv(weekdays("20:00", "02:00"), [{ date: "2026-12-25", name: "Christmas" }]);
    // 24 December 20:00 (+02) – 25 December 00:00 counts; 00:00–02:00 on the holiday does not.
    expect(
      openSpans(s, t("2026-12-24T00:00:00Z"), t("2026-12-26T00:00:00Z")).map(([a, b]) => [iso(a), iso(b)]),
    ).toEqual([
      ["2026-12-24T18:00:00.000Z", "2026-12-24T22:00:00.000Z"],
      ["2026-12-25T22:00:00.000Z", "2026-12-26T00:00:00.000Z"],
    ]);
    expect(isOpenAt(s, t("2026-12-24T23:00:00Z"))).toBe(false);
    // The 25th's own evening interval is closed; the part of it past midnight, on the 26th, is open.
    expect(iso(nextOpeningAt(s, t("2026-12-25T10:00:00Z")))).toBe("2026-12-25T22:00:00.000Z");
  });

  it("a midnight-spanning interval merges with the next day's morning and weekends are closed", () => {
    const s = kyiv([
      { day: 5, from: "18:00", to: "00:00" },
      { day: 6, from: "00:00", to: "03:00" },
    ]);
    const spans = openSpans(s, t("2026-06-05T00:00:00Z"), t("2026-06-07T00:00:00Z"));
    expect(spans.map(([a, b]) => [iso(a), iso(b)])).toEqual([
      ["2026-06-05T15:00:00.000Z", "2026-06-06T00:00:00.000Z"],
    ]);
    expect(iso(nextClosingAt(s, t("2026-06-05T20:00:00Z")))).toBe("2026-06-06T00:00:00.000Z");
    // Saturday after 03:00 local: the next opening is the next Friday at 18:00 (+03).
    expect(iso(nextOpeningAt(s, t("2026-06-06T06:00:00Z")))).toBe("2026-06-12T15:00:00.000Z");
  });

  it("a time limit's due instant counts working time only", () => {
    const s = kyiv([1, 2, 3, 4, 5].map((day) => ({ day, from: "09:00", to: "18:00" })));
    // Friday 2026-06-05 17:30 (+03) plus 60 working minutes: 30 on Friday, 30 on Monday from 09:00.
    expect(iso(addWorkingMs(s, t("2026-06-05T14:30:00Z"), H))).toBe("2026-06-08T06:30:00.000Z");
    expect(workingMs(s, t("2026-06-05T14:30:00Z"), t("2026-06-08T06:30:00Z"))).toBe(H);
    expect(addWorkingMs(kyiv([]), 0, H)).toBeNull();
  });
});
