import { describe, expect, it } from "vitest";
import { eventually } from "../../testing/eventually";
import { apiConnection, inbound, newWorkspace, unique } from "../../testing/harness";
import { useTestServer } from "../../testing/use-test-server";
import { EVENTS_PER_TURN } from "./ingest-messages";
import { ANSWERS_PER_TURN, IngestQueue } from "./ingest-queue";

const t = useTestServer();

describe("a large ingest batch, a turn of the event loop at a time", () => {
  it("answers its webhooks a slice per turn, each with its own outcome", async () => {
    const { owner, workspaceId } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    const queue = new IngestQueue(t.server.ctx, { concurrency: 1, maxBatchEvents: 200, limit: 1000 });
    // A turn counter: it moves on every turn of the event loop while the answers come.
    let turn = 0;
    let ticking = true;
    const tick = () => {
      turn++;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    const count = ANSWERS_PER_TURN * 2 + 5;
    // Submitted in one turn: one batch, one transaction.
    const answers = Array.from({ length: count }, (_, i) =>
      queue
        .submit({ id: conn.id, workspaceId, type: "api" }, [
          { kind: "ignored", reason: `reason ${i}`, at: new Date() },
        ])
        .then((outcomes) => ({ outcomes, turn })),
    );
    const got = await Promise.all(answers);
    ticking = false;
    expect(got.map((a) => a.outcomes)).toEqual(
      Array.from({ length: count }, (_, i) => [
        { kind: "ignored", status: "ignored", reason: `reason ${i}` },
      ]),
    );
    // Answered in order, ANSWERS_PER_TURN in each turn: three turns for 2 × ANSWERS_PER_TURN + 5.
    const turns = got.map((a) => a.turn);
    expect(turns).toEqual([...turns].sort((a, b) => a - b));
    const perTurn = [...new Set(turns)].map((n) => turns.filter((x) => x === n).length);
    expect(perTurn).toEqual([ANSWERS_PER_TURN, ANSWERS_PER_TURN, 5]);
  });

  it("a batch larger than a turn's share of events keeps every message, its events in arrival order", async () => {
    const { owner } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    // Two known conversations (one closed) and two new contacts, their messages interleaved.
    const [closedContact, openContact, newA, newB] = [unique("c"), unique("c"), unique("c"), unique("c")];
    await conn.post(inbound(closedContact, "before"));
    await conn.post(inbound(openContact, "before"));
    const { conversations } = (await owner.get("/api/conversations")).body;
    const closedId = conversations.find((c: { contact: { name: string } }) =>
      c.contact.name.endsWith(closedContact),
    ).id;
    expect((await owner.post(`/api/conversations/${closedId}/status`, { status: "closed" })).status).toBe(
      200,
    );
    const socket = await owner.socket(t.wsUrl);
    const contacts = [closedContact, openContact, newA, newB];
    // Two turns' share of messages; with the new conversations' and the reopening's events, the append
    // serialises more than a turn's share (100) too.
    const count = EVENTS_PER_TURN * 2;
    const messages = Array.from({ length: count }, (_, i) => inbound(contacts[i % 4]!, `batch ${i}`));
    const r = await conn.post({ events: messages });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.results.map((x: { status: string }) => x.status)).toEqual(messages.map(() => "created"));
    // The customer's messages (the reopening adds a line of the feed, a message of its own kind).
    const ofCustomer = (e: { type: string; message?: { kind: string } }) =>
      e.type === "message.created" && e.message!.kind === "message";
    await eventually(() => expect(socket.events().filter(ofCustomer)).toHaveLength(count));
    const events = socket.events();
    const texts = events.filter(ofCustomer).map((e) => e.message.text);
    expect(texts).toEqual(messages.map((m) => m.text));
    // Numbers follow the order; each new conversation is announced once, before its first message; the
    // closed one reopens once.
    const seqs = events.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    const created = events.filter((e) => e.type === "conversation.created");
    expect(created.map((e) => e.conversation.contact.name)).toEqual([`Contact ${newA}`, `Contact ${newB}`]);
    expect(events.findIndex((e) => e.type === "conversation.created")).toBeLessThan(
      events.findIndex((e) => e.type === "message.created" && e.message.text === "batch 2"),
    );
    const reopened = events.filter((e) => e.type === "conversation.status_changed");
    expect(reopened.map((e) => [e.conversationId, e.conversation.status])).toEqual([[closedId, "open"]]);
    socket.close();
  });
});
