import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { messageInState } from "../../testing/delivery";
import { type MetaFake, metaWebhook, startMetaFake } from "../../testing/fakes/meta";
import { type Client, newWorkspace, unique } from "../../testing/harness";
import { jobsSettled } from "../../testing/settled";
import { useTestServer } from "../../testing/use-test-server";
import { adapterContext } from "../context";
import { messengerChannel } from "./messenger";

let fake: MetaFake;
const DAY = 24 * 3600_000;

beforeAll(async () => {
  fake = await startMetaFake();
});
afterAll(async () => {
  await fake.close();
});

const t = useTestServer(() => ({
  env: { GRAPH_API_BASE: fake.graphUrl, GRAPH_API_VERSION: "v21.0", INSTAGRAM_API_BASE: fake.instagramUrl },
}));

let ids = 0;
const digits = () => `${Date.now()}${++ids}`.slice(-15);

async function setup(settings: Record<string, unknown> = {}) {
  const { owner } = await newWorkspace(t);
  const pageId = digits();
  const token = unique("page-token");
  const appSecret = unique("app-secret");
  fake.addAccount(token, { platform: "messenger", accountId: pageId, host: "graph" });
  const r = await owner.post("/api/connections", {
    type: "messenger",
    name: unique("fb"),
    settings,
    credentials: { pageId, pageAccessToken: token, appSecret, verifyToken: "verify-me-please" },
  });
  if (r.status !== 201) throw new Error(`connection failed: ${r.status} ${JSON.stringify(r.body)}`);
  const id = r.body.connection.id as string;
  const url = `${t.url}/api/webhooks/messenger/${id}`;
  const psid = digits();
  const post = (messaging: unknown[], opts: { raw?: string; signature?: string; secret?: string } = {}) =>
    fake.webhook(url, metaWebhook.page(pageId, messaging), { appSecret: opts.secret ?? appSecret, ...opts });
  const say = (text: string, extra: Record<string, unknown> = {}, at = Date.now()) =>
    post([
      {
        sender: { id: psid },
        recipient: { id: pageId },
        timestamp: at,
        message: { mid: unique("m_in"), text, ...extra },
      },
    ]);
  const send = (payload: unknown) => fake.webhook(url, payload, { appSecret });
  return { owner, id, url, pageId, token, appSecret, psid, post, say, send, created: r.body };
}

async function conversationOf(owner: Client) {
  const list = await owner.get("/api/conversations");
  return list.body.conversations[0];
}
const messagesOf = async (owner: Client, convId: string) =>
  (await owner.get(`/api/conversations/${convId}/messages`)).body.messages as any[];

const waitForState = (owner: Client, convId: string, messageId: string, state: string, timeout?: number) =>
  messageInState(owner, convId, messageId, state, { timeout });

async function reply(owner: Client, convId: string, body: Record<string, unknown>) {
  const r = await owner.post(`/api/conversations/${convId}/messages`, body);
  if (r.status !== 201) throw new Error(`reply refused: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.message.id as string;
}

describe("Messenger connection", () => {
  it("validates credentials, checks the token with Graph, subscribes the page and answers the hub.challenge", async () => {
    const { owner } = await newWorkspace(t);
    const bad = await owner.post("/api/connections", {
      type: "messenger",
      name: "fb",
      credentials: { pageId: "abc", appSecret: "x" },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/pageId/);
    expect(bad.body.error.message).toMatch(/pageAccessToken/);

    const wrongToken = await owner.post("/api/connections", {
      type: "messenger",
      name: "fb",
      credentials: { pageId: "123", pageAccessToken: "unknown-token", appSecret: "s" },
    });
    expect(wrongToken.status).toBe(422);
    expect(wrongToken.body.error.message).toMatch(/Invalid OAuth access token/);

    const { id, created, pageId, token, url } = await setup({ humanAgentTag: true });
    expect(created.connection.capabilities).toMatchObject({
      reportsDelivered: true,
      reportsRead: true,
      markSeen: true,
      textMaxChars: 2000,
      window: "messenger",
    });
    expect(created.connection.settings).toEqual({ humanAgentTag: true });
    expect(created.reveal).toEqual({ webhookUrl: url, verifyToken: "verify-me-please" });
    const sub = fake.requests.find((r) => r.path === `/v21.0/${pageId}/subscribed_apps`)!;
    expect(sub.authorization).toBe(`Bearer ${token}`);
    expect(sub.query.subscribed_fields).toContain("message_echoes");
    // Credentials are never returned.
    expect(JSON.stringify((await owner.get(`/api/connections/${id}`)).body)).not.toContain(token);

    const ok = await fetch(
      `${url}?hub.mode=subscribe&hub.verify_token=verify-me-please&hub.challenge=1158201444`,
    );
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe("1158201444");
    const no = await fetch(`${url}?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1158201444`);
    expect(no.status).toBe(403);
  });
});

describe("Messenger inbound", () => {
  it("verifies X-Hub-Signature-256 over the raw (unicode-escaped) bytes; rejects a bad signature; dedupes retries", async () => {
    const { owner, post, psid, pageId, appSecret } = await setup();
    const mid = unique("m_uni");
    const event = {
      sender: { id: psid },
      recipient: { id: pageId },
      timestamp: Date.now(),
      message: { mid, text: "Привет, где мой заказ? 📦 https://shop.example/o/1" },
    };
    // Meta's own serialisation: \u escapes and \/ — the same JSON, different bytes from JSON.stringify.
    const escaped = await post([event]);
    expect(escaped.status).toBe(200);
    expect(escaped.body.results[0]).toMatchObject({ kind: "message", status: "created" });
    // A retry of the same mid, this time as raw UTF-8 bytes: verified, and no duplicate.
    const utf8 = JSON.stringify(metaWebhook.page(pageId, [event]));
    const again = await post([], { raw: utf8 });
    expect(again.status).toBe(200);
    expect(again.body.results[0]).toMatchObject({ status: "duplicate" });
    // A signature computed over re-encoded text, or with another secret, is refused and nothing is stored.
    const other = { ...event, message: { mid: unique("m_bad"), text: "Ünïcödé" } };
    const forged = await post([other], { secret: "not-the-app-secret" });
    expect(forged.status).toBe(401);
    const reencoded = JSON.stringify(metaWebhook.page(pageId, [other]));
    const { hubSignature, metaJson } = await import("../../testing/fakes/meta");
    const mismatch = await post([], {
      raw: metaJson(metaWebhook.page(pageId, [other])),
      signature: hubSignature(appSecret, reencoded),
    });
    expect(mismatch.status).toBe(401);

    const conv = await conversationOf(owner);
    const msgs = await messagesOf(owner, conv.id);
    expect(msgs.map((m) => m.text)).toEqual(["Привет, где мой заказ? 📦 https://shop.example/o/1"]);
    expect(msgs[0]).toMatchObject({ direction: "inbound", authorType: "contact", providerMessageId: mid });
  });

  it("downloads media at once, keeps a message whose link expired, gives fallbacks, quotes and ignores the unknown", async () => {
    const { owner, say, post, send, psid, pageId } = await setup();
    const first = unique("m_first");
    await post([
      {
        sender: { id: psid },
        recipient: { id: pageId },
        timestamp: Date.now(),
        message: { mid: first, text: "hi" },
      },
    ]);
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3, 4, 5]);
    const imageUrl = fake.cdn(unique("photo.png"), png, "image/png");
    const expiredUrl = fake.cdn(unique("voice.mp4"), Buffer.from("old"), "audio/mp4", -1000);
    const pdfUrl = fake.cdn(`${unique("invoice")}.pdf`, Buffer.from("%PDF-1.4"), "application/pdf");
    const r = await say("see photo", {
      attachments: [
        { type: "image", payload: { url: imageUrl } },
        { type: "file", payload: { url: pdfUrl } },
      ],
      reply_to: { mid: first },
    });
    expect(r.status).toBe(200);
    await say("", { text: undefined, attachments: [{ type: "audio", payload: { url: expiredUrl } }] });
    await say("", {
      text: undefined,
      attachments: [{ type: "image", payload: { url: imageUrl, sticker_id: 369239263222822 } }],
    });
    await say("", {
      text: undefined,
      attachments: [{ type: "location", payload: { coordinates: { lat: 52.52, long: 13.405 } } }],
    });
    // A reaction is not a message: it is kept on the message it is about (see reactions.test.ts).
    const reaction = await post([
      {
        sender: { id: psid },
        recipient: { id: pageId },
        timestamp: Date.now(),
        reaction: { mid: first, action: "react", emoji: "❤" },
      },
    ]);
    expect(reaction.status).toBe(200);
    expect(reaction.body.results).toEqual([
      { kind: "reaction", status: "updated", messageId: expect.any(String) },
    ]);
    // Standby and other pages' entries: 200, no events.
    const otherPage = await send(
      metaWebhook.page("999", [
        { sender: { id: psid }, recipient: { id: "999" }, timestamp: 1, message: { mid: "m_x", text: "x" } },
      ]),
    );
    expect(otherPage.status).toBe(200);
    expect(otherPage.body.results).toEqual([]);
    const otherObject = await send({ object: "user", entry: [{ id: pageId, changes: [] }] });
    expect(otherObject.body.results).toEqual([]);
    // Files are downloaded by background jobs after the webhooks were acknowledged.
    await jobsSettled(t.server);

    const conv = await conversationOf(owner);
    const msgs = await messagesOf(owner, conv.id);
    expect(msgs).toHaveLength(5);
    const [hi, photo, voice, sticker, location] = msgs;
    expect(hi.reactions).toEqual([{ emoji: "❤", authorType: "contact", at: expect.any(String) }]);
    expect(photo.text).toBe("see photo");
    expect(photo.quotedMessageId).toBe(hi.id);
    expect(photo.attachments).toHaveLength(2);
    expect(photo.attachments[0]).toMatchObject({ mimeType: "image/png", size: png.length });
    const file = await owner.get(photo.attachments[0].url);
    expect(file.status).toBe(200);
    const bytes = await fetch(`${t.url}${photo.attachments[0].url}`, { headers: { cookie: owner.cookie! } });
    expect(Buffer.from(await bytes.arrayBuffer())).toEqual(png);
    expect(photo.attachments[1]).toMatchObject({
      mimeType: "application/pdf",
      name: expect.stringMatching(/invoice/),
    });
    expect(voice.attachments[0].error).toMatch(/403/);
    expect(voice.attachments[0].url).toBe("");
    expect(sticker.text).toBe("[Sticker]");
    expect(sticker.attachments).toEqual([]);
    expect(location.text).toMatch(/^\[Location: 52.52, 13.405\]/);

    // Parley's own file sent back: Meta gets a signed link it can fetch without a session.
    const back = await reply(owner, conv.id, { attachments: [photo.attachments[0]] });
    await waitForState(owner, conv.id, back, "sent");
    const req = fake.sends(psid).at(-1)!;
    expect(req.body.message.attachment.type).toBe("image");
    const link = req.body.message.attachment.payload.url as string;
    expect(link.startsWith(`${t.url}${photo.attachments[0].url}?`)).toBe(true);
    const fetched = await fetch(link);
    expect(fetched.status).toBe(200);
    expect(Buffer.from(await fetched.arrayBuffer())).toEqual(png);
  });
});

describe("Messenger echoes", () => {
  it("mirrors a message the page sent from Business Suite as an agent message; drops echoes of Parley's own sends", async () => {
    const { owner, say, post, psid, pageId } = await setup();
    await say("hello");
    const conv = await conversationOf(owner);
    const echoMid = unique("m_echo");
    const echo = {
      sender: { id: pageId },
      recipient: { id: psid },
      timestamp: Date.now(),
      message: {
        mid: echoMid,
        is_echo: true,
        app_id: 263902037430900,
        text: "Answered from the Business Suite",
      },
    };
    const r = await post([echo]);
    expect(r.body.results[0]).toMatchObject({ kind: "message", status: "created", conversationId: conv.id });
    expect((await post([echo])).body.results[0].status).toBe("duplicate");

    // Parley's own send comes back as an echo with our metadata: not stored twice.
    const id = await reply(owner, conv.id, { text: "from Parley" });
    const sent = await waitForState(owner, conv.id, id, "sent");
    const req = fake.sends(psid).at(-1)!;
    expect(req.body.message.metadata).toBe(`parley:${id}`);
    const own = await post([
      {
        sender: { id: pageId },
        recipient: { id: psid },
        timestamp: Date.now(),
        message: {
          mid: sent.providerMessageId,
          is_echo: true,
          app_id: 1234,
          metadata: `parley:${id}`,
          text: "from Parley",
        },
      },
    ]);
    expect(own.body.results).toEqual([]);

    const msgs = await messagesOf(owner, conv.id);
    const chat = msgs.filter((m) => m.kind === "message");
    expect(chat.map((m) => [m.direction, m.authorType, m.text])).toEqual([
      ["inbound", "contact", "hello"],
      ["outbound", "user", "Answered from the Business Suite"],
      ["outbound", "user", "from Parley"],
    ]);
    expect(chat[1].delivery.state).toBe("sent");
    expect(chat[1].providerMessageId).toBe(echoMid);
  });
});

describe("Messenger outbound and receipts", () => {
  it("sends text with a quote and an attachment through /v21.0/me/messages and records the provider id", async () => {
    const { owner, say, psid, token } = await setup();
    await say("where is my order?");
    const conv = await conversationOf(owner);
    const [inbound] = await messagesOf(owner, conv.id);
    const id = await reply(owner, conv.id, {
      text: "On its way 🚚",
      quotedMessageId: inbound.id,
      attachments: [
        { name: "label.pdf", mimeType: "application/pdf", size: 10, url: "https://files.example/label.pdf" },
      ],
    });
    const m = await waitForState(owner, conv.id, id, "sent");
    const [text, attachment] = fake.sends(psid);
    expect(text!.path).toBe("/v21.0/me/messages");
    expect(text!.host).toBe("graph");
    expect(text!.authorization).toBe(`Bearer ${token}`);
    expect(text!.body).toEqual({
      recipient: { id: psid },
      messaging_type: "RESPONSE",
      reply_to: { mid: inbound.providerMessageId },
      message: { text: "On its way 🚚", metadata: `parley:${id}` },
    });
    expect(attachment!.body).toEqual({
      recipient: { id: psid },
      messaging_type: "RESPONSE",
      message: {
        attachment: { type: "file", payload: { url: "https://files.example/label.pdf", is_reusable: false } },
        metadata: `parley:${id}`,
      },
    });
    expect(m.providerMessageId).toMatch(/^m_fake/);
  });

  it("moves several messages with a delivery watermark (and mids), then reads; out of order and duplicated never go back", async () => {
    const { owner, say, post, psid, pageId } = await setup();
    await say("hi");
    const conv = await conversationOf(owner);
    const ids: string[] = [];
    for (const text of ["one", "two", "three"]) ids.push(await reply(owner, conv.id, { text }));
    const sent = [];
    for (const id of ids) sent.push(await waitForState(owner, conv.id, id, "sent"));
    const mark = Date.now() + 1000;

    // Out of order: the read watermark comes before the delivery report.
    const read = await post([
      { sender: { id: psid }, recipient: { id: pageId }, timestamp: mark + 10, read: { watermark: mark } },
    ]);
    expect(read.body.results[0]).toMatchObject({ kind: "read_watermark", count: 3 });
    const delivery = await post([
      {
        sender: { id: psid },
        recipient: { id: pageId },
        timestamp: mark + 5,
        delivery: { mids: [sent[0].providerMessageId], watermark: mark },
      },
    ]);
    expect(delivery.body.results).toEqual([
      { kind: "status", status: "unchanged", messageId: ids[0] },
      { kind: "delivery_watermark", status: "unchanged", count: 0 },
    ]);
    for (const id of ids) {
      const m = await waitForState(owner, conv.id, id, "read");
      expect(m.delivery.readAt).toBe(new Date(mark + 10).toISOString());
    }

    // Three more: a delivery watermark without mids delivers them all; duplicates change nothing.
    const more: string[] = [];
    for (const text of ["four", "five", "six"]) more.push(await reply(owner, conv.id, { text }));
    const moreSent = [];
    for (const id of more) moreSent.push(await waitForState(owner, conv.id, id, "sent"));
    const mark2 = Date.now() + 1000;
    const d1 = await post([
      {
        sender: { id: psid },
        recipient: { id: pageId },
        timestamp: mark2,
        delivery: { mids: [moreSent[2].providerMessageId], watermark: mark2 },
      },
    ]);
    expect(d1.body.results).toEqual([
      { kind: "status", status: "updated", messageId: more[2] },
      { kind: "delivery_watermark", status: "updated", count: 2 },
    ]);
    const d2 = await post([
      { sender: { id: psid }, recipient: { id: pageId }, timestamp: mark2, delivery: { watermark: mark2 } },
    ]);
    expect(d2.body.results).toEqual([{ kind: "delivery_watermark", status: "unchanged", count: 0 }]);
    for (const id of more) await waitForState(owner, conv.id, id, "delivered");
    for (const id of ids) await waitForState(owner, conv.id, id, "read");
  });

  it("marks the customer's message seen with a sender action of its own", async () => {
    const { owner, say, psid, id, token } = await setup();
    await say("are you there?");
    const conn = { id, workspaceId: owner.workspaceId!, type: "messenger" };
    const [row] = await t.server.ctx.db.query<{ credentials_enc: string }>(
      "select credentials_enc from channel_connections where id = $1",
      [id],
    );
    await messengerChannel.markSeen!(
      {
        ...conn,
        credentials: t.server.ctx.secrets.open(row!.credentials_enc),
        settings: { humanAgentTag: false },
      },
      { externalContactId: psid, providerMessageId: "m_any" },
      adapterContext(t.server.ctx, conn),
    );
    const req = fake.sends(psid).at(-1)!;
    expect(req.body).toEqual({ recipient: { id: psid }, sender_action: "mark_seen" });
    expect(req.authorization).toBe(`Bearer ${token}`);
  });
});

describe("Messenger errors", () => {
  it("maps 10/2018278 to window_closed, 551 to blocked_by_user, 190 to a failed provider_error; too long never leaves", async () => {
    const { owner, say, psid } = await setup();
    await say("hello");
    const conv = await conversationOf(owner);
    // Meta's clock says the window closed; Parley's (the customer wrote just now) does not know yet.
    fake.advance(25 * 3600_000);
    try {
      const late = await reply(owner, conv.id, { text: "sorry for the wait" });
      const m = await waitForState(owner, conv.id, late, "failed");
      expect(m.delivery.failureReason).toBe("window_closed");
      expect(m.delivery.failureDetail).toMatch(/10\/2018278.*outside of allowed window/);
    } finally {
      fake.advance(-25 * 3600_000);
    }

    fake.inject({
      status: 400,
      error: { message: "(#551) This person isn't available right now.", code: 551, error_subcode: 1545041 },
    });
    const blocked = await reply(owner, conv.id, { text: "still there?" });
    expect((await waitForState(owner, conv.id, blocked, "failed")).delivery.failureReason).toBe(
      "blocked_by_user",
    );

    fake.inject({
      status: 400,
      error: { message: "Error validating access token: Session has expired", code: 190 },
    });
    const expired = await reply(owner, conv.id, { text: "token?" });
    const e = await waitForState(owner, conv.id, expired, "failed");
    expect(e.delivery.failureReason).toBe("provider_error");
    expect(e.delivery.failureDetail).toMatch(/190.*reconnect/);

    const before = fake.sends(psid).length;
    // Parley's own rule counts non-space characters; Messenger counts them all.
    const tooLong = await owner.post(`/api/conversations/${conv.id}/messages`, { text: "x ".repeat(1001) });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error.message).toMatch(
      /^Messenger takes at most 2000 characters .*this one has 2002\./,
    );
    expect(fake.sends(psid).length).toBe(before);
    const longest = await reply(owner, conv.id, { text: "x".repeat(2000) });
    await waitForState(owner, conv.id, longest, "sent");
    expect(fake.sends(psid).length).toBe(before + 1);
  });

  it("retries a rate limit (613, HTTP 429 Retry-After) and a 5xx, then sends", async () => {
    const { owner, say, psid, id: connId } = await setup();
    await say("hello");
    const conv = await conversationOf(owner);
    fake.inject(
      {
        status: 429,
        headers: { "retry-after": "1" },
        error: { message: "(#613) Calls to this api have exceeded the rate limit.", code: 613 },
      },
      { status: 500, error: { message: "An unknown error has occurred.", code: 1 } },
    );
    const before = fake.sends(psid).length;
    const id = await reply(owner, conv.id, { text: "eventually" });
    const m = await waitForState(owner, conv.id, id, "sent", 12_000);
    expect(m.providerMessageId).toMatch(/^m_fake/);
    expect(fake.sends(psid).length - before).toBe(3);
    const health = await owner.get(`/api/connections/${connId}`);
    expect(health.body.connection.health.errorCount).toBe(2);
  });

  it("sends with MESSAGE_TAG HUMAN_AGENT after 24 h when the connection has the Human Agent feature", async () => {
    const { owner, say, psid } = await setup({ humanAgentTag: true });
    await say("old question", {}, Date.now() - 2 * DAY);
    const conv = await conversationOf(owner);
    const id = await reply(owner, conv.id, { text: "a human answer" });
    await waitForState(owner, conv.id, id, "sent");
    expect(fake.sends(psid).at(-1)!.body).toMatchObject({
      messaging_type: "MESSAGE_TAG",
      tag: "HUMAN_AGENT",
    });
  });
});
