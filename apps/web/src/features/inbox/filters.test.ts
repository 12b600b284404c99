import { describe, expect, it } from "vitest";
import { conversationFixture } from "../../testing/conversation";
import {
  activeFilterCount,
  listParams,
  matchesParams,
  readFilters,
  sortsBefore,
  writeFilters,
} from "./filters";

const conv = conversationFixture;

describe("inbox filters in the URL", () => {
  it("reads what it writes, leaves other parameters alone and ignores values it does not know", () => {
    const url = new URLSearchParams("view=all&q=hello");
    const f = {
      ...readFilters(url),
      channel: ["telegram", "email"],
      type: "unanswered" as const,
      tag: ["t1"],
      tagMode: "pinned" as const,
      from: "2026-05-01",
      author: "agent" as const,
      sort: "waiting" as const,
    };
    const written = writeFilters(url, f);
    expect(written.get("view")).toBe("all");
    expect(written.get("q")).toBe("hello");
    expect(readFilters(written)).toEqual(f);
    expect(activeFilterCount(f)).toBe(5);
    const junk = readFilters(
      new URLSearchParams("type=everything&tagMode=x&from=yesterday&author=bot&sort=random"),
    );
    expect(junk).toMatchObject({ type: "", tagMode: "any", from: "", author: "", sort: "activity" });
  });

  it("turns a view and filters into the API query; a day becomes [start, next start)", () => {
    const f = {
      ...readFilters(new URLSearchParams()),
      status: ["closed"],
      type: "mine" as const,
      from: "2026-05-01",
      sort: "waiting" as const,
    };
    const q = listParams("all", f, true);
    expect(q).toMatchObject({ status: "closed", mine: "true", sort: "waiting" });
    expect(Date.parse(q.activeTo!) - Date.parse(q.activeFrom!)).toBe(86_400_000);
    // Without time limits the processing order is not offered.
    expect(listParams("all", f, false).sort).toBeUndefined();
  });
});

describe("comments or direct messages (R451)", () => {
  it("keeps the kind in the URL, sends it to the API and places live rows by it", () => {
    const f = { ...readFilters(new URLSearchParams()), kind: "comment" as const };
    const written = writeFilters(new URLSearchParams(), f);
    expect(written.get("kind")).toBe("comment");
    expect(readFilters(written).kind).toBe("comment");
    expect(readFilters(new URLSearchParams("kind=posts")).kind).toBe("");
    expect(activeFilterCount(f)).toBe(1);
    const q = listParams("all", f, false);
    expect(q.kind).toBe("comment");
    expect(matchesParams(q, conv({ kind: "comment", postId: "p1" }), "me")).toBe(true);
    expect(matchesParams(q, conv(), "me")).toBe(false);
    expect(matchesParams({ kind: "direct" }, conv(), "me")).toBe(true);
  });
});

describe("realtime rows against a list's query", () => {
  it("tells whether a conversation belongs, or that it cannot tell", () => {
    const me = "me";
    expect(matchesParams({ status: "open,in_progress" }, conv(), me)).toBe(true);
    expect(matchesParams({ status: "closed" }, conv(), me)).toBe(false);
    expect(matchesParams({ mine: "true" }, conv({ assigneeId: me }), me)).toBe(true);
    expect(matchesParams({ channel: "email" }, conv(), me)).toBe(false);
    expect(matchesParams({ author: "agent" }, conv(), me)).toBe(false);
    expect(matchesParams({ unanswered: "true" }, conv({ firstUnansweredAt: null }), me)).toBe(false);
    expect(matchesParams({ tag: "t1" }, conv(), me)).toBeNull();
    expect(
      matchesParams(
        { activeFrom: "2026-06-01T00:00:00.000Z", activeTo: "2026-06-02T00:00:00.000Z" },
        conv(),
        me,
      ),
    ).toBe(false);
  });

  it("moves starred and snoozed conversations between the default, Important and Snoozed views", () => {
    const me = "me";
    const all = listParams("all", readFilters(new URLSearchParams()), false);
    const important = listParams("important", readFilters(new URLSearchParams()), false);
    const snoozedView = listParams("snoozed", readFilters(new URLSearchParams()), false);
    const snoozed = conv({ snoozedUntil: "2026-05-02T09:00:00.000Z" });
    expect(matchesParams(all, conv(), me)).toBe(true);
    expect(matchesParams(all, snoozed, me)).toBe(false);
    expect(matchesParams(snoozedView, snoozed, me)).toBe(true);
    expect(matchesParams(snoozedView, conv({ snoozedUntil: null }), me)).toBe(false);
    expect(matchesParams(important, conv({ important: true }), me)).toBe(true);
    expect(matchesParams(important, conv({ important: true, snoozedUntil: snoozed.snoozedUntil! }), me)).toBe(
      true,
    );
    expect(matchesParams(important, conv({ important: false }), me)).toBe(false);
    expect(matchesParams(important, conv({ important: true, status: "closed" }), me)).toBe(false);
  });

  it("orders by activity, or waiting customers first by their wait", () => {
    const older = conv({
      id: "a",
      lastActivityAt: "2026-05-01T09:00:00.000Z",
      firstUnansweredAt: "2026-05-01T08:00:00.000Z",
    });
    const newer = conv({
      id: "b",
      lastActivityAt: "2026-05-01T11:00:00.000Z",
      firstUnansweredAt: "2026-05-01T10:30:00.000Z",
    });
    const answered = conv({ id: "c", lastActivityAt: "2026-05-01T12:00:00.000Z", firstUnansweredAt: null });
    expect(sortsBefore(newer, older, undefined)).toBe(true);
    expect(sortsBefore(older, newer, "waiting")).toBe(true);
    expect(sortsBefore(newer, answered, "waiting")).toBe(true);
    expect(sortsBefore(answered, newer, "activity")).toBe(true);
  });
});
