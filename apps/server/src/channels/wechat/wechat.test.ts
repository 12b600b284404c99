import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MovableClock } from "../../lib/time";
import { messageInState } from "../../testing/delivery";
import { startWechatFake, type WechatFake, wechatXml } from "../../testing/fakes/wechat";
import { SAMPLE_JPEG, uploadFile } from "../../testing/files";
import { type Client, newWorkspace, unique } from "../../testing/harness";
import { jobsSettled } from "../../testing/settled";
import { useTestServer } from "../../testing/use-test-server";
import { adapterContext } from "../context";
import { accessToken } from "./client";

let fake: WechatFake;
const clock = new MovableClock();
const HOUR = 3600_000;

beforeAll(async () => {
  fake = await startWechatFake({ now: () => clock.now() });
});
afterAll(async () => {
  await fake.close();
});

const t = useTestServer(() => ({ clock, env: { WECHAT_API_BASE: fake.url } }));

let n = 0;
const alnum = (len: number) =>
  `${Date.now().toString(36)}${++n}${"x".repeat(len)}`.replace(/[^0-9a-z]/gi, "").slice(0, len);
const AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";

/** A workspace with a WeChat connection created through the API (an access token fetched from the fake). */
async function setup(o: { aes?: boolean; settings?: Record<string, unknown>; fakeLimit?: number } = {}) {
  const { owner } = await newWorkspace(t);
  const appId = `wx${alnum(16)}`;
  const secret = alnum(32);
  const token = alnum(20);
  fake.addApp({
    appId,
    secret,
    token,
    ...(o.aes ? { aesKey: AES_KEY } : {}),
    ...(o.fakeLimit ? { limit: o.fakeLimit } : {}),
  });
  const r = await owner.post("/api/connections", {
    type: "wechat",
    name: unique("wechat"),
    credentials: { appId, appSecret: secret, token, ...(o.aes ? { encodingAesKey: AES_KEY } : {}) },
    ...(o.settings ? { settings: o.settings } : {}),
  });
  if (r.status !== 201) throw new Error(`connection failed: ${r.status} ${JSON.stringify(r.body)}`);
  const connId: string = r.body.connection.id;
  const url = `${t.url}/api/webhooks/wechat/${connId}`;
  const push = (fields: Record<string, string | number>, opts?: Parameters<WechatFake["push"]>[3]) =>
    fake.push(url, appId, fields, { ...(o.aes ? { encrypt: true } : {}), ...opts });
  const say = (openId: string, text: string, msgId = fake.nextMsgId()) =>
    push({ FromUserName: openId, MsgType: "text", Content: text, MsgId: msgId });
  return { owner, appId, token, connId, url, push, say, created: r.body };
}
const openId = () => `o${alnum(27)}`;
async function conversations(owner: Client) {
  return (await owner.get("/api/conversations")).body.conversations as any[];
}
async function feed(owner: Client, convId: string) {
  return (await owner.get(`/api/conversations/${convId}/messages`)).body.messages as any[];
}
async function withConversation(o: Parameters<typeof setup>[0] = {}) {
  const s = await setup(o);
  const user = openId();
  expect((await s.say(user, "你好")).status).toBe(200);
  const [conv] = await conversations(s.owner);
  return { ...s, user, conv };
}
const waitForState = (owner: Client, convId: string, id: string, state: string, hurry = false) =>
  messageInState(owner, convId, id, state, { timeout: 12_000, ...(hurry ? { hurry: t.server } : {}) });
const post = (owner: Client, convId: string, text: string) =>
  owner.post(`/api/conversations/${convId}/messages`, { text });

describe("WeChat connection", () => {
  it("checks the AppID and secret for a token, reveals the URL, and answers WeChat's echostr handshake", async () => {
    const { owner, appId, url, connId, created } = await setup();
    expect(fake.tokenRequests(appId)).toHaveLength(1);
    expect(fake.tokenRequests(appId)[0]!.query).toMatchObject({
      grant_type: "client_credential",
      appid: appId,
    });
    expect(created.reveal).toEqual({ webhookUrl: url });
    const ok = await fake.verifyUrl(url, appId);
    expect(ok.status).toBe(200);
    expect(ok.body).toBe(ok.echostr);
    const forged = await fake.verifyUrl(url, appId, { token: "anotherToken1" });
    expect(forged.status).toBe(403);
    const conn = (await owner.get(`/api/connections/${connId}`)).body.connection;
    expect(conn.capabilities).toMatchObject({
      reportsDelivered: false,
      reportsRead: false,
      window: "wechat",
    });
    expect(JSON.stringify(conn)).not.toContain(fake.tokenRequests(appId)[0]!.answer.access_token);

    const bad = await owner.post("/api/connections", {
      type: "wechat",
      name: "bad",
      credentials: { appId, appSecret: alnum(32), token: "abc123" },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.error.message).toMatch(/errcode 40125.*Check the AppID and AppSecret/);
    const malformed = await owner.post("/api/connections", {
      type: "wechat",
      name: "bad",
      credentials: { appId: "app", token: "a b" },
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.message).toMatch(/wx followed by 16.*appSecret is required.*3 to 32/);
  });
});

describe("WeChat inbound", () => {
  it("stores a text once however often WeChat retries it, and answers success", async () => {
    const { owner, say } = await setup();
    const user = openId();
    const id = "24512345678901234567";
    const first = await say(user, "你好！Где мой заказ? 🚚", id);
    expect(first).toMatchObject({ status: 200, text: "success" });
    const again = await say(user, "你好！Где мой заказ? 🚚", id);
    expect(again).toMatchObject({ status: 200, text: "success" });
    const [conv] = await conversations(owner);
    const m = await feed(owner, conv.id);
    expect(m).toHaveLength(1);
    expect(m[0]).toMatchObject({
      direction: "inbound",
      text: "你好！Где мой заказ? 🚚",
      providerMessageId: id,
    });
    expect(conv.connection.type).toBe("wechat");
  });

  it("answers 401 to a bad or missing signature and 400 to malformed XML, storing nothing", async () => {
    const { owner, push } = await setup();
    const fields = { FromUserName: openId(), MsgType: "text", Content: "forged", MsgId: fake.nextMsgId() };
    expect((await push(fields, { query: { signature: "0".repeat(40) } })).status).toBe(401);
    expect((await push(fields, { query: { timestamp: "", nonce: "" } })).status).toBe(401);
    const broken = await push(fields, { raw: "<xml><MsgType>text</MsgType" });
    expect(broken.status).toBe(400);
    expect(broken.json.error.message).toMatch(/not the well-formed <xml>/);
    const noId = await push(fields, {
      raw: wechatXml({ ToUserName: "gh", FromUserName: "o1", CreateTime: 1, MsgType: "text" }),
    });
    expect(noId.status).toBe(400);
    expect(noId.json.error.message).toMatch(/has no MsgId/);
    expect(await conversations(owner)).toHaveLength(0);
  });

  it("decrypts safe-mode messages and refuses a wrong msg_signature", async () => {
    const { owner, push, say } = await setup({ aes: true });
    const user = openId();
    expect((await say(user, "加密的消息")).status).toBe(200);
    const forged = await push(
      { FromUserName: user, MsgType: "text", Content: "x", MsgId: fake.nextMsgId() },
      { query: { msg_signature: "f".repeat(40) } },
    );
    expect(forged.status).toBe(401);
    const [conv] = await conversations(owner);
    expect((await feed(owner, conv.id)).map((m) => m.text)).toEqual(["加密的消息"]);
  });

  it("downloads an image by its media id with the access token, and words other types", async () => {
    const { owner, push, appId } = await setup();
    const user = openId();
    const mediaId = fake.addMedia(SAMPLE_JPEG, "image/jpeg");
    await push({
      FromUserName: user,
      MsgType: "image",
      PicUrl: "http://mmbiz.example/x",
      MediaId: mediaId,
      MsgId: fake.nextMsgId(),
    });
    await push({
      FromUserName: user,
      MsgType: "location",
      Location_X: "39.9",
      Location_Y: "116.3",
      Scale: "15",
      Label: "北京",
      MsgId: fake.nextMsgId(),
    });
    await push({ FromUserName: user, MsgType: "event", Event: "CLICK", EventKey: "menu" });
    await jobsSettled(t.server);
    const [conv] = await conversations(owner);
    const m = await feed(owner, conv.id);
    expect(m).toHaveLength(2);
    expect(m[0].attachments[0]).toMatchObject({ state: "ready", mimeType: "image/jpeg" });
    const res = await fetch(t.url + m[0].attachments[0].url, { headers: { cookie: owner.cookie! } });
    expect(Buffer.from(await res.arrayBuffer())).toEqual(SAMPLE_JPEG);
    const get = fake.requests.find((r) => r.path === "/cgi-bin/media/get" && r.query.media_id === mediaId)!;
    expect(get.query.access_token).toBe(fake.tokenRequests(appId).at(-1)!.answer.access_token);
    expect(m[1].text).toMatch(/^\[Location\] 北京 39\.9, 116\.3/);
  });

  it("fails a download whose media/get answers 200 with an error body (JSON or plain text), once, with WeChat's words", async () => {
    const { owner, push } = await setup();
    const user = openId();
    const expired = ["expired-json", "expired-text"].map((k) => `${k}-${alnum(12)}`);
    for (const [i, mediaId] of expired.entries()) {
      fake.setMediaErrorType(i === 0 ? "application/json" : "text/plain");
      await push({ FromUserName: user, MsgType: "image", MediaId: mediaId, MsgId: fake.nextMsgId() });
      await jobsSettled(t.server);
    }
    fake.setMediaErrorType("application/json");
    const [conv] = await conversations(owner);
    const m = await feed(owner, conv.id);
    expect(m).toHaveLength(2);
    for (const [i, mediaId] of expired.entries()) {
      // Not stored as a file named like an image: failed, with the reason, and not asked again.
      expect(m[i].attachments[0]).toMatchObject({ state: "failed", url: "" });
      expect(m[i].attachments[0].error).toMatch(/errcode 40007: invalid media_id/);
      expect(fake.requests.filter((r) => r.query.media_id === mediaId)).toHaveLength(1);
    }
  });
});

describe("WeChat outbound", () => {
  it("sends text and an uploaded image through the customer-service API", async () => {
    const { owner, appId, user, conv } = await withConversation();
    const id = (await post(owner, conv.id, "您好，请稍等")).body.message.id;
    await waitForState(owner, conv.id, id, "sent");
    const receipt = await uploadFile(t.url, owner, conv.id, "r.jpg", SAMPLE_JPEG, "image/jpeg");
    const pic = await owner.post(`/api/conversations/${conv.id}/messages`, { attachments: [receipt] });
    await waitForState(owner, conv.id, pic.body.message.id, "sent");
    const sends = fake.sends(appId);
    expect(sends[0]!.body).toEqual({ touser: user, msgtype: "text", text: { content: "您好，请稍等" } });
    expect(sends[1]!.body).toMatchObject({
      touser: user,
      msgtype: "image",
      image: { media_id: expect.any(String) },
    });
    expect(fake.media.get(sends[1]!.body.image.media_id)!.bytes).toEqual(SAMPLE_JPEG);
    // Nothing more is reported: the messages stay "sent".
    expect((await feed(owner, conv.id)).find((m) => m.id === id).delivery.readAt).toBeNull();
  });

  it("allows the set number of messages per customer message, resets when they write, and closes after 48 hours", async () => {
    const { owner, appId, user, conv, say } = await withConversation({ settings: { wechatMaxMessages: 3 } });
    for (const text of ["one", "two", "three"]) {
      const r = await post(owner, conv.id, text);
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      // The last allowed message is sent too (the send job does not count the message itself).
      await waitForState(owner, conv.id, r.body.message.id, "sent");
    }
    const window = (await owner.get(`/api/conversations/${conv.id}`)).body.conversation.window;
    expect(window).toMatchObject({ allowed: false, only: "nothing" });
    const fourth = await post(owner, conv.id, "four");
    expect(fourth.status).toBe(422);
    expect(fourth.body.error).toMatchObject({ code: "window_closed" });
    expect(fourth.body.error.message).toMatch(/WeChat allows 3 messages per customer message/);
    expect(fake.sends(appId)).toHaveLength(3);

    // WeChat's CreateTime has whole seconds: the customer writes a little later than the replies.
    clock.advance(2000);
    await say(user, "还在吗？");
    const open = (await owner.get(`/api/conversations/${conv.id}`)).body.conversation.window;
    expect(open).toMatchObject({ allowed: true, remaining: 3 });
    clock.advance(49 * HOUR);
    const late = await post(owner, conv.id, "too late");
    expect(late.status).toBe(422);
    expect(late.body.error.message).toMatch(/48-hour window/);
    expect(fake.sends(appId)).toHaveLength(3);
  });

  it("fails with an actionable reason when WeChat's own limit (45047) is lower than the setting", async () => {
    const { owner, conv } = await withConversation({ fakeLimit: 1 });
    const first = (await post(owner, conv.id, "ok")).body.message.id;
    await waitForState(owner, conv.id, first, "sent");
    const second = (await post(owner, conv.id, "over")).body.message.id;
    const m = await waitForState(owner, conv.id, second, "failed");
    expect(m.delivery.failureReason).toBe("window_closed");
    expect(m.delivery.failureDetail).toMatch(
      /errcode 45047.*lower the connection's "messages per customer message"/,
    );
  });

  it("shares one token, refreshes it before expiry, and gets a new one once when WeChat revokes it", async () => {
    const { owner, appId, connId, conv } = await withConversation();
    const tokens = () => fake.tokenRequests(appId).length;
    expect(tokens()).toBe(1);
    const a = (await post(owner, conv.id, "a")).body.message.id;
    await waitForState(owner, conv.id, a, "sent");
    expect(tokens()).toBe(1);
    // Revoked at WeChat (40001): one new token, the send retried with it.
    fake.revokeTokens(appId);
    const b = (await post(owner, conv.id, "b")).body.message.id;
    await waitForState(owner, conv.id, b, "sent");
    expect(tokens()).toBe(2);
    const sends = fake.sends(appId).slice(-1);
    expect(sends[0]!.body.text.content).toBe("b");
    expect(
      fake.requests.filter((r) => r.path === "/cgi-bin/message/custom/send" && r.answer?.errcode === 40001),
    ).toHaveLength(1);
    // Within five minutes of its expiry, many callers at once: one refresh, one token.
    clock.advance(2 * HOUR - 4 * 60_000);
    const conn = { id: connId, workspaceId: conv.workspaceId ?? "", type: "wechat" };
    const ctx = adapterContext(t.server.ctx, conn);
    const stored = (
      await t.server.ctx.db.query<{ credentials_enc: string }>(
        "select credentials_enc from channel_connections where id = $1",
        [connId],
      )
    )[0]!;
    const credentials = t.server.ctx.secrets.open<{ appId: string; appSecret: string }>(
      stored.credentials_enc,
    );
    const got = await Promise.all(
      Array.from({ length: 5 }, () => accessToken(ctx, { id: connId, credentials })),
    );
    expect(new Set(got).size).toBe(1);
    expect(tokens()).toBe(3);
    expect(got[0]).toBe(fake.tokenRequests(appId).at(-1)!.answer.access_token);
  });

  it("retries when WeChat is busy (-1), then sends", async () => {
    const { owner, appId, conv } = await withConversation();
    fake.failNext("/cgi-bin/message/custom/send", -1, "system error");
    const id = (await post(owner, conv.id, "patience")).body.message.id;
    await waitForState(owner, conv.id, id, "sent", true);
    expect(
      fake.requests.filter((r) => r.path === "/cgi-bin/message/custom/send" && r.answer?.errcode === -1),
    ).toHaveLength(1);
    expect(fake.sends(appId).at(-1)!.body.text.content).toBe("patience");
  });
});
