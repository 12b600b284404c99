import { spawnSync } from "node:child_process";
import path from "node:path";
import type { WidgetServerFrame } from "@parley/protocol";
import { beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { identityHash } from "../../channels/widget/adapter";
import { MovableClock } from "../../lib/time";
import { eventually } from "../../testing/eventually";
import { type Client, newWorkspace } from "../../testing/harness";
import { useTestServer } from "../../testing/use-test-server";
import { closeAbandonedWidgetConversations } from "./auto-close";
import { WIDGET_DIST } from "./static-files";

const SITE = "https://shop.example";
/** A clock the tests move forward (visitor presence, auto-close) instead of sleeping. */
const clock = new MovableClock();

beforeAll(async () => {
  const built = spawnSync(process.execPath, [path.join(WIDGET_DIST, "../scripts/ensure-build.mjs")], {
    encoding: "utf8",
  });
  if (built.status !== 0) throw new Error(`building the widget failed: ${built.stderr}`);
});

const t = useTestServer({ clock });

async function widgetConnection(owner: Client, settings: Record<string, unknown> = {}) {
  const r = await owner.post("/api/connections", {
    type: "widget",
    name: "Website",
    settings: { allowedOrigins: [SITE], ...settings },
  });
  expect(r.status).toBe(201);
  return { id: r.body.connection.id as string, reveal: r.body.reveal as Record<string, string> };
}

async function call(method: string, p: string, body?: unknown, token?: string, origin?: string) {
  const res = await fetch(t.url + p, {
    method,
    headers: {
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(origin ? { origin } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

const page = {
  origin: SITE,
  url: `${SITE}/pricing`,
  landingPage: `${SITE}/?utm_source=news&utm_campaign=spring`,
  referrer: "https://search.example/?q=shop",
  utm: { utm_source: "news", utm_campaign: "spring", junk: "dropped" },
  language: "ru-RU",
};
const session = (connection: string, extra: Record<string, unknown> = {}) =>
  call("POST", "/api/widget/sessions", { connection, page, ...extra }, undefined, t.url);

let n = 0;
const say = (token: string, text: string, clientId = `client-${++n}-${Date.now()}`) =>
  call("POST", "/api/widget/messages", { clientId, text }, token);

/** A visitor socket collecting its frames. */
function visitorSocket(token: string, after = 0) {
  const frames: WidgetServerFrame[] = [];
  const ws = new WebSocket(`${t.wsUrl}/api/widget/socket?token=${token}&after=${after}`, {
    headers: { origin: t.url },
  });
  ws.on("message", (d) => frames.push(JSON.parse(d.toString())));
  const opened = new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
    ws.once("unexpected-response", (_q, res) => reject(new Error(`refused ${res.statusCode}`)));
  });
  const until = (pred: (f: WidgetServerFrame) => boolean) =>
    eventually(() => frames.find(pred), { what: `a frame; got ${JSON.stringify(frames)}` });
  const texts = () =>
    frames.flatMap((f) => (f.type === "messages" ? f.messages.map((m) => m.text) : [])) as (string | null)[];
  return { ws, frames, opened, until, texts, send: (f: unknown) => ws.send(JSON.stringify(f)) };
}

const poll = <T>(fn: () => Promise<T>) => expect.poll(fn, { timeout: 8000, interval: 50 });

describe("web chat widget", () => {
  it("serves the loader and the frame page, which only allowed sites may frame", async () => {
    const { owner } = await newWorkspace(t);
    const c = await widgetConnection(owner);
    expect(c.reveal.embedCode).toContain(`data-parley-widget="${c.id}"`);
    expect(c.reveal.identitySecret).toMatch(/^[\w-]{32,}$/);
    const loader = await fetch(`${t.url}/widget/loader.js`);
    expect(loader.status).toBe(200);
    expect(loader.headers.get("content-type")).toContain("javascript");
    const frame = await fetch(`${t.url}/widget/frame?connection=${c.id}`);
    expect(frame.status).toBe(200);
    expect(frame.headers.get("content-security-policy")).toContain(`frame-ancestors ${SITE}`);
    expect(frame.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect((await fetch(`${t.url}/widget/secret.txt`)).status).toBe(404);
    expect(
      (await fetch(`${t.url}/widget/frame?connection=00000000-0000-4000-8000-000000000000`)).status,
    ).toBe(404);
  });

  it("refuses a site that is not allowed, by its page origin and by the request's Origin", async () => {
    const { owner } = await newWorkspace(t);
    const c = await widgetConnection(owner);
    const wrongPage = await call(
      "POST",
      "/api/widget/sessions",
      { connection: c.id, page: { ...page, origin: "https://evil.example" } },
      undefined,
      t.url,
    );
    expect(wrongPage.status).toBe(403);
    expect(wrongPage.body.error.message).toContain("https://evil.example may not use this chat");
    const wrongOrigin = await call(
      "POST",
      "/api/widget/sessions",
      { connection: c.id, page },
      undefined,
      "https://evil.example",
    );
    expect(wrongOrigin.status).toBe(403);
    // The allowed site itself may call directly (its Origin is in the list).
    expect(
      (await call("POST", "/api/widget/sessions", { connection: c.id, page }, undefined, SITE)).status,
    ).toBe(200);
  });

  it("chats both ways live, stores the source, dedupes retried sends and moves the agent's ticks", async () => {
    const { owner } = await newWorkspace(t);
    const c = await widgetConnection(owner);
    const s = await session(c.id);
    expect(s.status).toBe(200);
    const token = s.body.token as string;
    expect(s.body.conversationId).toBeNull();
    const v = visitorSocket(token);
    await v.opened;
    await v.until((f) => f.type === "hello");

    const first = await say(token, "Hello, is anyone there?", "retry-me-123");
    expect(first.status).toBe(200);
    const again = await say(token, "Hello, is anyone there?", "retry-me-123");
    expect(again.body.message.id).toBe(first.body.message.id);
    expect(again.body.message.clientId).toBe("retry-me-123");
    const conversationId = first.body.conversationId as string;
    // The socket opened before the conversation existed follows it from the first message on.
    await v.until((f) => f.type === "messages" && f.messages.some((m) => m.clientId === "retry-me-123"));

    const detail = await owner.get(`/api/conversations/${conversationId}`);
    expect(detail.status).toBe(200);
    const source = detail.body.conversation.source;
    expect(source).toMatchObject({
      referrer: "https://search.example/?q=shop",
      landingPage: page.landingPage,
      currentPage: page.url,
      utm_source: "news",
      utm_campaign: "spring",
      language: "ru-RU",
    });
    expect(source.junk).toBeUndefined();
    expect(source.browser).toBeTruthy();
    const feed = await owner.get(`/api/conversations/${conversationId}/messages`);
    expect(feed.body.messages.filter((m: { direction: string }) => m.direction === "inbound")).toHaveLength(
      1,
    );

    // The agent replies and writes a note: the visitor gets the reply only.
    const note = await owner.post(`/api/conversations/${conversationId}/notes`, {
      text: "internal: VIP customer",
    });
    expect(note.status).toBeLessThan(300);
    const reply = await owner.post(`/api/conversations/${conversationId}/messages`, {
      text: "Hi! How can I help?",
    });
    expect(reply.status).toBeLessThan(300);
    const replyId = reply.body.message.id as string;
    const got = (await v.until(
      (f) => f.type === "messages" && f.messages.some((m) => m.text === "Hi! How can I help?"),
    )) as Extract<WidgetServerFrame, { type: "messages" }>;
    const agentMsg = got.messages.find((m) => m.from === "agent")!;
    expect(agentMsg.authorName).toBe("Owner");
    expect(v.texts()).not.toContain("internal: VIP customer");

    const state = async () =>
      (await owner.get(`/api/conversations/${conversationId}/messages`)).body.messages.find(
        (m: { id: string }) => m.id === replyId,
      ).delivery.state;
    v.send({ type: "received", upTo: agentMsg.seq });
    await poll(state).toBe("delivered");
    v.send({ type: "seen", upTo: agentMsg.seq });
    await poll(state).toBe("read");

    // The agent reads the visitor's message: the visitor is told (read receipts are on).
    await owner.post(`/api/conversations/${conversationId}/read`, {});
    const read = (await v.until((f) => f.type === "read")) as { upTo: number };
    expect(read.upTo).toBeGreaterThanOrEqual(first.body.message.seq);
    v.ws.close();
  });

  it("resumes after a dropped socket with exactly the missed replies, and keeps history across sessions", async () => {
    const { owner } = await newWorkspace(t);
    const c = await widgetConnection(owner);
    const token = (await session(c.id)).body.token as string;
    const first = await say(token, "first");
    const conversationId = first.body.conversationId as string;
    const v1 = visitorSocket(token);
    await v1.opened;
    await owner.post(`/api/conversations/${conversationId}/messages`, { text: "reply one" });
    const seen = (await v1.until(
      (f) => f.type === "messages" && f.messages.some((m) => m.text === "reply one"),
    )) as Extract<WidgetServerFrame, { type: "messages" }>;
    const lastSeq = Math.max(...seen.messages.map((m) => m.seq));
    v1.ws.terminate();
    await owner.post(`/api/conversations/${conversationId}/messages`, { text: "reply two" });
    await owner.post(`/api/conversations/${conversationId}/messages`, { text: "reply three" });
    const v2 = visitorSocket(token, lastSeq);
    await v2.opened;
    await v2.until((f) => f.type === "messages" && f.messages.some((m) => m.text === "reply three"));
    await owner.post(`/api/conversations/${conversationId}/messages`, { text: "reply four" });
    await v2.until((f) => f.type === "messages" && f.messages.some((m) => m.text === "reply four"));
    expect(v2.texts()).toEqual(["reply two", "reply three", "reply four"]);
    v2.ws.close();

    // The same browser token later: the whole history; the page it is on now is recorded.
    const back = await call(
      "POST",
      "/api/widget/sessions",
      { connection: c.id, token, page: { ...page, url: `${SITE}/checkout` } },
      undefined,
      t.url,
    );
    expect(back.body.token).toBe(token);
    expect(back.body.messages.map((m: { text: string }) => m.text)).toEqual([
      "first",
      "reply one",
      "reply two",
      "reply three",
      "reply four",
    ]);
    const detail = await owner.get(`/api/conversations/${conversationId}`);
    expect(detail.body.conversation.source.currentPage).toBe(`${SITE}/checkout`);
    expect(detail.body.conversation.source.landingPage).toBe(page.landingPage);
  });

  it("a visitor token reads only its own conversation; a bad token is refused", async () => {
    const { owner } = await newWorkspace(t);
    const c = await widgetConnection(owner);
    const a = (await session(c.id)).body.token as string;
    const b = (await session(c.id)).body.token as string;
    await say(a, "secret of A");
    await say(b, "hello from B");
    const mine = await call("GET", "/api/widget/messages?after=0", undefined, b);
    expect(mine.body.messages.map((m: { text: string }) => m.text)).toEqual(["hello from B"]);
    expect((await call("GET", "/api/widget/messages", undefined, "forged-token")).status).toBe(401);
    expect((await call("GET", "/api/widget/messages")).status).toBe(401);
    await expect(visitorSocket("forged-token").opened).rejects.toThrow(/401/);
  });

  it("limits how fast one visitor may write", async () => {
    const { owner } = await newWorkspace(t);
    const c = await widgetConnection(owner);
    const token = (await session(c.id)).body.token as string;
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) statuses.push((await say(token, `flood ${i}`)).status);
    expect(statuses.slice(0, 30).every((s) => s === 200)).toBe(true);
    const last = await say(token, "one too many");
    expect(last.status).toBe(429);
    expect(last.body.error.code).toBe("rate_limited");
    // Another visitor is not affected.
    const other = (await session(c.id)).body.token as string;
    expect((await say(other, "hello")).status).toBe(200);
  });

  it("relays typing both ways", async () => {
    const { owner } = await newWorkspace(t);
    const c = await widgetConnection(owner);
    const token = (await session(c.id)).body.token as string;
    const conversationId = (await say(token, "typing test")).body.conversationId as string;
    const agent = await owner.socket(t.wsUrl);
    const v = visitorSocket(token);
    await v.opened;
    await v.until((f) => f.type === "hello");
    v.send({ type: "typing", on: true });
    await agent.waitFor((f) => f.type === "signal" && f.signal.type === "typing" && f.signal.contact);
    agent.ws.send(JSON.stringify({ type: "typing", conversationId, on: true }));
    await v.until((f) => f.type === "typing" && f.on);
    agent.close();
    v.ws.close();
  });

  it("verifies the site's signed-in user by HMAC and attaches every browser of theirs to one conversation", async () => {
    const { owner } = await newWorkspace(t);
    const c = await widgetConnection(owner, { identityVerification: true });
    const secret = c.reveal.identitySecret!;
    const bad = await session(c.id, { identity: { userId: "user-42", hash: "00".repeat(32) } });
    expect(bad.status).toBe(401);
    expect(bad.body.error.code).toBe("invalid_signature");
    const good = {
      userId: "user-42",
      hash: identityHash(secret, "user-42"),
      name: "Ann Known",
      email: "ann@example.com",
    };
    const one = await session(c.id, { identity: good });
    expect(one.body.identity).toBe("verified");
    const sent = await say(one.body.token, "from my laptop");
    const two = await session(c.id, { identity: good });
    expect(two.body.token).not.toBe(one.body.token);
    expect(two.body.conversationId).toBe(sent.body.conversationId);
    expect(two.body.messages.map((m: { text: string }) => m.text)).toEqual(["from my laptop"]);
    const detail = await owner.get(`/api/conversations/${sent.body.conversationId}`);
    expect(detail.body.conversation.contact.name).toBe("Ann Known");
    // Without verification switched on, a claim is ignored: an anonymous visitor.
    const plain = await widgetConnection(owner);
    const ignored = await session(plain.id, { identity: { userId: "user-42" } });
    expect(ignored.body.identity).toBe("ignored");
  });

  it("asks for the pre-chat form's required fields before the first message", async () => {
    const { owner } = await newWorkspace(t);
    const c = await widgetConnection(owner, {
      preChat: { name: "required", email: "optional", phone: "off" },
    });
    const token = (await session(c.id)).body.token as string;
    const refused = await say(token, "hi");
    expect(refused.status).toBe(400);
    expect(refused.body.error.details.missing).toEqual(["name"]);
    await session(c.id, { token, contact: { name: "Petro", email: "petro@example.com" } });
    const ok = await say(token, "hi");
    expect(ok.status).toBe(200);
    const detail = await owner.get(`/api/conversations/${ok.body.conversationId}`);
    expect(detail.body.conversation.contact.name).toBe("Petro");
  });

  it("takes files within the connection's limit and refuses others", async () => {
    const { owner } = await newWorkspace(t);
    const c = await widgetConnection(owner, { maxFileBytes: 1024 });
    const token = (await session(c.id)).body.token as string;
    const up = (name: string, bytes: number, mimeType = "image/png") =>
      call(
        "POST",
        "/api/widget/uploads",
        { name, mimeType, data: Buffer.alloc(bytes, 7).toString("base64") },
        token,
      );
    expect((await up("big.png", 2048)).status).toBe(413);
    expect((await up("run.exe", 10, "application/octet-stream")).status).toBe(415);
    const ok = await up("photo.png", 100);
    expect(ok.status).toBe(201);
    const msg = await call(
      "POST",
      "/api/widget/messages",
      { clientId: "with-file-1", fileIds: [ok.body.fileId] },
      token,
    );
    expect(msg.status).toBe(200);
    expect(msg.body.message.attachments[0]).toMatchObject({ name: "photo.png", size: 100 });
    expect(msg.body.message.attachments[0].url).toContain("signature=");
    const file = await fetch(msg.body.message.attachments[0].url);
    expect(file.status).toBe(200);
    // Another visitor cannot send someone else's upload.
    const other = (await session(c.id)).body.token as string;
    const stolen = await call(
      "POST",
      "/api/widget/messages",
      { clientId: "steal-file-1", fileIds: [ok.body.fileId] },
      other,
    );
    expect(stolen.status).toBe(404);
  });

  it("fails a reply to a visitor who left, and closes the conversation after the configured absence", async () => {
    const { owner } = await newWorkspace(t);
    const c = await widgetConnection(owner, { autoCloseMinutes: 30 });
    const token = (await session(c.id)).body.token as string;
    const conversationId = (await say(token, "bye soon")).body.conversationId as string;
    clock.advance(5 * 60_000); // the visitor's page is gone: no heartbeat for five minutes
    const reply = await owner.post(`/api/conversations/${conversationId}/messages`, { text: "still there?" });
    const id = reply.body.message.id as string;
    const message = async () =>
      (await owner.get(`/api/conversations/${conversationId}/messages`)).body.messages.find(
        (m: { id: string }) => m.id === id,
      ).delivery;
    await poll(async () => (await message()).state).toBe("failed");
    expect((await message()).failureReason).toBe("visitor_left");

    // The sweep covers every workspace of the database (other tests' conversations may be due too): what
    // is checked is this conversation's status, open before its 30 minutes of absence and closed after.
    const status = async () =>
      (await owner.get(`/api/conversations/${conversationId}`)).body.conversation.status as string;
    await closeAbandonedWidgetConversations(t.server.ctx);
    expect(await status()).not.toBe("closed");
    clock.advance(31 * 60_000);
    expect(await closeAbandonedWidgetConversations(t.server.ctx)).toBeGreaterThanOrEqual(1);
    expect(await status()).toBe("closed");
    // Coming back and writing reopens it.
    await say(token, "I'm back");
    expect((await owner.get(`/api/conversations/${conversationId}`)).body.conversation.status).not.toBe(
      "closed",
    );
  });
});
