import type { Conversation } from "@parley/protocol";
import { QueryClient, QueryObserver } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";
import { type ConversationPage, type ConversationPages, keys } from "../api/queries";
import { conversationFixture } from "../testing/conversation";
import { markReadUpTo, setUnreadCount, setUnreadTotal } from "./rows";
import { upsertConversation } from "./upsert";

const conv = (over: Partial<Conversation> = {}) => conversationFixture({ id: "a", ...over });
const queryKey = keys.list("all");
/** The agent's unread state of "a": `unreadCount` unread when its last customer message was `through`. */
const state = (unreadCount: number, through: number, markedUnread = false) => ({
  conversationId: "a",
  unreadCount,
  lastInboundSeq: through,
  markedUnread,
});

/** The "all" list holding conversation "a" as the server answered it. */
function listOf(row: Conversation) {
  const qc = new QueryClient();
  qc.setQueryData<ConversationPages>(queryKey, {
    pages: [{ conversations: [row], nextCursor: null } as ConversationPage],
    pageParams: [null],
  });
  const unread = () => qc.getQueryData<ConversationPages>(queryKey)?.pages[0]?.conversations[0]?.unreadCount;
  /** A customer message's event (the conversation's state after it). */
  const message = (seq: number) =>
    upsertConversation(qc, "me", conv({ lastInboundSeq: seq }), { unreadSeq: seq });
  return { qc, unread, message };
}

describe("the agent's own unread counts and reads, against the messages' events", () => {
  it("a count taken after a message, arriving before that message's event, counts it once", () => {
    const l = listOf(conv({ unreadCount: 0, lastInboundSeq: 10 }));
    setUnreadCount(l.qc, state(1, 11));
    l.message(11);
    expect(l.unread()).toBe(1);
    l.message(12);
    expect(l.unread()).toBe(2);
  });

  it("a read's event after a count that includes a later message leaves that message unread", () => {
    const l = listOf(conv({ unreadCount: 1, lastInboundSeq: 11 }));
    // The agent read up to 11; message 12 was stored before their count was taken, which came first.
    setUnreadCount(l.qc, state(1, 12));
    markReadUpTo(l.qc, "a", 11);
    expect(l.unread()).toBe(1);
    l.message(12);
    expect(l.unread()).toBe(1);
    // A read past everything clears it.
    markReadUpTo(l.qc, "a", 12);
    expect(l.unread()).toBe(0);
  });

  it("a count older than a message the row already counts does not set it back: the lists are read again", () => {
    const l = listOf(conv({ unreadCount: 1, lastInboundSeq: 12 }));
    l.message(13);
    expect(l.unread()).toBe(2);
    expect(l.qc.getQueryState(queryKey)?.isInvalidated).toBe(false);
    setUnreadCount(l.qc, state(1, 12));
    expect(l.unread()).toBe(2);
    expect(l.qc.getQueryState(queryKey)?.isInvalidated).toBe(true);
  });

  it("marked unread: a new customer message does not count 2 where the server counts 1; the count is asked", () => {
    // Read to 10, then marked unread: the row shows 1 though no message is unread.
    const l = listOf(conv({ unreadCount: 1, lastInboundSeq: 10, markedUnread: true }));
    const asked: string[] = [];
    const message = (seq: number) =>
      upsertConversation(l.qc, "me", conv({ lastInboundSeq: seq }), {
        unreadSeq: seq,
        unknownCount: (id) => asked.push(`${id}@${seq}`),
      });
    message(11);
    expect(l.unread()).toBe(1);
    expect(asked).toEqual(["a@11"]);
    // The server's answer: one unread (11), still marked.
    setUnreadCount(l.qc, state(1, 11, true));
    expect(l.unread()).toBe(1);
    // Now the count is of messages: the next one makes 2, without asking.
    setUnreadCount(l.qc, state(2, 11, true));
    message(12);
    expect(l.unread()).toBe(3);
    // A read clears the mark with the count.
    markReadUpTo(l.qc, "a", 12);
    expect(l.qc.getQueryData<ConversationPages>(queryKey)?.pages[0]?.conversations[0]).toMatchObject({
      unreadCount: 0,
      markedUnread: false,
    });
    message(13);
    expect(l.unread()).toBe(1);
    expect(asked).toEqual(["a@11"]);
  });

  it("the unread total of a signal is kept over a reload's answer read before it", async () => {
    const qc = new QueryClient();
    qc.setQueryData(keys.unread, 3);
    let release!: (n: number) => void;
    // The badge's reload (a customer message asked for it) is under way; its answer was read before the read.
    const observer = new QueryObserver(qc, {
      queryKey: keys.unread,
      queryFn: () => new Promise<number>((resolve) => (release = resolve)),
    });
    const unsubscribe = observer.subscribe(() => {});
    expect(qc.getQueryState(keys.unread)?.fetchStatus).toBe("fetching");
    setUnreadTotal(qc, 2);
    expect(qc.getQueryData(keys.unread)).toBe(2);
    release(3);
    await expect.poll(() => qc.getQueryState(keys.unread)?.fetchStatus).toBe("idle");
    expect(qc.getQueryData(keys.unread)).toBe(2);
    unsubscribe();
  });
});
