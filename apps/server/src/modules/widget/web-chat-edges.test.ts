import type { WidgetServerFrame } from "@parley/protocol";
import { describe, expect, it } from "vitest";
import WebSocket from "ws";
import { MovableClock } from "../../lib/time";
import { eventually } from "../../testing/eventually";
import { type Client, newWorkspace } from "../../testing/harness";
import { useTestServer } from "../../testing/use-test-server";
import { failRepliesToDepartedVisitors } from "./visitor-left";

/**
 * Web chat edge cases: a reply that reached the widget's channel just before the visitor left, the customer
 * reopening a closed conversation, and read-tracking consent asked in the widget (R307).
 */
const SITE = "https://edges.example";
/** Visitor presence is judged on this clock: the tests move it instead of waiting. */
const clock = new MovableClock();
const t = useTestServer({ clock });

async function widgetConnection(owner: Client) {
  const r = await owner.post("/api/connections", {
    type: "widget",
    name: "Website",
    settings: { allowedOrigins: [SITE] },
  });
  expect(r.status).toBe(201);
  return r.body.connection.id as string;
}

async function call(method: string, p: string, body?: unknown, token?: string) {
  const res = await fetch(t.url + p, {
    method,
    headers: {
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      origin: t.url,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

const session = (connection: string, token?: string) =>
  call("POST", "/api/widget/sessions", { connection, token, page: { origin: SITE, url: `${SITE}/` } });
let n = 0;
const say = (token: string, text: string) =>
  call("POST", "/api/widget/messages", { clientId: `edge-${++n}-${Date.now()}`, text }, token);

/** A visitor socket collecting its frames. */
async function visitorSocket(token: string) {
  const frames: WidgetServerFrame[] = [];
  const ws = new WebSocket(`${t.wsUrl}/api/widget/socket?token=${token}&after=0`, {
    headers: { origin: t.url },
  });
  ws.on("message", (d) => frames.push(JSON.parse(d.toString())));
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  await eventually(() => frames.find((f) => f.type === "hello"), { what: "hello" });
  return { ws, frames, send: (f: unknown) => ws.send(JSON.stringify(f)) };
}

const poll = <T>(fn: () => Promise<T>) => expect.poll(fn, { timeout: 8000, interval: 50 });

async function delivery(owner: Client, conversationId: string, id: string) {
  const feed = await owner.get(`/api/conversations/${conversationId}/messages`);
  return feed.body.messages.find((m: { id: string }) => m.id === id).delivery as {
    state: string;
    failureReason: string | null;
  };
}

describe("web chat edge cases", () => {
  it("a reply sent just before the visitor left turns to 'visitor left' once they are gone, and to delivered when they come back", async () => {
    const { owner } = await newWorkspace(t);
    const connection = await widgetConnection(owner);
    const token = (await session(connection)).body.token as string;
    const conversationId = (await say(token, "a quick question")).body.conversationId as string;

    // The visitor closes the page right after writing; the agent answers 20 seconds later, while the visitor
    // still counts as present: the reply is handed over ("sent") but no widget acknowledges it.
    clock.advance(20_000);
    const reply = await owner.post(`/api/conversations/${conversationId}/messages`, { text: "Here you go" });
    const id = reply.body.message.id as string;
    await poll(async () => (await delivery(owner, conversationId, id)).state).toBe("sent");

    // 40 seconds after the visitor was last heard from: not yet confirmed gone, the reply stays sent.
    clock.advance(20_000);
    await failRepliesToDepartedVisitors(t.server.ctx);
    expect((await delivery(owner, conversationId, id)).state).toBe("sent");

    // Past the presence timeout: the visitor is gone and the reply says so, with the reason.
    clock.advance(25_000);
    // (The worker's scheduled task may get there first; running it again changes nothing.)
    await failRepliesToDepartedVisitors(t.server.ctx);
    expect(await delivery(owner, conversationId, id)).toMatchObject({
      state: "failed",
      failureReason: "visitor_left",
    });

    // The visitor comes back: the widget receives the reply and acknowledges it, so it becomes delivered.
    const v = await visitorSocket(token);
    await eventually(
      () => v.frames.flatMap((f) => (f.type === "messages" ? f.messages : [])).find((m) => m.id === id)?.seq,
      { what: "the reply on the visitor's socket" },
    );
    const seq = v.frames
      .flatMap((f) => (f.type === "messages" ? f.messages : []))
      .find((m) => m.id === id)!.seq;
    v.send({ type: "received", upTo: seq });
    await poll(async () => (await delivery(owner, conversationId, id)).state).toBe("delivered");
    v.ws.close();
  });

  it("a reply the widget acknowledged before the visitor left is never turned into 'visitor left'", async () => {
    const { owner } = await newWorkspace(t);
    const connection = await widgetConnection(owner);
    const token = (await session(connection)).body.token as string;
    const conversationId = (await say(token, "hello")).body.conversationId as string;
    const v = await visitorSocket(token);
    const reply = await owner.post(`/api/conversations/${conversationId}/messages`, { text: "Hi!" });
    const id = reply.body.message.id as string;
    const got = await eventually(
      () => v.frames.flatMap((f) => (f.type === "messages" ? f.messages : [])).find((m) => m.id === id),
      { what: "the reply on the visitor's socket" },
    );
    await poll(async () => (await delivery(owner, conversationId, id)).state).toBe("sent");
    v.send({ type: "received", upTo: got.seq });
    await poll(async () => (await delivery(owner, conversationId, id)).state).toBe("delivered");
    v.ws.close();
    clock.advance(5 * 60_000);
    await failRepliesToDepartedVisitors(t.server.ctx);
    expect((await delivery(owner, conversationId, id)).state).toBe("delivered");
  });

  it("the customer reopening a closed conversation writes a line in the feed", async () => {
    const { owner } = await newWorkspace(t);
    const connection = await widgetConnection(owner);
    const token = (await session(connection)).body.token as string;
    const conversationId = (await say(token, "first")).body.conversationId as string;
    const closed = await owner.post(`/api/conversations/${conversationId}/status`, { status: "closed" });
    expect(closed.body.conversation.status).toBe("closed");
    await say(token, "me again");
    const feed = (await owner.get(`/api/conversations/${conversationId}/messages`)).body.messages as {
      kind: string;
      text: string | null;
      event: Record<string, unknown> | null;
    }[];
    expect(feed.map((m) => m.text ?? m.event?.kind)).toEqual(["first", "closed", "me again", "reopened"]);
    expect(feed.at(-1)!.event).toMatchObject({ kind: "reopened", byUserId: null, byContact: true });
    // Only the reopening writes the line: a further message adds none.
    await say(token, "and again");
    const after = (await owner.get(`/api/conversations/${conversationId}/messages`)).body.messages;
    expect(after.filter((m: { kind: string }) => m.kind === "event")).toHaveLength(2);
  });

  it("asks for read-tracking consent in consent mode and records the visitor's answer on their contact", async () => {
    const { owner } = await newWorkspace(t);
    const connection = await widgetConnection(owner);
    // Consent mode off: nothing to ask.
    const plain = await session(connection);
    expect(plain.body.consent).toEqual({ asked: false, granted: null });

    expect((await owner.patch("/api/receipts/settings", { consentMode: true })).status).toBe(200);
    const s = await session(connection);
    expect(s.body.consent).toEqual({ asked: true, granted: null });
    const token = s.body.token as string;
    // Before the first message there is no contact to keep the answer with: a clear refusal.
    const early = await call("PUT", "/api/widget/consent", { granted: true }, token);
    expect(early.status).toBe(409);
    expect(early.body.error.message).toContain("first message");
    const bad = await call("PUT", "/api/widget/consent", { granted: "yes" }, token);
    expect(bad.status).toBe(400);
    const noToken = await call("PUT", "/api/widget/consent", { granted: true });
    expect(noToken.status).toBe(401);

    const conversationId = (await say(token, "hi")).body.conversationId as string;
    const given = await call("PUT", "/api/widget/consent", { granted: true }, token);
    expect(given.status).toBe(200);
    expect(given.body.consent).toEqual({ asked: true, granted: true });
    const [row] = await t.server.ctx.db.query<{ consent: boolean; source: string }>(
      `select ct.read_tracking_consent as consent, ct.read_tracking_consent_source as source
       from conversations c join contacts ct on ct.id = c.contact_id where c.id = $1`,
      [conversationId],
    );
    expect(row).toEqual({ consent: true, source: "widget" });
    // Resuming the session: already answered, not asked again.
    expect((await session(connection, token)).body.consent).toEqual({ asked: true, granted: true });
    // With consent, a read acknowledgement from the widget counts as read.
    const reply = await owner.post(`/api/conversations/${conversationId}/messages`, { text: "Hello!" });
    const id = reply.body.message.id as string;
    await poll(async () => (await delivery(owner, conversationId, id)).state).toBe("sent");
    const v = await visitorSocket(token);
    const got = await eventually(
      () => v.frames.flatMap((f) => (f.type === "messages" ? f.messages : [])).find((m) => m.id === id),
      { what: "the reply" },
    );
    v.send({ type: "seen", upTo: got.seq });
    await poll(async () => (await delivery(owner, conversationId, id)).state).toBe("read");
    // Saying no later withdraws it.
    const no = await call("PUT", "/api/widget/consent", { granted: false }, token);
    expect(no.body.consent).toEqual({ asked: true, granted: false });
    v.ws.close();
  });
});
