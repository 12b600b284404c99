import type { AgentNotification } from "@parley/protocol";
import type { InfiniteData } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";
import { heldList } from "../../testing/held-list";
import { type NotificationPage, notifyKeys } from "./api";
import { addToBellList, markBellRead } from "./bell-list";

type Pages = InfiniteData<NotificationPage, string | null>;

const note = (id: string): AgentNotification => ({
  id,
  kind: "security_alert",
  conversationId: null,
  messageId: null,
  title: "CRM sync (203.0.113.44)",
  body: "",
  // No toast or sound: the test looks at the bell's list only.
  alert: false,
  createdAt: "2026-05-01T12:00:00.000Z",
  readAt: null,
});
const page = (unread: number, ...notifications: AgentNotification[]) =>
  ({ notifications, unread, nextBefore: null }) as NotificationPage;

/** The bell's list, its answers handed out by the test; with `initial`, already loaded once. */
async function bellList(initial?: NotificationPage) {
  const list = await heldList<NotificationPage>(notifyKeys.list, initial);
  const first = () => list.qc.getQueryData<Pages>(notifyKeys.list)?.pages[0];
  return { ...list, first };
}

describe("a notification arriving while the bell's list loads", () => {
  it("is kept in the reload's answer read before it, counted once", async () => {
    // Loaded, and being read again (the socket's re-read when it connects) when the notification arrives.
    const b = await bellList(page(0));
    addToBellList(b.qc, note("n1"));
    expect(b.first()?.unread).toBe(1);
    b.answers[0]!(page(0));
    await b.idle();
    expect(b.first()?.unread).toBe(1);
    expect(b.first()?.notifications.map((n) => n.id)).toEqual(["n1"]);
    expect(b.answers.length).toBe(1);
    b.unsubscribe();
  });

  it("is not counted twice when the answer was read after it", async () => {
    const b = await bellList(page(0));
    addToBellList(b.qc, note("n1"));
    b.answers[0]!(page(1, note("n1")));
    await b.idle();
    expect(b.first()?.unread).toBe(1);
    expect(b.first()?.notifications.map((n) => n.id)).toEqual(["n1"]);
    b.unsubscribe();
  });

  it("is in the first load's answer when it came before the list had loaded at all", async () => {
    const b = await bellList();
    addToBellList(b.qc, note("n2"));
    b.answers[0]!(page(3, note("older")));
    await b.idle();
    expect(b.first()?.unread).toBe(4);
    expect(b.first()?.notifications.map((n) => n.id)).toEqual(["n2", "older"]);
    b.unsubscribe();
  });
});

describe("a read made while the bell's list loads", () => {
  const unreadIds = (p: NotificationPage | undefined) =>
    p?.notifications.filter((n) => !n.readAt).map((n) => n.id);

  it("stays read in the answer read before it, which counts it no more", async () => {
    const b = await bellList(page(2, note("n1"), note("n2")));
    markBellRead(b.qc, ["n1"], 1);
    expect(b.first()?.unread).toBe(1);
    b.answers[0]!(page(2, note("n1"), note("n2")));
    await b.idle();
    expect(b.first()?.unread).toBe(1);
    expect(unreadIds(b.first())).toEqual(["n2"]);
    b.unsubscribe();
  });

  it("leaves an answer read after it as it is, with a notification that came since", async () => {
    const b = await bellList(page(2, note("n1"), note("n2")));
    markBellRead(b.qc, "all", 0);
    expect(b.first()?.unread).toBe(0);
    // Read after the mark: n1 and n2 are read there, and n3 came after; the server's count of 0 is older.
    const read = (id: string) => ({ ...note(id), readAt: "2026-05-01T12:01:00.000Z" });
    b.answers[0]!(page(1, note("n3"), read("n1"), read("n2")));
    await b.idle();
    expect(b.first()?.unread).toBe(1);
    expect(unreadIds(b.first())).toEqual(["n3"]);
    b.unsubscribe();
  });
});
