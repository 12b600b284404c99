import type { Conversation, Message } from "@parley/protocol";
import { QueryClient, QueryObserver } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";
import { type Feed, keys, mergeMessages, patchConversation, putInFeed } from "./queries";

const queued = (waiting: NonNullable<Message["delivery"]>["waiting"]): Message => ({
  id: "m1",
  seq: 3,
  conversationId: "c1",
  direction: "outbound",
  kind: "message",
  authorType: "user",
  authorId: "u1",
  text: "One moment",
  attachments: [],
  quotedMessageId: null,
  event: null,
  providerMessageId: null,
  delivery: {
    state: "queued",
    queuedAt: "2026-12-02T09:00:00.000Z",
    sentAt: null,
    deliveredAt: null,
    readAt: null,
    failedAt: null,
    failureReason: null,
    failureDetail: null,
    waiting,
  },
  template: null,
  reactions: [],
  createdAt: "2026-12-02T09:00:00.000Z",
});

describe("mergeMessages", () => {
  it("keeps the socket's waiting time when the answer to the send arrives after it", () => {
    const waiting = { reason: "rate_limited" as const, until: "2026-12-02T09:10:00.000Z" };
    const [merged] = mergeMessages([queued(waiting)], [queued(null)]);
    expect(merged!.delivery!.waiting).toEqual(waiting);
    const later = { reason: "rate_limited" as const, until: "2026-12-02T09:20:00.000Z" };
    expect(mergeMessages([queued(waiting)], [queued(later)])[0]!.delivery!.waiting).toEqual(later);
  });
});

describe("putInFeed", () => {
  /** A feed whose answer the test hands out; it was read before the message existed. */
  async function raced(initial: Feed | undefined) {
    const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    const answers: Array<(f: Feed) => void> = [];
    const queryKey = keys.feed("c1");
    if (initial) qc.setQueryData(queryKey, initial);
    const observer = new QueryObserver<Feed>(qc, {
      queryKey,
      queryFn: () => new Promise<Feed>((resolve) => answers.push(resolve)),
      staleTime: 0,
    });
    const unsubscribe = observer.subscribe(() => {});
    await expect.poll(() => answers.length).toBe(1);
    putInFeed(qc, queued(null));
    answers[0]!({ messages: initial?.messages ?? [], hasMore: false });
    // The older answer gets the message too; the feed is not asked again.
    await expect.poll(() => qc.getQueryState(queryKey)?.fetchStatus).toBe("idle");
    expect(qc.getQueryData<Feed>(queryKey)?.messages.map((x) => x.id)).toEqual(["m1"]);
    expect(answers.length).toBe(1);
    unsubscribe();
  }

  it("a message reported while the feed first loads is not lost to the load's older answer", async () => {
    await raced(undefined);
  });

  it("a message reported while the feed reloads is not lost to the reload's older answer", async () => {
    await raced({ messages: [], hasMore: false });
  });

  it("a loaded feed takes the message at once, without asking again", () => {
    const qc = new QueryClient();
    qc.setQueryData<Feed>(keys.feed("c1"), { messages: [], hasMore: false });
    putInFeed(qc, queued(null));
    expect(qc.getQueryData<Feed>(keys.feed("c1"))?.messages.map((m) => m.id)).toEqual(["m1"]);
    expect(qc.getQueryState(keys.feed("c1"))?.fetchStatus).toBe("idle");
  });
});

describe("patchConversation", () => {
  const conv = (status: Conversation["status"]) => ({ id: "c1", status }) as Conversation;
  const close = (c: Conversation): Conversation => ({ ...c, status: "closed" });

  /** A conversation whose answer the test hands out; it was read before a colleague closed it. */
  async function raced(initial: Conversation | undefined) {
    const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    const answers: Array<(c: Conversation) => void> = [];
    const queryKey = keys.conversation("c1");
    if (initial) qc.setQueryData(queryKey, initial);
    const observer = new QueryObserver<Conversation>(qc, {
      queryKey,
      queryFn: () => new Promise<Conversation>((resolve) => answers.push(resolve)),
      staleTime: 0,
    });
    const unsubscribe = observer.subscribe(() => {});
    await expect.poll(() => answers.length).toBe(1);
    patchConversation(qc, "c1", close);
    if (initial) expect(qc.getQueryData<Conversation>(queryKey)?.status).toBe("closed");
    answers[0]!(conv("open"));
    await expect.poll(() => qc.getQueryState(queryKey)?.fetchStatus).toBe("idle");
    expect(qc.getQueryData<Conversation>(queryKey)?.status).toBe("closed");
    expect(answers.length).toBe(1);
    unsubscribe();
  }

  it("a change reported while the conversation first loads is not undone by the load's older answer", async () => {
    await raced(undefined);
  });

  it("a change reported while the conversation reloads (as after the socket connects) is not undone", async () => {
    await raced(conv("open"));
  });

  it("a loaded conversation takes the change at once, without asking again", () => {
    const qc = new QueryClient();
    qc.setQueryData(keys.conversation("c1"), conv("open"));
    patchConversation(qc, "c1", close);
    expect(qc.getQueryData<Conversation>(keys.conversation("c1"))?.status).toBe("closed");
    expect(qc.getQueryState(keys.conversation("c1"))?.fetchStatus).toBe("idle");
  });
});
