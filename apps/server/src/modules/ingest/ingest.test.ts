import { describe, expect, it } from "vitest";
import { MovableClock } from "../../lib/time";
import { eventually } from "../../testing/eventually";
import { apiConnection, inbound, newWorkspace, unique } from "../../testing/harness";
import { useTestServer } from "../../testing/use-test-server";

/** The server's clock, moved by a test (two machines whose clocks disagree). */
const clock = new MovableClock();
const t = useTestServer({ clock });

describe("ingest through the API channel", () => {
  it("creates the contact, identity, conversation and message, and shows it in the inbox", async () => {
    const { owner } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    const contactId = unique("c");
    const r = await conn.post(
      inbound(contactId, "Привіт! Є питання щодо замовлення", "m-1", {
        contact: { id: contactId, name: "Олена", email: "olena@example.com" },
      }),
    );
    expect(r.status).toBe(200);
    expect(r.body.results[0]).toMatchObject({ kind: "message", status: "created" });

    const list = await owner.get("/api/conversations");
    expect(list.status).toBe(200);
    expect(list.body.conversations).toHaveLength(1);
    const c = list.body.conversations[0];
    expect(c).toMatchObject({
      number: 1,
      status: "open",
      contact: { name: "Олена", email: "olena@example.com" },
      connection: { id: conn.id, type: "api" },
      assigneeId: null,
      unreadCount: 1,
      lastMessage: { text: "Привіт! Є питання щодо замовлення", authorType: "contact", direction: "inbound" },
    });
    expect(c.firstUnansweredAt).not.toBeNull();
    expect(c.permissions).toMatchObject({ read: true, reply: true, delete: true });

    const msgs = await owner.get(`/api/conversations/${c.id}/messages`);
    expect(msgs.body.messages.map((m: { text: string }) => m.text)).toEqual([
      "Привіт! Є питання щодо замовлення",
    ]);
  });

  it("never duplicates a message the provider retries, even concurrently", async () => {
    const { owner } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    const payload = inbound(unique("c"), "hello", unique("m"));
    const results = await Promise.all([conn.post(payload), conn.post(payload), conn.post(payload)]);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    const statuses = results.map((r) => r.body.results[0].status).sort();
    expect(statuses).toEqual(["created", "duplicate", "duplicate"]);
    const [row] = await t.db.query<{ n: number }>(
      "select count(*) as n from messages m join channel_connections c on c.id = m.connection_id where c.id = $1",
      [conn.id],
    );
    expect(row!.n).toBe(1);
  });

  it("appends to the same conversation and reopens it when closed (R206)", async () => {
    const { owner } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    const contact = unique("c");
    await conn.post(inbound(contact, "first"));
    const [conv] = (await owner.get("/api/conversations")).body.conversations;
    const closed = await owner.post(`/api/conversations/${conv.id}/status`, { status: "closed" });
    expect(closed.body.conversation.status).toBe("closed");
    await conn.post(inbound(contact, "second"));
    const after = await owner.get(`/api/conversations/${conv.id}`);
    expect(after.body.conversation.status).toBe("open");
    expect(after.body.conversation.closedAt).toBeNull();
    const list = await owner.get("/api/conversations");
    expect(list.body.conversations).toHaveLength(1);
    const feed = await owner.get(`/api/conversations/${conv.id}/messages`);
    expect(feed.body.messages.map((m: { kind: string; text: string | null }) => m.text ?? m.kind)).toEqual([
      "first",
      "event",
      "second",
      "event",
    ]);
    // The customer's reopening is a line in the feed too, right after the message that reopened it.
    expect(feed.body.messages.at(-1).event).toMatchObject({
      kind: "reopened",
      byUserId: null,
      byContact: true,
      from: "closed",
      to: "open",
    });
  });

  it("refuses a bad signature, malformed JSON and wrong types, storing nothing", async () => {
    const { owner } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    const bad = await conn.post(inbound("x", "hi"), { secret: "not-the-secret" });
    expect(bad.status).toBe(401);
    expect(bad.body.error.code).toBe("invalid_signature");
    const malformed = await conn.post(null, { raw: "{not json" });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe("invalid_json");
    // Read by the channel's adapter, after the signature, not by the server's JSON body parser.
    expect(malformed.body.error.message).toBe("The webhook body is not valid JSON.");
    const malformedUnsigned = await conn.post(null, { raw: "{not json", secret: "not-the-secret" });
    expect(malformedUnsigned.status).toBe(401);
    expect(malformedUnsigned.body.error.code).toBe("invalid_signature");
    const wrong = await conn.post({ type: "message", id: 5, contact: { id: "x" }, text: "hi" });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.code).toBe("validation_failed");
    expect(wrong.body.error.message).toMatch(/API channel format/);
    const empty = await conn.post({ type: "message", id: "e1", contact: { id: "x" } });
    expect(empty.status).toBe(400);
    const unknownConn = await fetch(`${t.url}/api/webhooks/api/00000000-0000-4000-8000-000000000000`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(unknownConn.status).toBe(404);
    const [row] = await t.db.query<{ n: number }>(
      "select count(*) as n from messages where connection_id = $1",
      [conn.id],
    );
    expect(row!.n).toBe(0);
  });

  it("verifies the signature over the raw bytes of a non-ASCII body", async () => {
    const { owner } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    // Escaped and unescaped forms of the same JSON are different bytes: each must be signed as sent.
    const raw =
      '{"type":"message","id":"u1","contact":{"id":"k"},"text":"\\u041f\\u0440\\u0438\\u0432\\u0435\\u0442 😀"}';
    const r = await conn.post(null, { raw });
    expect(r.status).toBe(200);
    const msgs = await t.db.query<{ text: string }>("select text from messages where connection_id = $1", [
      conn.id,
    ]);
    expect(msgs[0]!.text).toBe("Привет 😀");
  });

  it("refuses an oversized body with 413", async () => {
    const { owner } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    const r = await conn.post(inbound("big", "x".repeat(1_100_000)));
    expect(r.status).toBe(413);
    expect(r.body.error.code).toBe("payload_too_large");
  });

  it("records the business's own message sent elsewhere (an echo) as an agent message, answering the customer", async () => {
    const { owner } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    const contact = unique("c");
    await conn.post(inbound(contact, "question"));
    const [before] = (await owner.get("/api/conversations")).body.conversations;
    expect(before.firstUnansweredAt).not.toBeNull();
    const r = await conn.post(inbound(contact, "answer from the phone app", unique("echo"), { echo: true }));
    expect(r.body.results[0].status).toBe("created");
    const after = (await owner.get(`/api/conversations/${before.id}`)).body.conversation;
    expect(after.firstUnansweredAt).toBeNull();
    expect(after.lastMessage).toMatchObject({
      authorType: "user",
      direction: "outbound",
      deliveryState: "sent",
    });
    expect(after.lastInboundSeq).toBe(before.lastInboundSeq);
    expect(after.unreadCount).toBe(1);
    const feed = (await owner.get(`/api/conversations/${before.id}/messages`)).body.messages;
    expect(feed.at(-1)).toMatchObject({
      direction: "outbound",
      authorType: "user",
      authorId: null,
      delivery: { state: "sent" },
    });
    // The customer writes again: unanswered from then on.
    await conn.post(inbound(contact, "thanks, one more thing"));
    const again = (await owner.get(`/api/conversations/${before.id}`)).body.conversation;
    expect(again.firstUnansweredAt).not.toBeNull();
    expect(again.lastInboundSeq).toBeGreaterThan(before.lastInboundSeq);
  });

  it("never moves a conversation's last activity backwards when a process with a slower clock writes to it", async () => {
    const { owner } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    const contact = unique("c");
    clock.advance(3600_000);
    try {
      expect((await conn.post(inbound(contact, "from a fast clock"))).status).toBe(200);
    } finally {
      clock.advance(-3600_000);
    }
    const [conv] = (await owner.get("/api/conversations")).body.conversations;
    const ahead = conv.lastActivityAt;
    expect(Date.parse(ahead)).toBeGreaterThan(Date.now() + 3000_000);
    expect((await conn.post(inbound(contact, "from a slower one"))).status).toBe(200);
    const sent = await owner.post(`/api/conversations/${conv.id}/messages`, { text: "reply" });
    expect(sent.status).toBe(201);
    const after = (await owner.get(`/api/conversations/${conv.id}`)).body.conversation;
    expect(after.lastMessage.text).toBe("reply");
    expect(after.lastActivityAt).toBe(ahead);
  });

  it("writes a notification fan-out job for a customer's message only when the conversation has someone to notify", async () => {
    const { owner, workspaceId } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    const contact = unique("c");
    const fanouts = async () =>
      (
        await t.db.query<{ payload: { from: number; to: number } }>(
          "select payload from jobs where type = 'notify.events' and workspace_id = $1 order by id",
          [workspaceId],
        )
      ).map((j) => j.payload);
    // A new conversation notifies whoever may see it: one job.
    await conn.post(inbound(contact, "first"));
    expect(await fanouts()).toHaveLength(1);
    const [conv] = (await owner.get("/api/conversations")).body.conversations;
    // Nobody is assigned and nobody operates it: the next message notifies nobody, so it writes no job.
    const second = await conn.post(inbound(contact, "second"));
    expect(second.body.results[0].status).toBe("created");
    expect(await fanouts()).toHaveLength(1);
    // Assigned: the next message notifies the assignee (by a job over its event) and shows in their bell.
    const assigned = await owner.post(`/api/conversations/${conv.id}/assign`, { assigneeId: owner.user!.id });
    expect(assigned.status).toBe(200);
    const before = (await fanouts()).length;
    await conn.post(inbound(contact, "third"));
    expect((await fanouts()).length).toBe(before + 1);
    await eventually(async () => {
      const [n] = await t.db.query<{ n: number }>(
        "select count(*)::int as n from notifications where user_id = $1 and kind = 'new_message'",
        [owner.user!.id],
      );
      expect(n!.n).toBe(1);
      return true;
    });
  });
});

describe("a batch of messages in one webhook", () => {
  it("sets each conversation from its last message and tells the sockets exactly what was stored", async () => {
    const { owner } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    const socket = await owner.socket(t.wsUrl);
    const [anna, boris, clara] = [unique("anna"), unique("boris"), unique("clara")];
    const [dan, erin] = [unique("dan"), unique("erin")];
    // 198 characters, then an emoji (two UTF-16 units) and more: the preview stops before the emoji, not in it.
    const long = `${"x".repeat(198)}😀${"y".repeat(60)}`;
    const dup = unique("dup");
    const ahead = new Date(Date.now() + 3_600_000).toISOString();
    const r = await conn.post({
      events: [
        inbound(anna, "first question", unique("m"), { timestamp: ahead }),
        inbound(anna, "answered from the phone", unique("m"), { echo: true }),
        inbound(anna, "one more thing"),
        inbound(boris, "a question"),
        inbound(boris, "answer last", unique("m"), { echo: true }),
        inbound(clara, "sent twice", dup),
        inbound(clara, "sent twice", dup),
        inbound(dan, long, unique("m"), {
          attachments: [
            { name: "a.txt", mimeType: "text/plain", size: 3, url: "https://files.example.com/a.txt" },
          ],
        }),
        // Half of an emoji (a lone surrogate): kept as U+FFFD, in the database and in the event alike.
        inbound(erin, "half \ud83d of one"),
      ],
    });
    expect(r.status).toBe(200);
    expect(r.body.results.map((x: { status: string }) => x.status)).toEqual([
      ...["created", "created", "created", "created", "created", "created"],
      ...["duplicate", "created", "created"],
    ]);
    const ids = r.body.results.map((x: { messageId: string | null }) => x.messageId);
    const conv = async (i: number) =>
      (await owner.get(`/api/conversations/${r.body.results[i].conversationId}`)).body.conversation;

    // The customer wrote after the echo: waiting again, since this batch; the window from our clock, not theirs.
    const a = await conv(0);
    expect(a.lastMessage).toMatchObject({ id: ids[2], text: "one more thing", direction: "inbound" });
    expect(a.firstUnansweredAt).not.toBeNull();
    expect(Date.parse(a.lastCustomerMessageAt)).toBeLessThanOrEqual(Date.now());
    // The echo came last: answered.
    const b = await conv(3);
    expect(b.lastMessage).toMatchObject({ id: ids[4], direction: "outbound", deliveryState: "sent" });
    expect(b.firstUnansweredAt).toBeNull();
    const c = await conv(5);
    expect(c.lastMessage).toMatchObject({ id: ids[5], text: "sent twice" });

    // Each message's event carries the row as the feed reads it back, and its conversation as stored.
    const created = await eventually(async () => {
      const events = socket.events().filter((e) => e.type === "message.created");
      expect(events).toHaveLength(8);
      return events;
    });
    for (const e of created) {
      const feed = (await owner.get(`/api/conversations/${e.conversationId}/messages`)).body.messages;
      const stored = feed.find((m: { id: string }) => m.id === e.message.id);
      expect(e.message).toEqual(stored);
    }
    const lastOfBoris = created.find((e) => e.message.id === ids[4]);
    expect(lastOfBoris.conversation).toMatchObject({ lastMessage: b.lastMessage, firstUnansweredAt: null });
    const longOne = created.find((e) => e.message.id === ids[7]);
    expect(longOne.message.text).toBe(long);
    expect(longOne.conversation.lastMessage.text).toBe(`${"x".repeat(198)}…`);
    expect(created.find((e) => e.message.id === ids[8]).message.text).toBe("half \ufffd of one");
    socket.close();
  });
});

describe("the ingest transaction", () => {
  it("runs its named statements' generic plans on PostgreSQL: planned once per connection, not per call", async () => {
    const { owner } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    const ctx = t.server.ctx;
    const db = ctx.db;
    // After each transaction on a connection that has the message INSERT prepared (the ingest's), how
    // PostgreSQL planned its calls there so far.
    const plans: { generic: number; custom: number }[] = [];
    ctx.db = {
      ...db,
      tx: (fn, opts) =>
        db.tx(async (q) => {
          const result = await fn(q);
          const [row] = await q.query<{ generic: number; custom: number }>(
            `select generic_plans::int as generic, custom_plans::int as custom
             from pg_prepared_statements where name = 'ingest.write-messages'`,
          );
          if (row) plans.push(row);
          return result;
        }, opts),
    };
    try {
      for (let i = 0; i < 3; i++) {
        const r = await conn.post(inbound(unique("c"), `hello ${i}`, unique("m")));
        expect(r.status).toBe(200);
        expect(r.body.results[0]).toMatchObject({ kind: "message", status: "created" });
      }
    } finally {
      ctx.db = db;
    }
    if (db.kind === "postgres") {
      // Without the setting PostgreSQL makes a plan for the values of each of a statement's first calls.
      expect(plans.length).toBeGreaterThanOrEqual(3);
      for (const p of plans) expect(p).toMatchObject({ custom: 0 });
      expect(plans.every((p) => p.generic >= 1)).toBe(true);
    } else {
      // The embedded database runs the text: nothing is prepared under a name.
      expect(plans).toEqual([]);
    }
  });
});
