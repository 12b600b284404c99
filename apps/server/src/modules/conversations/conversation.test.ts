import { describe, expect, it } from "vitest";
import { addUser, apiConnection, type Client, inbound, newWorkspace, unique } from "../../testing/harness";
import { useTestServer } from "../../testing/use-test-server";

const t = useTestServer();

type Conn = Awaited<ReturnType<typeof apiConnection>>;
interface Msg {
  id: string;
  seq: number;
  kind: "message" | "note" | "event";
  direction: string;
  authorType: string;
  authorId: string | null;
  text: string | null;
  event: Record<string, unknown> | null;
  quotedMessageId: string | null;
  delivery: { state: string } | null;
}

const NO_ONE = "00000000-0000-4000-8000-000000000000";

/** A workspace with an API connection and one conversation from a new contact. */
async function setup() {
  const { owner } = await newWorkspace(t);
  const conn = await apiConnection(t, owner);
  const contact = unique("c");
  const id = await converse(conn, contact);
  return { owner, conn, contact, id };
}

async function converse(conn: Conn, contact = unique("c"), text = "hello") {
  const r = await conn.post(inbound(contact, text));
  expect(r.status).toBe(200);
  return r.body.results[0].conversationId as string;
}

async function detail(client: Client, id: string) {
  const r = await client.get(`/api/conversations/${id}`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.conversation;
}

async function feed(client: Client, id: string): Promise<Msg[]> {
  const r = await client.get(`/api/conversations/${id}/messages?limit=200`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.messages;
}

async function assign(client: Client, id: string, assigneeId: string | null) {
  const r = await client.post(`/api/conversations/${id}/assign`, { assigneeId });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.conversation;
}

async function sendJobs(messageId: string) {
  const [row] = await t.db.query<{ n: number }>(
    "select count(*) as n from jobs where type = 'message.send' and payload->>'messageId' = $1",
    [messageId],
  );
  return row!.n;
}

const ALL = { read: true, reply: true, note: true, assign: true, changeStatus: true, delete: true };

describe("conversation detail", () => {
  it("returns the conversation with the permissions of each caller", async () => {
    const { owner, conn, id } = await setup();
    const admin = await addUser(t, owner, "admin");
    const supervisor = await addUser(t, owner, "supervisor");
    const x = await addUser(t, owner, "agent");
    const y = await addUser(t, owner, "agent");
    const z = await addUser(t, owner, "agent");

    const c = await detail(owner, id);
    expect(c).toMatchObject({ id, number: 1, status: "open", assigneeId: null, unreadCount: 1, draft: null });
    expect(c.connection.id).toBe(conn.id);
    expect(c.permissions).toEqual(ALL);
    expect((await detail(admin.client, id)).permissions).toEqual(ALL);
    expect((await detail(supervisor.client, id)).permissions).toEqual({ ...ALL, delete: false });
    // In the queue: an agent may take it (reply, assign to self, change status), not delete it.
    expect((await detail(x.client, id)).permissions).toEqual({ ...ALL, delete: false });

    await assign(owner, id, y.id);
    expect((await owner.post(`/api/conversations/${id}/operators`, { userId: x.id })).status).toBe(200);
    expect((await detail(y.client, id)).permissions).toEqual({ ...ALL, delete: false });
    expect((await detail(x.client, id)).permissions).toEqual({ ...ALL, assign: false, delete: false });
    expect((await z.client.get(`/api/conversations/${id}`)).status).toBe(404);
    expect((await detail(supervisor.client, id)).permissions).toEqual({ ...ALL, delete: false });
  });

  it("is 404 for another workspace, an unknown id, and 400 for a malformed one", async () => {
    const { id } = await setup();
    const other = await newWorkspace(t);
    const foreign = await other.owner.get(`/api/conversations/${id}`);
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.code).toBe("not_found");
    expect((await other.owner.get(`/api/conversations/${id}/messages`)).status).toBe(404);
    expect((await other.owner.post(`/api/conversations/${id}/messages`, { text: "hi" })).status).toBe(404);
    expect((await other.owner.get(`/api/conversations/${NO_ONE}`)).status).toBe(404);
    const bad = await other.owner.get("/api/conversations/not-a-uuid");
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("validation_failed");
  });
});

describe("messages page", () => {
  it("returns the latest page, pages before and after a seq, and says whether there is more", async () => {
    const { owner } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    const contact = unique("c");
    const r = await conn.post({ events: Array.from({ length: 7 }, (_, i) => inbound(contact, `m${i + 1}`)) });
    expect(r.status).toBe(200);
    const id = r.body.results[0].conversationId as string;
    // Another conversation's messages interleave in seq order and must never show up.
    await converse(conn);

    const page = async (q: string) => {
      const res = await owner.get(`/api/conversations/${id}/messages?${q}`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return {
        texts: (res.body.messages as Msg[]).map((m) => m.text),
        hasMore: res.body.hasMore,
        messages: res.body.messages as Msg[],
      };
    };
    const all = await page("");
    expect(all.texts).toEqual(["m1", "m2", "m3", "m4", "m5", "m6", "m7"]);
    expect(all.hasMore).toBe(false);
    const seqs = all.messages.map((m) => m.seq);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    const seq = (n: number) => seqs[n - 1]!;

    expect(await page("limit=3")).toMatchObject({ texts: ["m5", "m6", "m7"], hasMore: true });
    expect(await page(`limit=3&before=${seq(5)}`)).toMatchObject({
      texts: ["m2", "m3", "m4"],
      hasMore: true,
    });
    expect(await page(`limit=3&before=${seq(2)}`)).toMatchObject({ texts: ["m1"], hasMore: false });
    expect(await page(`limit=3&before=${seq(4)}`)).toMatchObject({
      texts: ["m1", "m2", "m3"],
      hasMore: false,
    });
    expect(await page(`limit=3&after=${seq(1)}`)).toMatchObject({ texts: ["m2", "m3", "m4"], hasMore: true });
    expect(await page(`limit=3&after=${seq(4)}`)).toMatchObject({
      texts: ["m5", "m6", "m7"],
      hasMore: false,
    });
    expect(await page(`limit=3&after=${seq(7)}`)).toMatchObject({ texts: [], hasMore: false });
    expect(await page("limit=2&after=0")).toMatchObject({ texts: ["m1", "m2"], hasMore: true });
    expect(await page("limit=7")).toMatchObject({
      texts: ["m1", "m2", "m3", "m4", "m5", "m6", "m7"],
      hasMore: false,
    });

    const both = await owner.get(`/api/conversations/${id}/messages?before=${seq(5)}&after=${seq(1)}`);
    expect(both.status).toBe(400);
    expect(both.body.error.code).toBe("validation_failed");
    expect(both.body.error.message).toMatch(/either before or after/);
    for (const q of ["before=0", "limit=0", "limit=201", "after=-1", "before=x"]) {
      const bad = await owner.get(`/api/conversations/${id}/messages?${q}`);
      expect(bad.status, q).toBe(400);
      expect(bad.body.error.message, q).toMatch(new RegExp(`querystring\\.${q.split("=")[0]}`));
    }
  });
});

describe("sending a reply", () => {
  it("stores it queued with a send job, and takes an unassigned conversation for the writer", async () => {
    const { owner, id } = await setup();
    const agent = await addUser(t, owner, "agent");
    const r = await agent.client.post(`/api/conversations/${id}/messages`, {
      text: "Hello, how can I help?",
    });
    expect(r.status).toBe(201);
    expect(r.body.message).toMatchObject({
      conversationId: id,
      kind: "message",
      direction: "outbound",
      authorType: "user",
      authorId: agent.id,
      text: "Hello, how can I help?",
      delivery: { state: "queued" },
    });
    expect(r.body.message.delivery.queuedAt).not.toBeNull();
    expect(await sendJobs(r.body.message.id)).toBe(1);

    const c = await detail(owner, id);
    expect(c.assigneeId).toBe(agent.id);
    expect(c.lastMessage).toMatchObject({ id: r.body.message.id, authorType: "user", direction: "outbound" });
    expect(c.firstUnansweredAt).toBeNull();
    const lines = await feed(owner, id);
    expect(lines.map((m) => m.text)).toEqual(["hello", null, "Hello, how can I help?"]);
    // The feed says who took it, before the reply.
    expect(lines[1]).toMatchObject({
      kind: "event",
      authorId: agent.id,
      event: { kind: "assigned", to: agent.id },
    });

    // A second agent can no longer see it: it is now someone else's.
    const other = await addUser(t, owner, "agent");
    expect((await other.client.post(`/api/conversations/${id}/messages`, { text: "me too" })).status).toBe(
      404,
    );
  });

  it("does not change the assignee of an assigned conversation when a manager replies", async () => {
    const { owner, id } = await setup();
    const agent = await addUser(t, owner, "agent");
    await assign(owner, id, agent.id);
    expect((await owner.post(`/api/conversations/${id}/messages`, { text: "Stepping in" })).status).toBe(201);
    expect((await detail(owner, id)).assigneeId).toBe(agent.id);
  });

  it("reopens a closed conversation", async () => {
    const { owner, id } = await setup();
    const closed = await owner.post(`/api/conversations/${id}/status`, { status: "closed" });
    expect(closed.body.conversation).toMatchObject({ status: "closed" });
    expect(closed.body.conversation.closedAt).not.toBeNull();
    const r = await owner.post(`/api/conversations/${id}/messages`, { text: "One more thing" });
    expect(r.status).toBe(201);
    const c = await detail(owner, id);
    expect(c.status).toBe("open");
    expect(c.closedAt).toBeNull();
    const events = (await feed(owner, id)).filter((m) => m.kind === "event").map((m) => m.event?.kind);
    expect(events.slice(-2)).toEqual(["reopened", "assigned"]);
  });

  it("is idempotent by clientId: a retry returns the first message and stores nothing new", async () => {
    const { owner, id } = await setup();
    const agent = await addUser(t, owner, "agent");
    const clientId = unique("client");
    const first = await agent.client.post(`/api/conversations/${id}/messages`, { text: "once", clientId });
    expect(first.status).toBe(201);
    const second = await agent.client.post(`/api/conversations/${id}/messages`, { text: "once", clientId });
    expect(second.status).toBe(200);
    expect(second.body.message.id).toBe(first.body.message.id);

    // Concurrent retries too.
    const racedId = unique("client");
    const raced = await Promise.all(
      [1, 2, 3].map(() =>
        agent.client.post(`/api/conversations/${id}/messages`, { text: "raced", clientId: racedId }),
      ),
    );
    expect(raced.map((r) => r.status).sort()).toEqual([200, 200, 201]);
    expect(new Set(raced.map((r) => r.body.message.id)).size).toBe(1);

    const rows = await t.db.query<{ client_id: string; n: number }>(
      "select client_id, count(*) as n from messages where conversation_id = $1 and client_id is not null group by client_id order by client_id",
      [id],
    );
    expect(rows.map((r) => [r.client_id, r.n]).sort()).toEqual(
      [
        [clientId, 1],
        [racedId, 1],
      ].sort(),
    );
    expect(await sendJobs(first.body.message.id)).toBe(1);
    expect((await feed(owner, id)).filter((m) => m.direction === "outbound")).toHaveLength(2);

    // A new clientId is a new message.
    const third = await agent.client.post(`/api/conversations/${id}/messages`, {
      text: "once",
      clientId: unique("client"),
    });
    expect(third.status).toBe(201);
    expect(third.body.message.id).not.toBe(first.body.message.id);
  });

  it("enforces the 2,000 non-space character limit, counting without spaces", async () => {
    const { owner, id } = await setup();
    const tooLong = await owner.post(`/api/conversations/${id}/messages`, { text: "x".repeat(2001) });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error.code).toBe("validation_failed");
    expect(tooLong.body.error.message).toMatch(/2000/);
    const spaced = await owner.post(`/api/conversations/${id}/messages`, { text: "x ".repeat(2000) });
    expect(spaced.status).toBe(201);
    const spacedOver = await owner.post(`/api/conversations/${id}/messages`, { text: "x ".repeat(2001) });
    expect(spacedOver.status).toBe(400);
    const outbound = (await feed(owner, id)).filter((m) => m.direction === "outbound");
    expect(outbound).toHaveLength(1);
  });

  it("counts the limit in characters a person sees: 1,500 emoji pass, 2,001 are refused with their count", async () => {
    const { owner, id } = await setup();
    const emoji = ["👍🏽", "👨‍👩‍👧‍👦", "🇺🇦", "😀", "❤️"];
    const pick = (n: number) => Array.from({ length: n }, (_, i) => emoji[i % emoji.length]).join("");
    const fine = await owner.post(`/api/conversations/${id}/messages`, { text: pick(1500) });
    expect(fine.status, JSON.stringify(fine.body)).toBe(201);
    expect(fine.body.message.text).toBe(pick(1500));
    const over = await owner.post(`/api/conversations/${id}/messages`, { text: `${pick(2000)} й` });
    expect(over.status).toBe(400);
    expect(over.body.error.message).toMatch(/at most 2000 .*this one has 2001\b/);
  });

  it("refuses an empty reply, but accepts attachments without text", async () => {
    const { owner, id } = await setup();
    for (const body of [{ text: "" }, { text: "   \n " }, {}, { text: null, attachments: [] }]) {
      const r = await owner.post(`/api/conversations/${id}/messages`, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.code).toBe("validation_failed");
    }
    const withFile = await owner.post(`/api/conversations/${id}/messages`, {
      attachments: [
        { name: "a.pdf", mimeType: "application/pdf", size: 10, url: "https://example.com/a.pdf" },
      ],
    });
    expect(withFile.status).toBe(201);
    expect(withFile.body.message.text).toBeNull();
    expect(withFile.body.message.attachments).toHaveLength(1);
    expect((await feed(owner, id)).filter((m) => m.direction === "outbound")).toHaveLength(1);
  });

  it("quotes only a message of the same conversation", async () => {
    const { owner, conn, id } = await setup();
    const otherId = await converse(conn);
    const [foreign] = await feed(owner, otherId);
    const [own] = await feed(owner, id);
    const bad = await owner.post(`/api/conversations/${id}/messages`, {
      text: "re",
      quotedMessageId: foreign!.id,
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("validation_failed");
    expect(bad.body.error.message).toMatch(/quoted/i);
    const missing = await owner.post(`/api/conversations/${id}/messages`, {
      text: "re",
      quotedMessageId: NO_ONE,
    });
    expect(missing.status).toBe(400);
    const ok = await owner.post(`/api/conversations/${id}/messages`, {
      text: "re",
      quotedMessageId: own!.id,
    });
    expect(ok.status).toBe(201);
    expect(ok.body.message.quotedMessageId).toBe(own!.id);
    expect((await feed(owner, id)).filter((m) => m.direction === "outbound")).toHaveLength(1);
  });
});

describe("notes", () => {
  it("are internal, never delivered, never enqueued, and do not take or answer the conversation", async () => {
    const { owner, id } = await setup();
    const agent = await addUser(t, owner, "agent");
    const r = await agent.client.post(`/api/conversations/${id}/notes`, { text: "Customer is a VIP" });
    expect(r.status).toBe(201);
    expect(r.body.message).toMatchObject({
      kind: "note",
      direction: "internal",
      authorType: "user",
      authorId: agent.id,
      text: "Customer is a VIP",
      delivery: null,
    });
    expect(await sendJobs(r.body.message.id)).toBe(0);
    const [row] = await t.db.query<{ n: number }>(
      "select count(*) as n from jobs where type = 'message.send' and workspace_id = $1",
      [owner.workspaceId],
    );
    expect(row!.n).toBe(0);
    const c = await detail(owner, id);
    expect(c.assigneeId).toBeNull();
    expect(c.firstUnansweredAt).not.toBeNull();
    expect((await feed(owner, id)).map((m) => m.kind)).toEqual(["message", "note"]);

    // A reply does enqueue: the check above can tell the difference.
    const reply = await agent.client.post(`/api/conversations/${id}/messages`, { text: "Hi" });
    expect(await sendJobs(reply.body.message.id)).toBe(1);

    const empty = await agent.client.post(`/api/conversations/${id}/notes`, { text: "  " });
    expect(empty.status).toBe(400);
    expect(empty.body.error.message).toMatch(/body\.text/);
  });

  it("may be longer than a message", async () => {
    const { owner, id } = await setup();
    const r = await owner.post(`/api/conversations/${id}/notes`, { text: "n".repeat(5000) });
    expect(r.status).toBe(201);
  });
});

describe("status changes", () => {
  it("take in progress assigns the taker, close sets closedAt, each writes an event with the actor", async () => {
    const { owner, id } = await setup();
    const agent = await addUser(t, owner, "agent");
    const taken = await agent.client.post(`/api/conversations/${id}/status`, { status: "in_progress" });
    expect(taken.status).toBe(200);
    expect(taken.body.conversation).toMatchObject({
      status: "in_progress",
      assigneeId: agent.id,
      closedAt: null,
    });

    const closed = await agent.client.post(`/api/conversations/${id}/status`, { status: "closed" });
    expect(closed.status).toBe(200);
    expect(closed.body.conversation.status).toBe("closed");
    expect(Date.parse(closed.body.conversation.closedAt)).not.toBeNaN();
    expect(closed.body.conversation.assigneeId).toBe(agent.id);

    // The same status again changes nothing and writes nothing.
    const again = await agent.client.post(`/api/conversations/${id}/status`, { status: "closed" });
    expect(again.status).toBe(200);
    expect(again.body.conversation.closedAt).toBe(closed.body.conversation.closedAt);

    const reopened = await owner.post(`/api/conversations/${id}/status`, { status: "open" });
    expect(reopened.body.conversation).toMatchObject({
      status: "open",
      closedAt: null,
      assigneeId: agent.id,
    });

    const events = (await feed(owner, id)).filter((m) => m.kind === "event");
    expect(events.map((m) => m.event)).toEqual([
      { kind: "status_changed", byUserId: agent.id, from: "open", to: "in_progress" },
      { kind: "closed", byUserId: agent.id, from: "in_progress", to: "closed" },
      { kind: "reopened", byUserId: owner.user!.id, from: "closed", to: "open" },
    ]);
    expect(events.map((m) => m.authorId)).toEqual([agent.id, agent.id, owner.user!.id]);
    expect(events.every((m) => m.authorType === "user" && m.direction === "internal")).toBe(true);
  });

  it("does not reassign when an assigned conversation is taken in progress by a manager", async () => {
    const { owner, id } = await setup();
    const agent = await addUser(t, owner, "agent");
    await assign(owner, id, agent.id);
    const r = await owner.post(`/api/conversations/${id}/status`, { status: "in_progress" });
    expect(r.body.conversation).toMatchObject({ status: "in_progress", assigneeId: agent.id });
  });

  it("refuses an unknown status and someone else's conversation", async () => {
    const { owner, id } = await setup();
    const x = await addUser(t, owner, "agent");
    const y = await addUser(t, owner, "agent");
    const bad = await owner.post(`/api/conversations/${id}/status`, { status: "archived" });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/body\.status/);
    await assign(owner, id, y.id);
    expect((await x.client.post(`/api/conversations/${id}/status`, { status: "closed" })).status).toBe(404);
    expect((await detail(owner, id)).status).toBe("open");
  });
});

describe("assign and reassign", () => {
  it("an agent may take a queued conversation but not hand it to someone else, nor reassign one they only operate", async () => {
    const { owner, conn, id } = await setup();
    const x = await addUser(t, owner, "agent");
    const y = await addUser(t, owner, "agent");
    const toOther = await x.client.post(`/api/conversations/${id}/assign`, { assigneeId: y.id });
    expect(toOther.status).toBe(403);
    expect(toOther.body.error.code).toBe("forbidden");
    expect((await detail(owner, id)).assigneeId).toBeNull();
    expect((await assign(x.client, id, x.id)).assigneeId).toBe(x.id);

    // X operates Y's conversation: may read it, not reassign it.
    const shared = await converse(conn);
    await assign(owner, shared, y.id);
    expect((await owner.post(`/api/conversations/${shared}/operators`, { userId: x.id })).status).toBe(200);
    const grab = await x.client.post(`/api/conversations/${shared}/assign`, { assigneeId: x.id });
    expect(grab.status).toBe(403);
    expect(grab.body.error.code).toBe("forbidden");
    expect((await detail(owner, shared)).assigneeId).toBe(y.id);

    // Y's own conversation that X cannot see at all looks missing.
    const hidden = await converse(conn);
    await assign(owner, hidden, y.id);
    expect((await x.client.post(`/api/conversations/${hidden}/assign`, { assigneeId: x.id })).status).toBe(
      404,
    );
    expect((await detail(owner, hidden)).assigneeId).toBe(y.id);
  });

  it("after reassignment from X to Y, X loses the conversation; managers keep it", async () => {
    const { owner, id } = await setup();
    const x = await addUser(t, owner, "agent");
    const y = await addUser(t, owner, "agent");
    const supervisor = await addUser(t, owner, "supervisor");
    await assign(owner, id, x.id);
    expect((await x.client.post(`/api/conversations/${id}/messages`, { text: "from X" })).status).toBe(201);
    expect((await x.client.put(`/api/conversations/${id}/draft`, { text: "half-written" })).status).toBe(200);

    const handed = await assign(x.client, id, y.id);
    expect(handed.assigneeId).toBe(y.id);
    expect(handed.operatorIds).toEqual([]);

    expect((await x.client.get(`/api/conversations/${id}`)).status).toBe(404);
    expect((await x.client.get(`/api/conversations/${id}/messages`)).status).toBe(404);
    expect((await x.client.post(`/api/conversations/${id}/messages`, { text: "still me?" })).status).toBe(
      404,
    );
    expect((await x.client.post(`/api/conversations/${id}/notes`, { text: "still me?" })).status).toBe(404);
    expect((await x.client.get(`/api/conversations/${id}/draft`)).status).toBe(404);
    expect((await x.client.post(`/api/conversations/${id}/read`, {})).status).toBe(404);
    expect((await x.client.post(`/api/conversations/${id}/assign`, { assigneeId: x.id })).status).toBe(404);

    expect((await detail(y.client, id)).assigneeId).toBe(y.id);
    expect((await y.client.post(`/api/conversations/${id}/messages`, { text: "from Y" })).status).toBe(201);
    expect((await detail(supervisor.client, id)).assigneeId).toBe(y.id);
    expect(
      (await supervisor.client.post(`/api/conversations/${id}/messages`, { text: "from S" })).status,
    ).toBe(201);

    const texts = (await feed(supervisor.client, id)).map((m) => m.text ?? m.event?.kind);
    expect(texts).toEqual(["hello", "assigned", "from X", "assigned", "from Y", "from S"]);
    const events = (await feed(owner, id)).filter((m) => m.kind === "event");
    expect(events[1]!.event).toMatchObject({ kind: "assigned", from: x.id, to: y.id, byUserId: x.id });
    // Only the writers' own messages went out; X's reply did not duplicate.
    const [row] = await t.db.query<{ n: number }>(
      "select count(*) as n from messages where conversation_id = $1 and author_id = $2 and kind = 'message'",
      [id, x.id],
    );
    expect(row!.n).toBe(1);
  });

  it("reassigning a closed conversation keeps it closed", async () => {
    const { owner, id } = await setup();
    const y = await addUser(t, owner, "agent");
    const closed = await owner.post(`/api/conversations/${id}/status`, { status: "closed" });
    const closedAt = closed.body.conversation.closedAt;
    expect(closedAt).not.toBeNull();
    const r = await assign(owner, id, y.id);
    expect(r).toMatchObject({ status: "closed", assigneeId: y.id, closedAt });
    expect(await detail(owner, id)).toMatchObject({ status: "closed", closedAt });
  });

  it("refuses an assignee from another workspace or a malformed one", async () => {
    const { owner, id } = await setup();
    const other = await newWorkspace(t);
    const stranger = await addUser(t, other.owner, "agent");
    const r = await owner.post(`/api/conversations/${id}/assign`, { assigneeId: stranger.id });
    expect(r.status).toBe(404);
    expect(r.body.error.message).toMatch(/Agent/);
    const bad = await owner.post(`/api/conversations/${id}/assign`, { assigneeId: "x" });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/body\.assigneeId/);
    expect((await detail(owner, id)).assigneeId).toBeNull();
  });

  it("a manager can send it back to the queue", async () => {
    const { owner, id } = await setup();
    const x = await addUser(t, owner, "agent");
    const y = await addUser(t, owner, "agent");
    await assign(owner, id, x.id);
    expect((await y.client.get(`/api/conversations/${id}`)).status).toBe(404);
    expect((await assign(owner, id, null)).assigneeId).toBeNull();
    expect((await detail(y.client, id)).assigneeId).toBeNull();
  });
});

describe("operators and leaving", () => {
  it("an added operator can read and reply; the assignee stays responsible", async () => {
    const { owner, id } = await setup();
    const x = await addUser(t, owner, "agent");
    const y = await addUser(t, owner, "agent");
    await assign(owner, id, y.id);
    expect((await x.client.get(`/api/conversations/${id}`)).status).toBe(404);

    const added = await y.client.post(`/api/conversations/${id}/operators`, { userId: x.id });
    expect(added.status).toBe(200);
    expect(added.body.conversation.operatorIds).toEqual([x.id]);

    expect((await detail(x.client, id)).operatorIds).toEqual([x.id]);
    expect((await feed(x.client, id)).map((m) => m.text ?? m.event?.kind)).toEqual([
      "hello",
      "assigned",
      "operator_added",
    ]);
    const reply = await x.client.post(`/api/conversations/${id}/messages`, { text: "Operator here" });
    expect(reply.status).toBe(201);
    expect((await detail(owner, id)).assigneeId).toBe(y.id);

    // The assignee is not an operator; an operator may not add operators.
    const self = await owner.post(`/api/conversations/${id}/operators`, { userId: y.id });
    expect(self.status).toBe(409);
    const z = await addUser(t, owner, "agent");
    const byOperator = await x.client.post(`/api/conversations/${id}/operators`, { userId: z.id });
    expect(byOperator.status).toBe(403);
    expect((await detail(owner, id)).operatorIds).toEqual([x.id]);
  });

  it("an operator who leaves loses access; an assignee who leaves puts it back in the queue", async () => {
    const { owner, id } = await setup();
    const x = await addUser(t, owner, "agent");
    const y = await addUser(t, owner, "agent");
    const z = await addUser(t, owner, "agent");
    await assign(owner, id, y.id);
    expect((await owner.post(`/api/conversations/${id}/operators`, { userId: x.id })).status).toBe(200);

    const left = await x.client.post(`/api/conversations/${id}/leave`);
    expect(left.status).toBe(200);
    expect(left.body.conversation.operatorIds).toEqual([]);
    expect(left.body.conversation.assigneeId).toBe(y.id);
    expect((await x.client.get(`/api/conversations/${id}`)).status).toBe(404);
    expect((await x.client.post(`/api/conversations/${id}/messages`, { text: "hi" })).status).toBe(404);
    expect((await z.client.get(`/api/conversations/${id}`)).status).toBe(404);

    const handedBack = await y.client.post(`/api/conversations/${id}/leave`);
    expect(handedBack.status).toBe(200);
    expect(handedBack.body.conversation.assigneeId).toBeNull();
    expect((await detail(owner, id)).assigneeId).toBeNull();
    // Back in the queue: every agent sees it again.
    expect((await detail(z.client, id)).assigneeId).toBeNull();
    expect((await detail(x.client, id)).assigneeId).toBeNull();

    const events = (await feed(owner, id)).filter((m) => m.kind === "event").map((m) => m.event);
    expect(events.slice(-2)).toEqual([
      { kind: "operator_left", userId: x.id, byUserId: x.id },
      { kind: "unassigned", from: y.id, to: null, byUserId: y.id },
    ]);

    // Someone who is neither cannot leave.
    const neither = await z.client.post(`/api/conversations/${id}/leave`);
    expect(neither.status).toBe(409);
  });
});

describe("read state", () => {
  it("marks read up to a message and unread, per agent only", async () => {
    const { owner, conn } = await setup();
    const a = await addUser(t, owner, "agent");
    const b = await addUser(t, owner, "agent");
    const contact = unique("c");
    const id = await converse(conn, contact, "one");
    await conn.post(inbound(contact, "two"));
    await conn.post(inbound(contact, "three"));
    const [m1, m2, m3] = await feed(owner, id);
    const badge = async (client: Client) =>
      (await client.get("/api/conversations/unread-count")).body.count as number;
    const bBadge = await badge(b.client);
    expect(bBadge).toBe(2);

    const upTo2 = await a.client.post(`/api/conversations/${id}/read`, { upToMessageId: m2!.id });
    expect(upTo2.status).toBe(200);
    expect(upTo2.body.cursor).toMatchObject({
      conversationId: id,
      userId: a.id,
      lastReadSeq: m2!.seq,
      markedUnread: false,
    });
    expect((await detail(a.client, id)).unreadCount).toBe(1);
    expect((await detail(b.client, id)).unreadCount).toBe(3);

    // Never backwards.
    const back = await a.client.post(`/api/conversations/${id}/read`, { upToMessageId: m1!.id });
    expect(back.body.cursor.lastReadSeq).toBe(m2!.seq);
    expect((await detail(a.client, id)).unreadCount).toBe(1);

    const toEnd = await a.client.post(`/api/conversations/${id}/read`, {});
    expect(toEnd.body.cursor.lastReadSeq).toBe(m3!.seq);
    expect((await detail(a.client, id)).unreadCount).toBe(0);
    expect(await badge(a.client)).toBe(1);

    const unread = await a.client.post(`/api/conversations/${id}/unread`);
    expect(unread.status).toBe(200);
    expect(unread.body.cursor).toMatchObject({ markedUnread: true, lastReadSeq: m3!.seq });
    expect((await detail(a.client, id)).unreadCount).toBe(1);
    expect(await badge(a.client)).toBe(2);

    // B is untouched by all of it.
    expect((await detail(b.client, id)).unreadCount).toBe(3);
    expect(await badge(b.client)).toBe(bBadge);

    // Reading again clears "marked unread".
    const reread = await a.client.post(`/api/conversations/${id}/read`, {});
    expect(reread.body.cursor.markedUnread).toBe(false);
    expect((await detail(a.client, id)).unreadCount).toBe(0);

    // A message of another conversation is not a place in this one.
    const otherId = await converse(conn);
    const [foreign] = await feed(owner, otherId);
    const bad = await a.client.post(`/api/conversations/${id}/read`, { upToMessageId: foreign!.id });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("validation_failed");
  });

  it("lists every agent's read cursor (seen by)", async () => {
    const { owner, conn } = await setup();
    const a = await addUser(t, owner, "agent");
    const b = await addUser(t, owner, "agent");
    const contact = unique("c");
    const id = await converse(conn, contact, "one");
    await conn.post(inbound(contact, "two"));
    const [m1, m2] = await feed(owner, id);
    expect((await owner.get(`/api/conversations/${id}/read-cursors`)).body.cursors).toEqual([]);

    await a.client.post(`/api/conversations/${id}/read`, { upToMessageId: m1!.id });
    await b.client.post(`/api/conversations/${id}/read`, { upToMessageId: m2!.id });
    const r = await a.client.get(`/api/conversations/${id}/read-cursors`);
    expect(r.status).toBe(200);
    const byUser = Object.fromEntries(
      (r.body.cursors as { userId: string; lastReadSeq: number; conversationId: string }[]).map((c) => [
        c.userId,
        c,
      ]),
    );
    expect(Object.keys(byUser).sort()).toEqual([a.id, b.id].sort());
    expect(byUser[a.id]).toMatchObject({ conversationId: id, lastReadSeq: m1!.seq, markedUnread: false });
    expect(byUser[b.id]).toMatchObject({ conversationId: id, lastReadSeq: m2!.seq });

    // Hidden from someone who cannot read the conversation.
    const y = await addUser(t, owner, "agent");
    await assign(owner, id, y.id);
    expect((await a.client.get(`/api/conversations/${id}/read-cursors`)).status).toBe(404);
  });
});

describe("unread states", () => {
  it("gives my unread state of several conversations at once, leaving out those I may not see", async () => {
    const { owner, conn } = await setup();
    const a = await addUser(t, owner, "agent");
    const contact = unique("c");
    const one = await converse(conn, contact, "one");
    await conn.post(inbound(contact, "two"));
    await conn.post(inbound(contact, "three"));
    const [, m2, m3] = await feed(owner, one);
    await a.client.post(`/api/conversations/${one}/read`, { upToMessageId: m2!.id });
    // Read to the end, then marked unread: 1 while nothing new is unread, still 1 after one new message.
    const otherContact = unique("c");
    const two = await converse(conn, otherContact);
    await a.client.post(`/api/conversations/${two}/read`, {});
    await a.client.post(`/api/conversations/${two}/unread`);
    // Someone else's conversation, and another workspace's.
    const y = await addUser(t, owner, "agent");
    const hidden = await converse(conn);
    await assign(owner, hidden, y.id);
    const foreign = (await setup()).id;

    const states = async () => {
      const r = await a.client.get(
        `/api/conversations/unread-states?ids=${one},${two},${hidden},${foreign},${one}`,
      );
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      return Object.fromEntries(
        (r.body.states as { conversationId: string }[]).map((x) => [x.conversationId, x]),
      );
    };
    const before = await states();
    expect(Object.keys(before).sort()).toEqual([one, two].sort());
    expect(before[one]).toEqual({
      conversationId: one,
      unreadCount: 1,
      markedUnread: false,
      lastInboundSeq: m3!.seq,
    });
    expect(before[two]).toMatchObject({ unreadCount: 1, markedUnread: true });

    await conn.post(inbound(otherContact, "again"));
    const last = (await feed(owner, two)).at(-1)!;
    expect((await states())[two]).toEqual({
      conversationId: two,
      unreadCount: 1,
      markedUnread: true,
      lastInboundSeq: last.seq,
    });
    // The inbox's row says the same.
    const list = await a.client.get("/api/conversations?view=all");
    const row = (list.body.conversations as { id: string }[]).find((c) => c.id === two);
    expect(row).toMatchObject({ unreadCount: 1, markedUnread: true });
    expect((await detail(a.client, one)).markedUnread).toBe(false);
  });

  it("refuses ids that are missing, malformed or too many, saying what to send", async () => {
    const { owner } = await setup();
    for (const [query, words] of [
      ["", "ids"],
      ["?ids=", "at least one"],
      ["?ids=nope", "UUID"],
      [
        `?ids=${Array.from({ length: 201 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`).join(",")}`,
        "at most 200",
      ],
    ] as const) {
      const r = await owner.get(`/api/conversations/unread-states${query}`);
      expect(r.status, query.slice(0, 40)).toBe(400);
      expect(JSON.stringify(r.body.error)).toContain(words);
    }
  });
});

describe("drafts", () => {
  it("are saved, read and discarded per agent; an empty text deletes; sending deletes the sender's", async () => {
    const { owner, id } = await setup();
    const a = await addUser(t, owner, "agent");
    const b = await addUser(t, owner, "agent");
    const draftOf = async (client: Client) => {
      const r = await client.get(`/api/conversations/${id}/draft`);
      expect(r.status).toBe(200);
      return r.body.draft?.text ?? null;
    };
    expect(await draftOf(a.client)).toBeNull();

    const put = await a.client.put(`/api/conversations/${id}/draft`, { text: "Dear" });
    expect(put.status).toBe(200);
    expect(put.body.draft.text).toBe("Dear");
    expect(Date.parse(put.body.draft.updatedAt)).not.toBeNaN();
    expect(await draftOf(a.client)).toBe("Dear");
    expect(await draftOf(b.client)).toBeNull();
    expect((await detail(a.client, id)).draft).toBe("Dear");
    expect((await detail(b.client, id)).draft).toBeNull();

    await a.client.put(`/api/conversations/${id}/draft`, { text: "Dear customer" });
    expect(await draftOf(a.client)).toBe("Dear customer");

    const blank = await a.client.put(`/api/conversations/${id}/draft`, { text: "  " });
    expect(blank.status).toBe(200);
    expect(blank.body.draft).toBeNull();
    expect(await draftOf(a.client)).toBeNull();

    await a.client.put(`/api/conversations/${id}/draft`, { text: "again" });
    const del = await a.client.delete(`/api/conversations/${id}/draft`);
    expect(del.status).toBe(204);
    expect(await draftOf(a.client)).toBeNull();

    await a.client.put(`/api/conversations/${id}/draft`, { text: "A's words" });
    await b.client.put(`/api/conversations/${id}/draft`, { text: "B's words" });
    // A sends: their draft is gone, B's stays (the conversation is now A's, so B's draft is checked in the table).
    expect((await a.client.post(`/api/conversations/${id}/messages`, { text: "A's words" })).status).toBe(
      201,
    );
    expect(await draftOf(a.client)).toBeNull();
    const [row] = await t.db.query<{ text: string }>(
      "select text from drafts where conversation_id = $1 and user_id = $2",
      [id, b.id],
    );
    expect(row?.text).toBe("B's words");
  });

  it("an owner's send deletes only the owner's draft", async () => {
    const { owner, id } = await setup();
    const supervisor = await addUser(t, owner, "supervisor");
    await owner.put(`/api/conversations/${id}/draft`, { text: "mine" });
    await supervisor.client.put(`/api/conversations/${id}/draft`, { text: "theirs" });
    expect((await owner.post(`/api/conversations/${id}/messages`, { text: "sent" })).status).toBe(201);
    expect((await owner.get(`/api/conversations/${id}/draft`)).body.draft).toBeNull();
    expect((await supervisor.client.get(`/api/conversations/${id}/draft`)).body.draft.text).toBe("theirs");
  });

  it("are refused on a conversation the agent cannot see", async () => {
    const { owner, id } = await setup();
    const x = await addUser(t, owner, "agent");
    const y = await addUser(t, owner, "agent");
    await assign(owner, id, y.id);
    expect((await x.client.put(`/api/conversations/${id}/draft`, { text: "sneaky" })).status).toBe(404);
    expect((await x.client.delete(`/api/conversations/${id}/draft`)).status).toBe(404);
    const [row] = await t.db.query<{ n: number }>(
      "select count(*) as n from drafts where conversation_id = $1",
      [id],
    );
    expect(row!.n).toBe(0);
  });
});

describe("delete", () => {
  it("only owners and admins delete; the conversation and its messages go, and the audit log records it", async () => {
    const { owner, id } = await setup();
    const agent = await addUser(t, owner, "agent");
    const supervisor = await addUser(t, owner, "supervisor");

    const byAgent = await agent.client.delete(`/api/conversations/${id}`);
    expect(byAgent.status).toBe(403);
    expect(byAgent.body.error.code).toBe("forbidden");
    expect((await supervisor.client.delete(`/api/conversations/${id}`)).status).toBe(403);
    expect((await detail(owner, id)).id).toBe(id);

    const del = await owner.delete(`/api/conversations/${id}`);
    expect(del.status).toBe(204);
    expect((await owner.get(`/api/conversations/${id}`)).status).toBe(404);
    expect((await owner.get(`/api/conversations/${id}/messages`)).status).toBe(404);
    expect((await owner.delete(`/api/conversations/${id}`)).status).toBe(404);
    expect((await owner.get("/api/conversations")).body.conversations).toEqual([]);

    const [msgs] = await t.db.query<{ n: number }>(
      "select count(*) as n from messages where conversation_id = $1",
      [id],
    );
    expect(msgs!.n).toBe(0);
    const audit = await t.db.query<{
      user_id: string;
      action: string;
      target_type: string;
      data: { number: number };
    }>(
      "select user_id, action, target_type, data from audit_log where workspace_id = $1 and target_id = $2",
      [owner.workspaceId, id],
    );
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      user_id: owner.user!.id,
      action: "conversation.deleted",
      target_type: "conversation",
      data: { number: 1 },
    });
  });

  it("an admin may delete too", async () => {
    const { owner, id } = await setup();
    const admin = await addUser(t, owner, "admin");
    expect((await admin.client.delete(`/api/conversations/${id}`)).status).toBe(204);
    expect((await owner.get(`/api/conversations/${id}`)).status).toBe(404);
  });
});
