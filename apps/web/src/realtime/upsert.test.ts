import type { Conversation } from "@parley/protocol";
import { QueryClient } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";
import type { ConversationPage, ConversationPages } from "../api/queries";
import { keys } from "../api/queries";
import { conversationFixture } from "../testing/conversation";
import { heldList } from "../testing/held-list";
import { type UpsertOptions, upsertConversation } from "./upsert";

const conv = (id: string, over: Partial<Conversation> = {}) => conversationFixture({ id, ...over });

const page = (...conversations: Conversation[]) => ({ conversations, nextCursor: null }) as ConversationPage;
const ids = (d: ConversationPages | undefined) => d?.pages.flatMap((p) => p.conversations.map((c) => c.id));

/** The "all" list holding `rows`, reloading: its answers are handed out by the test. */
const reloading = (...rows: Conversation[]) => heldList<ConversationPage>(keys.list("all"), page(...rows));

describe("upsertConversation into a list that is loading", () => {
  it("a change that arrives while the list reloads is put into the reload's older answer", async () => {
    const { qc, queryKey, answers, idle, unsubscribe } = await reloading(conv("a"), conv("b"));
    // A colleague closes "a" and a customer writes in "c"; the reload was read before both.
    upsertConversation(qc, "me", conv("a", { status: "closed" }));
    upsertConversation(qc, "me", conv("c", { lastActivityAt: "2026-05-01T12:00:00.000Z" }));
    expect(ids(qc.getQueryData(queryKey))).toEqual(["c", "b"]);
    answers[0]!(page(conv("a"), conv("b")));

    // The answer is in, with both changes put into it again; the list is not asked again.
    await idle();
    expect(ids(qc.getQueryData(queryKey))).toEqual(["c", "b"]);
    expect(answers.length).toBe(1);
    unsubscribe();
  });

  it("a list that is not loading takes the change once, in place", () => {
    const qc = new QueryClient();
    const queryKey = keys.list("all");
    qc.setQueryData<ConversationPages>(queryKey, { pages: [page(conv("a"), conv("b"))], pageParams: [null] });
    upsertConversation(qc, "me", conv("b", { lastActivityAt: "2026-05-01T12:00:00.000Z" }));
    expect(ids(qc.getQueryData(queryKey))).toEqual(["b", "a"]);
    expect(qc.getQueryState(queryKey)?.fetchStatus).toBe("idle");
  });

  it("counts a new conversation's first customer message once its row is there", () => {
    const qc = new QueryClient();
    const queryKey = keys.list("all");
    qc.setQueryData<ConversationPages>(queryKey, { pages: [page(conv("b"))], pageParams: [null] });
    // Committed together: the conversation's row (already with the message's seq), then the message.
    const created = conv("a", { lastInboundSeq: 7, lastActivityAt: "2026-05-01T12:00:00.000Z" });
    upsertConversation(qc, "me", created);
    upsertConversation(qc, "me", created, { unreadSeq: 7 });
    const row = qc.getQueryData<ConversationPages>(queryKey)?.pages[0]?.conversations[0];
    expect(row).toMatchObject({ id: "a", unreadCount: 1 });
  });

  it("counts a customer message once: bumped in an answer read before it, not in one that has it", async () => {
    for (const answerHasIt of [false, true]) {
      const { qc, queryKey, answers, idle, unsubscribe } = await reloading(
        conv("a", { unreadCount: 1, lastInboundSeq: 10 }),
      );
      upsertConversation(qc, "me", conv("a", { lastInboundSeq: 11 }), { unreadSeq: 11 });
      const unread = () =>
        qc.getQueryData<ConversationPages>(queryKey)?.pages[0]?.conversations[0]?.unreadCount;
      expect(unread()).toBe(2);
      answers[0]!(
        page(
          answerHasIt
            ? conv("a", { unreadCount: 2, lastInboundSeq: 11 })
            : conv("a", { unreadCount: 1, lastInboundSeq: 10 }),
        ),
      );
      await idle();
      expect(unread()).toBe(2);
      unsubscribe();
    }
  });

  it("counts a new conversation's customer messages that arrive during a load, whenever its answer was read", async () => {
    // Two messages in one commit: the conversation's row carries the last one's seq, then each message's event.
    const created = conv("a", { lastInboundSeq: 8, lastActivityAt: "2026-05-01T12:00:00.000Z" });
    const answered = {
      before: page(conv("b")),
      after: page(conv("a", { lastInboundSeq: 8, unreadCount: 2 }), conv("b")),
    };
    for (const [when, answer] of Object.entries(answered)) {
      const { qc, queryKey, answers, idle, unsubscribe } = await reloading(conv("b"));
      upsertConversation(qc, "me", created);
      upsertConversation(qc, "me", created, { unreadSeq: 7 });
      upsertConversation(qc, "me", created, { unreadSeq: 8 });
      const unread = () =>
        qc.getQueryData<ConversationPages>(queryKey)?.pages[0]?.conversations.find((c) => c.id === "a")
          ?.unreadCount;
      expect(unread(), when).toBe(2);
      answers[0]!(answer);
      await idle();
      expect(unread(), when).toBe(2);
      unsubscribe();
    }
  });

  it("does not count a message again in a row loaded after it, before its event came", () => {
    const qc = new QueryClient();
    const queryKey = keys.list("all");
    // The list was read after message 11 committed; its event arrives afterwards.
    qc.setQueryData<ConversationPages>(queryKey, {
      pages: [page(conv("a", { unreadCount: 2, lastInboundSeq: 11 }))],
      pageParams: [null],
    });
    upsertConversation(qc, "me", conv("a", { lastInboundSeq: 11 }), { unreadSeq: 11 });
    upsertConversation(qc, "me", conv("a", { lastInboundSeq: 12 }), { unreadSeq: 12 });
    expect(qc.getQueryData<ConversationPages>(queryKey)?.pages[0]?.conversations[0]?.unreadCount).toBe(3);
  });
});

describe("a row that enters a list", () => {
  const mine = keys.list("mine");
  const listed = (qc: QueryClient, key: readonly unknown[]) =>
    qc.getQueryData<ConversationPages>(key)?.pages[0]?.conversations ?? [];
  /** upsertConversation, noting the ids whose unread count a list shows without knowing it. */
  const upsert = (qc: QueryClient, c: Conversation, opts: UpsertOptions = {}) => {
    const asked: string[] = [];
    upsertConversation(qc, "me", c, { ...opts, unknownCount: (id) => asked.push(id) });
    return asked;
  };

  it("takes the unread count, draft and pinned tags another cached list has for it", () => {
    const qc = new QueryClient();
    const tag = { id: "t", name: "VIP", color: "red" };
    qc.setQueryData<ConversationPages>(keys.list("all"), {
      pages: [page(conv("a", { unreadCount: 3, lastInboundSeq: 10, draft: "Soon", pinnedTags: [tag] }))],
      pageParams: [null],
    });
    qc.setQueryData<ConversationPages>(mine, { pages: [page()], pageParams: [null] });
    // Assigned to me: it enters "mine" with what "all" shows, and nothing is to be asked.
    expect(upsert(qc, conv("a", { assigneeId: "me", lastInboundSeq: 10 }))).toEqual([]);
    expect(listed(qc, mine)).toMatchObject([{ id: "a", unreadCount: 3, draft: "Soon", pinnedTags: [tag] }]);
    // Its next customer message counts once in each list.
    upsert(qc, conv("a", { assigneeId: "me", lastInboundSeq: 11 }), { unreadSeq: 11 });
    expect(listed(qc, mine)[0]?.unreadCount).toBe(4);
    expect(listed(qc, keys.list("all"))[0]?.unreadCount).toBe(4);
  });

  it("that no list has, says its count is not known; a new conversation's is (none yet)", () => {
    const qc = new QueryClient();
    qc.setQueryData<ConversationPages>(mine, {
      pages: [page(conv("b", { assigneeId: "me" }))],
      pageParams: [null],
    });
    qc.setQueryData<ConversationPages>(keys.list("closed"), { pages: [page()], pageParams: [null] });
    const assigned = conv("a", {
      assigneeId: "me",
      lastInboundSeq: 10,
      lastActivityAt: "2026-05-01T12:00:00.000Z",
    });
    expect(upsert(qc, assigned)).toEqual(["a"]);
    expect(listed(qc, mine).map((c) => c.id)).toEqual(["a", "b"]);
    // Once its row is there, later events know it, also when it moves to another list.
    expect(upsert(qc, { ...assigned, lastInboundSeq: 11 }, { unreadSeq: 11 })).toEqual([]);
    expect(upsert(qc, { ...assigned, lastInboundSeq: 11, status: "closed" })).toEqual([]);
    expect(listed(qc, keys.list("closed"))).toMatchObject([{ id: "a", unreadCount: 1 }]);

    const created = conv("c", {
      assigneeId: "me",
      lastInboundSeq: 4,
      lastActivityAt: "2026-05-01T13:00:00.000Z",
    });
    expect(upsert(qc, created, { created: true })).toEqual([]);
    // A row that stays out of every loaded list is not asked about.
    expect(upsert(qc, conv("d", { assigneeId: "someone else" }))).toEqual([]);
  });

  it("added to a list's first load when it answers, says so then", async () => {
    const { qc, answers, idle, unsubscribe } = await heldList<ConversationPage>(mine);
    const asked = upsert(qc, conv("a", { assigneeId: "me", lastInboundSeq: 10 }));
    expect(asked).toEqual([]);
    // The answer was read before the assignment: the row is put into it, and its count is not known.
    answers[0]!(page(conv("b", { assigneeId: "me" })));
    await idle();
    expect(listed(qc, mine).map((c) => c.id)).toEqual(["b", "a"]);
    expect(asked).toEqual(["a"]);
    unsubscribe();
  });
});
