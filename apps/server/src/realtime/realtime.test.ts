import { describe, expect, it } from "vitest";
import { addUser, apiConnection, inbound, newWorkspace, SocketClient, unique } from "../testing/harness";
import { jobsSettled, socketsPast } from "../testing/settled";
import { useTestServer } from "../testing/use-test-server";

const t = useTestServer();

describe("agent realtime socket", () => {
  it("refuses a socket without a session", async () => {
    await expect(SocketClient.open(`${t.wsUrl}/api/realtime`, "")).rejects.toThrow(/401/);
    await expect(SocketClient.open(`${t.wsUrl}/api/realtime`, "parley_session=forged")).rejects.toThrow(
      /401/,
    );
  });

  it("pushes conversation and message events with the workspace sequence number", async () => {
    const { owner } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    const socket = await owner.socket(t.wsUrl);
    const hello = await socket.waitFor((f) => f.type === "hello");
    expect(hello).toMatchObject({ type: "hello", userId: owner.user!.id });
    await conn.post(inbound(unique("c"), "hi there"));
    const created = await socket.waitForEvent("conversation.created");
    const message = await socket.waitForEvent("message.created");
    expect(message.message.text).toBe("hi there");
    expect(message.conversation.lastMessage.text).toBe("hi there");
    expect(message.seq).toBe(created.seq + 1);
    socket.close();
  });

  it("resumes after a reconnect with every missed event, in order, and nothing twice", async () => {
    const { owner } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    const contact = unique("c");
    const first = await owner.socket(t.wsUrl);
    await conn.post(inbound(contact, "one"));
    const seen = await first.waitForEvent("message.created", (e) => e.message.text === "one");
    first.close();
    for (const text of ["two", "three", "four"]) await conn.post(inbound(contact, text));
    const second = await owner.socket(t.wsUrl, seen.seq);
    await second.waitForEvent("message.created", (e) => e.message.text === "four");
    await conn.post(inbound(contact, "five"));
    await second.waitForEvent("message.created", (e) => e.message.text === "five");
    const texts = second
      .events()
      .filter((e) => e.type === "message.created")
      .map((e) => (e as any).message.text);
    expect(texts).toEqual(["two", "three", "four", "five"]);
    const seqs = second.events().map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(seqs[0]).toBe(seen.seq + 1);
    second.close();
  });

  it("delivers only what each agent may see, and never another workspace's events", async () => {
    const { owner } = await newWorkspace(t);
    const other = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    const otherConn = await apiConnection(t, other.owner);
    const a = await addUser(t, owner, "agent");
    const b = await addUser(t, owner, "agent");
    await conn.post(inbound(unique("c"), "for a"));
    const [conv] = (await owner.get("/api/conversations")).body.conversations;
    await owner.post(`/api/conversations/${conv.id}/assign`, { assigneeId: a.id });
    const sa = await a.client.socket(t.wsUrl);
    const sb = await b.client.socket(t.wsUrl);
    const so = await owner.socket(t.wsUrl);
    const sOther = await other.owner.socket(t.wsUrl);
    await a.client.post(`/api/conversations/${conv.id}/notes`, { text: "internal note" });
    await otherConn.post(inbound(unique("c"), "other workspace"));
    await sa.waitForEvent("message.created", (e) => e.message.text === "internal note");
    await so.waitForEvent("message.created", (e) => e.message.text === "internal note");
    await sOther.waitForEvent("message.created", (e) => e.message.text === "other workspace");
    // b is neither assignee nor operator, and the conversation is not in the queue: once each socket is past
    // the events above, none of them reached b, nor crossed workspaces.
    await socketsPast(t.server, owner.workspaceId!, [sa, sb, so]);
    await socketsPast(t.server, other.workspaceId, [sOther]);
    expect(sb.events().some((e) => e.conversationId === conv.id)).toBe(false);
    expect(sa.events().some((e) => (e as any).message?.text === "other workspace")).toBe(false);
    expect(sOther.events().some((e) => e.conversationId === conv.id)).toBe(false);
    for (const s of [sa, sb, so, sOther]) s.close();
  });

  it("tells the previous assignee about a reassignment, then stops sending them the conversation", async () => {
    const { owner } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    const a = await addUser(t, owner, "agent");
    const b = await addUser(t, owner, "agent");
    const contact = unique("c");
    await conn.post(inbound(contact, "hello"));
    const [conv] = (await owner.get("/api/conversations")).body.conversations;
    await owner.post(`/api/conversations/${conv.id}/assign`, { assigneeId: a.id });
    const sa = await a.client.socket(t.wsUrl);
    await owner.post(`/api/conversations/${conv.id}/assign`, { assigneeId: b.id });
    const assigned = await sa.waitForEvent("conversation.assigned");
    expect(assigned.conversation.assigneeId).toBe(b.id);
    expect(assigned.previousAssigneeId).toBe(a.id);
    await conn.post(inbound(contact, "after reassignment"));
    const sb = await b.client.socket(t.wsUrl, assigned.seq);
    await sb.waitForEvent("message.created", (e) => e.message.text === "after reassignment");
    expect(sa.events().some((e) => (e as any).message?.text === "after reassignment")).toBe(false);
    sa.close();
    sb.close();
  });

  it("relays typing to colleagues who can see the conversation, not back to the typist", async () => {
    const { owner } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    const a = await addUser(t, owner, "agent");
    await conn.post(inbound(unique("c"), "hello"));
    const [conv] = (await owner.get("/api/conversations")).body.conversations;
    const sa = await a.client.socket(t.wsUrl);
    const so = await owner.socket(t.wsUrl);
    sa.ws.send(JSON.stringify({ type: "typing", conversationId: conv.id, on: true }));
    const typing = await so.waitFor((f) => f.type === "signal" && f.signal.type === "typing");
    expect(typing).toMatchObject({ signal: { conversationId: conv.id, userId: a.id, on: true } });
    sa.ws.send("not json");
    await sa.waitFor((f) => f.type === "error");
    // (Presence signals go to the whole workspace; typing never comes back to the typist.)
    expect(sa.frames.some((f) => f.type === "signal" && f.signal.type === "typing")).toBe(false);
    sa.close();
    so.close();
  });

  it("pushes read cursors so colleagues see who has read the conversation", async () => {
    const { owner } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    const sup = await addUser(t, owner, "supervisor");
    await conn.post(inbound(unique("c"), "hello"));
    const [conv] = (await owner.get("/api/conversations")).body.conversations;
    const so = await owner.socket(t.wsUrl);
    await sup.client.post(`/api/conversations/${conv.id}/read`, {});
    const ev = await so.waitForEvent("read_cursor.updated");
    expect(ev.cursor).toMatchObject({ userId: sup.id, conversationId: conv.id, markedUnread: false });
    expect(ev.cursor.lastReadSeq).toBeGreaterThan(0);
    so.close();
  });

  it("tells only the agent's own sockets their new unread counts after mark read / unread", async () => {
    const { owner } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    const sup = await addUser(t, owner, "supervisor");
    await conn.post(inbound(unique("c"), "one"));
    await conn.post(inbound(unique("c"), "two"));
    const [conv] = (await owner.get("/api/conversations")).body.conversations;
    const tab1 = await owner.socket(t.wsUrl);
    const tab2 = await owner.socket(t.wsUrl);
    const colleague = await sup.client.socket(t.wsUrl);
    await owner.post(`/api/conversations/${conv.id}/read`, {});
    const read = await tab2.waitFor((f) => f.type === "signal" && f.signal.type === "unread.changed");
    expect(read).toMatchObject({
      signal: {
        conversationId: conv.id,
        unreadCount: 0,
        lastInboundSeq: conv.lastInboundSeq,
        unreadConversations: 1,
      },
    });
    expect(conv.lastInboundSeq).toBeGreaterThan(0);
    await tab1.waitFor((f) => f.type === "signal" && f.signal.type === "unread.changed");
    await owner.post(`/api/conversations/${conv.id}/unread`, {});
    await tab1.waitFor(
      (f) => f.type === "signal" && f.signal.type === "unread.changed" && f.signal.unreadConversations === 2,
    );
    await colleague.waitForEvent("read_cursor.updated", (e) => e.cursor.markedUnread === true);
    expect(colleague.frames.some((f) => f.type === "signal" && f.signal.type === "unread.changed")).toBe(
      false,
    );
    for (const s of [tab1, tab2, colleague]) s.close();
  });

  it("sends live the same events, numbered alike, as a reconnecting client reads back from the log", async () => {
    const { owner } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    const live = await owner.socket(t.wsUrl);
    const hello = await live.waitFor((f) => f.type === "hello");
    await conn.post(inbound(unique("c"), "one"));
    const last = await live.waitForEvent("message.created", (e) => e.message.text === "one");
    const replayed = await owner.socket(t.wsUrl, (hello as { lastSeq: number }).lastSeq);
    await replayed.waitForEvent("message.created", (e) => e.seq === last.seq);
    expect(live.events().length).toBeGreaterThanOrEqual(2);
    expect(live.events()).toEqual(replayed.events());
    live.close();
    replayed.close();
  });

  it("tells a client to resync when the events it missed are no longer in the log, or its seq is unknown", async () => {
    const { owner, workspaceId } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    for (const text of ["one", "two", "three"]) await conn.post(inbound(unique("c"), text));
    // The new conversations' notifications are appended by jobs: they are in the log before it is pruned, not
    // delivered live to the sockets below.
    await jobsSettled(t.server);
    const [min] = await t.server.ctx.db.query<{ seq: number }>(
      "select min(seq) as seq from events where workspace_id = $1",
      [workspaceId],
    );
    await t.server.ctx.db.query("delete from events where workspace_id = $1 and seq <= $2", [
      workspaceId,
      min!.seq + 1,
    ]);
    const pruned = await owner.socket(t.wsUrl, min!.seq - 1);
    const frame = await pruned.waitFor((f) => f.type === "resync_required");
    expect(frame).toMatchObject({ type: "resync_required" });
    expect(pruned.events()).toHaveLength(0);
    const future = await owner.socket(t.wsUrl, 10_000_000);
    await future.waitFor((f) => f.type === "resync_required");
    pruned.close();
    future.close();
  });
});
