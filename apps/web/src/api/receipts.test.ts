import { QueryClient, QueryObserver } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";
import { applyCursorToSeenBy, receiptKeys, refetchSeenBy, type SeenByData, seenAt } from "./receipts";

const base: SeenByData = {
  readTrackingOff: null,
  override: null,
  cursors: [
    {
      userId: "a",
      name: "Anna",
      avatarUrl: null,
      lastReadSeq: 10,
      markedUnread: false,
      readAt: "2026-01-01T10:05:00Z",
    },
    {
      userId: "b",
      name: "Boris",
      avatarUrl: null,
      lastReadSeq: 4,
      markedUnread: false,
      readAt: "2026-01-01T10:02:00Z",
    },
  ],
  marks: [
    { userId: "a", seq: 4, at: "2026-01-01T10:01:00Z" },
    { userId: "b", seq: 4, at: "2026-01-01T10:02:00Z" },
    { userId: "a", seq: 10, at: "2026-01-01T10:05:00Z" },
  ],
};

describe("seen by", () => {
  it("says who saw a message and when: the first time their cursor reached it", () => {
    expect(seenAt(base, 3)).toEqual([
      { userId: "a", name: "Anna", avatarUrl: null, at: "2026-01-01T10:01:00Z" },
      { userId: "b", name: "Boris", avatarUrl: null, at: "2026-01-01T10:02:00Z" },
    ]);
    expect(seenAt(base, 7).map((v) => [v.name, v.at])).toEqual([["Anna", "2026-01-01T10:05:00Z"]]);
    expect(seenAt(base, 11)).toEqual([]);
  });

  it("follows a cursor moving forward live, and ignores one that does not advance", () => {
    const qc = new QueryClient();
    qc.setQueryData(receiptKeys.seenBy("c1"), base);
    applyCursorToSeenBy(qc, {
      conversationId: "c1",
      userId: "b",
      lastReadSeq: 12,
      markedUnread: false,
      readAt: "2026-01-01T11:00:00Z",
    });
    const after = qc.getQueryData<SeenByData>(receiptKeys.seenBy("c1"))!;
    expect(seenAt(after, 12).map((v) => [v.name, v.at])).toEqual([["Boris", "2026-01-01T11:00:00Z"]]);
    // Marked unread: the cursor stays where it was, nothing new was seen.
    applyCursorToSeenBy(qc, {
      conversationId: "c1",
      userId: "b",
      lastReadSeq: 12,
      markedUnread: true,
      readAt: "2026-01-01T11:00:00Z",
    });
    const unread = qc.getQueryData<SeenByData>(receiptKeys.seenBy("c1"))!;
    expect(unread.marks).toHaveLength(after.marks.length);
    expect(unread.cursors.find((c) => c.userId === "b")?.markedUnread).toBe(true);
    // A new reader whose name is known joins the list.
    applyCursorToSeenBy(
      qc,
      {
        conversationId: "c1",
        userId: "c",
        lastReadSeq: 12,
        markedUnread: false,
        readAt: "2026-01-01T12:00:00Z",
      },
      "Chen",
    );
    expect(seenAt(qc.getQueryData<SeenByData>(receiptKeys.seenBy("c1"))!, 12).map((v) => v.name)).toEqual([
      "Boris",
      "Chen",
    ]);
  });
});

describe("seen by after this tab's own read", () => {
  it("is fetched again even when its first fetch, answered before the read, is still under way", async () => {
    const qc = new QueryClient();
    const before = { ...base, cursors: base.cursors.slice(1) };
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    let calls = 0;
    // The feed's observer: subscribing starts the first fetch, whose answer (read before this tab's read was
    // stored) arrives late.
    const observer = new QueryObserver(qc, {
      queryKey: receiptKeys.seenBy("c1"),
      queryFn: async () => {
        calls++;
        if (calls === 1) {
          await held;
          return before;
        }
        return base;
      },
    });
    const unsubscribe = observer.subscribe(() => {});
    expect(calls).toBe(1);
    void refetchSeenBy(qc, "c1");
    await Promise.resolve();
    release();
    await expect
      .poll(() => qc.getQueryData<SeenByData>(receiptKeys.seenBy("c1"))?.cursors.map((c) => c.name))
      .toEqual(["Anna", "Boris"]);
    expect(calls).toBe(2);
    unsubscribe();
  });
});
