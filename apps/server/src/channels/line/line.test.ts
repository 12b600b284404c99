import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MovableClock } from "../../lib/time";
import { messageInState } from "../../testing/delivery";
import { eventually } from "../../testing/eventually";
import { type LineFake, signLine, startLineFake } from "../../testing/fakes/line";
import { SAMPLE_JPEG, uploadFile } from "../../testing/files";
import { type Client, newWorkspace, unique } from "../../testing/harness";
import { jobsSettled } from "../../testing/settled";
import { useTestServer } from "../../testing/use-test-server";

let fake: LineFake;
/** The server's clock, which the fake shares: reply tokens age without sleeping. */
const clock = new MovableClock();

beforeAll(async () => {
  fake = await startLineFake({ now: () => clock.now() });
});
afterAll(async () => {
  await fake.close();
});

const t = useTestServer(() => ({
  clock,
  env: { LINE_API_BASE: fake.url, LINE_DATA_API_BASE: fake.dataUrl },
}));

const secret = () => Buffer.from(unique("s")).toString("hex").slice(0, 32).padEnd(32, "a");
const userId = () => `U${unique("u").replace(/[^a-z0-9]/gi, "")}`;

/** A workspace with a LINE connection created through the API (the webhook URL set on the fake). */
async function setup() {
  const { owner } = await newWorkspace(t);
  const token = unique("line-access-token-long-enough");
  const channelSecret = secret();
  fake.addChannel(token, channelSecret);
  const r = await owner.post("/api/connections", {
    type: "line",
    name: unique("line"),
    credentials: { channelSecret, channelAccessToken: token },
  });
  if (r.status !== 201) throw new Error(`connection failed: ${r.status} ${JSON.stringify(r.body)}`);
  const connId: string = r.body.connection.id;
  const push = (events: unknown[], o?: { raw?: string; signature?: string }) => fake.push(token, events, o);
  const say = (user: string, text: string) => push([fake.message(token, user, { type: "text", text })]);
  return { owner, token, channelSecret, connId, push, say, created: r.body };
}

async function conversations(owner: Client) {
  return (await owner.get("/api/conversations")).body.conversations as any[];
}
async function feed(owner: Client, convId: string) {
  return (await owner.get(`/api/conversations/${convId}/messages`)).body.messages as any[];
}
async function withConversation() {
  const s = await setup();
  const user = userId();
  expect((await s.say(user, "hello")).status).toBe(200);
  const [conv] = await conversations(s.owner);
  return { ...s, user, conv };
}
const waitForState = (owner: Client, convId: string, id: string, state: string, hurry = false) =>
  messageInState(owner, convId, id, state, { timeout: 12_000, ...(hurry ? { hurry: t.server } : {}) });
const reply = async (owner: Client, convId: string, text: string) => {
  const r = await owner.post(`/api/conversations/${convId}/messages`, { text });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.message.id as string;
};

describe("LINE connection", () => {
  it("sets the webhook URL with LINE, reveals it, and says LINE reports no receipts and has no window", async () => {
    const { owner, token, connId, created } = await setup();
    const call = fake.requests.filter(
      (r) => r.path === "/v2/bot/channel/webhook/endpoint" && r.token === token,
    );
    expect(call).toHaveLength(1);
    expect(call[0]!.method).toBe("PUT");
    expect(call[0]!.body).toEqual({ endpoint: `${t.url}/api/webhooks/line/${connId}` });
    expect(created.reveal).toEqual({ webhookUrl: `${t.url}/api/webhooks/line/${connId}` });
    const conn = (await owner.get(`/api/connections/${connId}`)).body.connection;
    expect(conn.capabilities).toMatchObject({
      reportsDelivered: false,
      reportsRead: false,
      markSeen: false,
      window: "none",
      textMaxChars: 5000,
    });
    expect(JSON.stringify(conn)).not.toContain(token);
  });

  it("refuses a token LINE rejects with LINE's words, and malformed credentials with each field named", async () => {
    const { owner } = await newWorkspace(t);
    const r = await owner.post("/api/connections", {
      type: "line",
      name: "bad",
      credentials: { channelSecret: secret(), channelAccessToken: "not-a-token-line-knows-at-all" },
    });
    expect(r.status).toBe(422);
    expect(r.body.error.message).toMatch(/Authentication failed.*Check the channel access token/);
    const missing = await owner.post("/api/connections", {
      type: "line",
      name: "bad",
      credentials: { channelSecret: "xyz" },
    });
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toMatch(/32 hexadecimal.*channelAccessToken is required/);
    expect((await owner.get("/api/connections")).body.connections).toHaveLength(0);
  });
});

describe("LINE inbound", () => {
  it("stores a message once however often LINE redelivers it, and names the sender from the profile API", async () => {
    const { owner, token, push } = await setup();
    const user = userId();
    fake.addProfile(user, { displayName: "Sakura 佐藤" });
    const event = fake.message(token, user, { type: "text", text: "こんにちは! Где мой заказ? 🚚" });
    const first = await push([event]);
    expect(first.status).toBe(200);
    expect(first.body.results[0]).toMatchObject({ kind: "message", status: "created" });
    const again = await push([{ ...event, deliveryContext: { isRedelivery: true } }]);
    expect(again.body.results[0]).toMatchObject({ kind: "message", status: "duplicate" });
    const [conv] = await conversations(owner);
    const messages = await feed(owner, conv.id);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({
      direction: "inbound",
      text: "こんにちは! Где мой заказ? 🚚",
      providerMessageId: (event.message as { id: string }).id,
    });
    expect(conv.connection.type).toBe("line");
    await eventually(async () => {
      const [c] = await conversations(owner);
      expect(c.contact.name).toBe("Sakura 佐藤");
      return true;
    });
    const lookups = fake.requests.filter((r) => r.path === `/v2/bot/profile/${user}`);
    expect(lookups[0]!.headers.authorization).toBe(`Bearer ${token}`);
  });

  it("answers LINE's empty verification webhook 200, a bad signature 401, and unreadable bodies 400", async () => {
    const { owner, channelSecret, token, push } = await setup();
    expect((await push([])).status).toBe(200);
    const raw = JSON.stringify({
      destination: "U1",
      events: [fake.message(token, userId(), { type: "text", text: "forged" })],
    });
    expect((await push([], { raw, signature: signLine("0".repeat(32), raw) })).status).toBe(401);
    // Signed over different bytes (re-serialised): refused too.
    expect((await push([], { raw, signature: signLine(channelSecret, `${raw} `) })).status).toBe(401);
    expect((await push([], { raw, signature: "" })).status).toBe(401);
    const notJson = await push([], { raw: "{not json" });
    expect(notJson.status).toBe(400);
    expect(notJson.body.error.message).toMatch(/not valid JSON/);
    const wrongShape = await push([], { raw: JSON.stringify({ events: [{ type: "message" }] }) });
    expect(wrongShape.status).toBe(400);
    expect(wrongShape.body.error.message).toMatch(/event 0 does not match/);
    expect(await conversations(owner)).toHaveLength(0);
  });

  it("downloads images from the content host with the token, fails content LINE answers 404 for at once, and words the rest", async () => {
    const { owner, token, push } = await setup();
    const user = userId();
    const img = fake.message(token, user, { type: "image", contentProvider: { type: "line" } });
    fake.addContent((img.message as { id: string }).id, SAMPLE_JPEG, "image/jpeg");
    const file = fake.message(token, user, { type: "file", fileName: "invoice.pdf", fileSize: 12 });
    fake.addContent((file.message as { id: string }).id, Buffer.from("%PDF-1.4 abc"), "application/pdf");
    const gone = fake.message(token, user, { type: "video", contentProvider: { type: "line" } });
    const sticker = fake.message(token, user, { type: "sticker", packageId: "446", stickerId: "1988" });
    const where = fake.message(token, user, {
      type: "location",
      title: "Shibuya",
      address: "Tokyo",
      latitude: 35.6595,
      longitude: 139.7005,
    });
    const r = await push([img, file, gone, sticker, where]);
    expect(r.status).toBe(200);
    await jobsSettled(t.server);
    const [conv] = await conversations(owner);
    const m = await feed(owner, conv.id);
    expect(m).toHaveLength(5);
    const bytesOf = async (url: string) =>
      Buffer.from(await (await fetch(t.url + url, { headers: { cookie: owner.cookie! } })).arrayBuffer());
    expect(m[0].attachments[0]).toMatchObject({ state: "ready", mimeType: "image/jpeg" });
    expect(await bytesOf(m[0].attachments[0].url)).toEqual(SAMPLE_JPEG);
    expect(m[1].attachments[0]).toMatchObject({ state: "ready", name: "invoice.pdf" });
    // Content LINE answers 404 for has expired or is unavailable: the download ends at once, with the reason.
    expect(m[2].attachments[0]).toMatchObject({ state: "failed", url: "" });
    expect(m[2].attachments[0].error).toMatch(/LINE no longer has this file/);
    const goneId = (gone.message as { id: string }).id;
    const tries = fake.requests.filter((x) => x.path === `/v2/bot/message/${goneId}/content`);
    expect(tries.map((x) => x.status)).toEqual([404]);
    expect(m[3].text).toBe("[Sticker 446/1988]");
    expect(m[4].text).toMatch(/^\[Location\] Shibuya, Tokyo 35\.6595, 139\.7005/);
    const downloads = fake.requests.filter((x) => x.host === "data");
    expect(downloads.every((x) => x.headers.authorization === `Bearer ${token}`)).toBe(true);
    expect(downloads.map((x) => x.path)).toContain(
      `/v2/bot/message/${(img.message as { id: string }).id}/content`,
    );
  });
});

describe("LINE outbound", () => {
  it("replies with the fresh reply token once, then pushes with a retry key; no window after days", async () => {
    const { owner, token, user, conv, say } = await withConversation();
    const first = await reply(owner, conv.id, "Здравствуйте!");
    await waitForState(owner, conv.id, first, "sent");
    const second = await reply(owner, conv.id, "One more thing");
    await waitForState(owner, conv.id, second, "sent");
    const calls = fake.sends(token);
    expect(calls.map((c) => c.path)).toEqual(["/v2/bot/message/reply", "/v2/bot/message/push"]);
    expect(calls[0]!.body).toEqual({
      replyToken: expect.any(String),
      messages: [{ type: "text", text: "Здравствуйте!" }],
    });
    expect(calls[1]!.body).toEqual({ to: user, messages: [{ type: "text", text: "One more thing" }] });
    expect(calls[1]!.headers["x-line-retry-key"]).toBe(second);
    const sent = await feed(owner, conv.id);
    expect(sent.find((m) => m.id === first).providerMessageId).toBe(calls[0]!.answer.sentMessages[0].id);

    // A new message brings a new token, which is no longer fresh a minute later: pushed.
    await say(user, "again");
    clock.advance(70_000);
    const late = await reply(owner, conv.id, "Sorry for the wait");
    await waitForState(owner, conv.id, late, "sent");
    expect(fake.sends(token).at(-1)!.path).toBe("/v2/bot/message/push");
    // LINE has no window: three days later a message still goes.
    clock.advance(3 * 24 * 3600_000);
    const window = (await owner.get(`/api/conversations/${conv.id}`)).body.conversation.window;
    expect(window).toMatchObject({ allowed: true, closesAt: null });
    const later = await reply(owner, conv.id, "Any news?");
    const m = await waitForState(owner, conv.id, later, "sent");
    // Nothing more is reported: the message stays "sent".
    expect(m.delivery).toMatchObject({ state: "sent", readAt: null });
  });

  it("pushes when LINE refuses the reply token, and sends a picture with its text by a signed link", async () => {
    const { owner, token, user, conv } = await withConversation();
    fake.failNext("/v2/bot/message/reply", 400, { message: "Invalid reply token" });
    const receipt = await uploadFile(t.url, owner, conv.id, "r.jpg", SAMPLE_JPEG, "image/jpeg");
    const r = await owner.post(`/api/conversations/${conv.id}/messages`, {
      text: "Your receipt",
      attachments: [receipt],
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    await waitForState(owner, conv.id, r.body.message.id, "sent");
    const calls = fake.sends(token);
    expect(calls.map((c) => [c.path, c.status])).toEqual([
      ["/v2/bot/message/reply", 400],
      ["/v2/bot/message/push", 200],
    ]);
    const link = new RegExp(`^${t.url}/api/files/${receipt.id}\\?expires=\\d+&signature=[\\w-]+$`);
    expect(calls[1]!.body).toEqual({
      to: user,
      messages: [
        { type: "text", text: "Your receipt" },
        {
          type: "image",
          originalContentUrl: expect.stringMatching(link),
          previewImageUrl: expect.stringMatching(link),
        },
      ],
    });
    // A PDF cannot go to LINE: failed with a reason the agent can act on, nothing sent.
    const pdf = await owner.post(`/api/conversations/${conv.id}/messages`, {
      attachments: [
        { name: "c.pdf", mimeType: "application/pdf", size: 10, url: "https://cdn.example.com/c.pdf" },
      ],
    });
    const failed = await waitForState(owner, conv.id, pdf.body.message.id, "failed");
    expect(failed.delivery).toMatchObject({ failureReason: "attachment_rejected" });
    expect(failed.delivery.failureDetail).toMatch(/images \(JPEG or PNG\) only; "c.pdf"/);
    expect(fake.sends(token)).toHaveLength(2);
  });

  it("retries a push whose answer was lost with the same retry key, and LINE's 409 counts as sent once", async () => {
    const { owner, token, conv } = await withConversation();
    clock.advance(70_000); // the reply token is stale: pushes only
    fake.loseNextAnswer("/v2/bot/message/push");
    fake.failNext("/v2/bot/message/push", 429, { message: "Too Many Requests" });
    const id = await reply(owner, conv.id, "exactly once");
    const m = await waitForState(owner, conv.id, id, "sent", true);
    const calls = fake.sends(token).filter((c) => c.body.messages[0].text === "exactly once");
    expect(calls.map((c) => c.status)).toEqual([500, 429, 409]);
    expect(new Set(calls.map((c) => c.headers["x-line-retry-key"]))).toEqual(new Set([id]));
    // The message LINE accepted on the first call is the one recorded.
    expect(calls[0]!.answer.message).toBe("Internal server error");
    expect(m.providerMessageId).toBe(calls[2]!.answer.sentMessages[0].id);
  });

  it("fails with LINE's words when the monthly push quota is used up, and when the text is too long", async () => {
    const { owner, token, conv } = await withConversation();
    clock.advance(70_000);
    fake.setQuota(token, 0);
    const id = await reply(owner, conv.id, "over quota");
    const m = await waitForState(owner, conv.id, id, "failed");
    expect(m.delivery.failureReason).toBe("provider_error");
    expect(m.delivery.failureDetail).toMatch(/429: You have reached your monthly limit\..*quota/);
    fake.setQuota(token, null);
    const before = fake.sends(token).length;
    const long = await owner.post(`/api/conversations/${conv.id}/messages`, { text: "y    ".repeat(1001) });
    expect(long.status, JSON.stringify(long.body)).toBe(400);
    expect(long.body.error.details).toMatchObject({ reason: "too_long", max: 5000, length: 5005 });
    expect(fake.sends(token)).toHaveLength(before);
  });

  it("refuses to write to a customer who blocked the account, until they follow again", async () => {
    const { owner, token, user, conv, push } = await withConversation();
    expect((await push([fake.unfollow(token, user)])).body.results).toEqual([
      { kind: "unsubscribed", status: "updated" },
    ]);
    const refused = await owner.post(`/api/conversations/${conv.id}/messages`, { text: "still there?" });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe("unsubscribed");
    clock.advance(1000);
    await push([fake.follow(token, user)]);
    const id = await reply(owner, conv.id, "welcome back");
    await waitForState(owner, conv.id, id, "sent");
    // The follow event's reply token answered it.
    expect(fake.sends(token).at(-1)!.path).toBe("/v2/bot/message/reply");
  });
});
