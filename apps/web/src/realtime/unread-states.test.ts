import type { UnreadState } from "@parley/protocol";
import { QueryClient } from "@tanstack/react-query";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type ConversationPage, type ConversationPages, keys } from "../api/queries";
import { conversationFixture } from "../testing/conversation";
import { markReadUpTo } from "./rows";
import { ASK_WINDOW_MS, unreadAsker } from "./unread-states";

const queryKey = keys.list("all");
const state = (conversationId: string, unreadCount: number, lastInboundSeq: number): UnreadState => ({
  conversationId,
  unreadCount,
  lastInboundSeq,
  markedUnread: false,
});

function list(...ids: string[]) {
  const qc = new QueryClient();
  qc.setQueryData<ConversationPages>(queryKey, {
    pages: [
      {
        conversations: ids.map((id) => conversationFixture({ id, unreadCount: 0, lastInboundSeq: 5 })),
        nextCursor: null,
      } as ConversationPage,
    ],
    pageParams: [null],
  });
  const unread = () =>
    Object.fromEntries(
      (qc.getQueryData<ConversationPages>(queryKey)?.pages[0]?.conversations ?? []).map((c) => [
        c.id,
        c.unreadCount,
      ]),
    );
  return { qc, unread };
}

describe("asking the server for unread counts the rows do not know", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("asks once for the ids asked within its window and puts each count into the lists", async () => {
    const asked: string[][] = [];
    const ask = unreadAsker(async (ids) => {
      asked.push(ids);
      return ids.filter((id) => id !== "hidden").map((id, i) => state(id, i + 2, 7));
    });
    const l = list("a", "b");
    ask(l.qc, "a");
    ask(l.qc, "b");
    ask(l.qc, "a");
    ask(l.qc, "hidden");
    expect(asked).toEqual([]);
    await vi.advanceTimersByTimeAsync(ASK_WINDOW_MS);
    expect(asked).toEqual([["a", "b", "hidden"]]);
    expect(l.unread()).toEqual({ a: 2, b: 3 });
    // Ids asked after that window go in a request of their own.
    ask(l.qc, "b");
    await vi.advanceTimersByTimeAsync(ASK_WINDOW_MS);
    expect(asked).toEqual([["a", "b", "hidden"], ["b"]]);
  });

  it("asks in batches of 50, and reads the lists again when the server cannot answer", async () => {
    const sizes: number[] = [];
    const ask = unreadAsker(async (ids) => {
      sizes.push(ids.length);
      if (sizes.length === 2) throw new Error("offline");
      return [];
    });
    const l = list("a");
    for (let i = 0; i < 120; i++) ask(l.qc, `c${i}`);
    expect(l.qc.getQueryState(queryKey)?.isInvalidated).toBe(false);
    await vi.advanceTimersByTimeAsync(ASK_WINDOW_MS);
    expect(sizes).toEqual([50, 50]);
    expect(l.qc.getQueryState(queryKey)?.isInvalidated).toBe(true);
  });

  it("drops an answer asked for before the agent read the conversation", async () => {
    let answer: (states: UnreadState[]) => void = () => {};
    const ask = unreadAsker(() => new Promise((resolve) => (answer = resolve)));
    const l = list("a");
    ask(l.qc, "a");
    await vi.advanceTimersByTimeAsync(ASK_WINDOW_MS);
    // Read in another tab while the request is out; its answer was counted before.
    markReadUpTo(l.qc, "a", 12);
    answer([state("a", 5, 12)]);
    await vi.advanceTimersByTimeAsync(0);
    expect(l.unread()).toEqual({ a: 0 });
  });
});
