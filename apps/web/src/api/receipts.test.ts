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

/** Chen's read up to seq 12 (a cursor from the socket). */
const chen = {
  conversationId: "c1",
  userId: "c",
  lastReadSeq: 12,
  markedUnread: false,
  readAt: "2026-01-01T12:00:00Z",
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
    applyCursorToSeenBy(qc, chen, "Chen");
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

  it("keeps a colleague's read that arrives while it is being fetched again, in that fetch's answer", async () => {
    const qc = new QueryClient();
    qc.setQueryData(receiptKeys.seenBy("c1"), base);
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    // "Seen by" shown again: its fetch (the re-read after this tab's own read, already asked for) is under
    // way, and its answer was read before the colleague's read.
    const observer = new QueryObserver(qc, {
      queryKey: receiptKeys.seenBy("c1"),
      queryFn: async () => {
        await held;
        return base;
      },
    });
    const unsubscribe = observer.subscribe(() => {});
    expect(qc.getQueryState(receiptKeys.seenBy("c1"))?.fetchStatus).toBe("fetching");
    applyCursorToSeenBy(qc, chen, "Chen");
    release();
    await expect.poll(() => qc.getQueryState(receiptKeys.seenBy("c1"))?.fetchStatus).toBe("idle");
    const names = () => qc.getQueryData<SeenByData>(receiptKeys.seenBy("c1"))?.cursors.map((c) => c.name);
    expect(names()).toEqual(["Anna", "Boris", "Chen"]);
    // Applied once: one mark for Chen's read.
    expect(
      qc.getQueryData<SeenByData>(receiptKeys.seenBy("c1"))?.marks.filter((m) => m.userId === "c"),
    ).toHaveLength(1);
    unsubscribe();
  });

  it("reads again when a reader it has no name for moves their cursor", async () => {
    const qc = new QueryClient();
    let calls = 0;
    const observer = new QueryObserver(qc, {
      queryKey: receiptKeys.seenBy("c1"),
      queryFn: async () => {
        calls++;
        return calls === 1
          ? base
          : { ...base, cursors: [...base.cursors, { ...base.cursors[0]!, userId: "c", name: "Chen" }] };
      },
      staleTime: Number.POSITIVE_INFINITY,
    });
    const unsubscribe = observer.subscribe(() => {});
    await expect.poll(() => qc.getQueryState(receiptKeys.seenBy("c1"))?.status).toBe("success");
    applyCursorToSeenBy(qc, chen);
    await expect
      .poll(() => qc.getQueryData<SeenByData>(receiptKeys.seenBy("c1"))?.cursors.map((c) => c.name))
      .toEqual(["Anna", "Boris", "Chen"]);
    expect(calls).toBe(2);
    unsubscribe();
  });
});
