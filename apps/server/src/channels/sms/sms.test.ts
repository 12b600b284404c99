import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MovableClock } from "../../lib/time";
import { messageInState } from "../../testing/delivery";
import { type SmsFake, signTwilio, startSmsFake } from "../../testing/fakes/sms";
import { type Client, newWorkspace, unique } from "../../testing/harness";
import { jobsSettled } from "../../testing/settled";
import { useTestServer } from "../../testing/use-test-server";

let fake: SmsFake;
const clock = new MovableClock();

beforeAll(async () => {
  fake = await startSmsFake();
});
afterAll(async () => {
  await fake.close();
});

// The connections name the fake as their base URL: the requests go through the egress guard, which the
// harness lets reach 127.0.0.1.
const t = useTestServer(() => ({ clock }));

let seq = 0;
const phone = () => `+1555${String(Date.now() % 1_000_000).padStart(6, "0")}${String(seq++ % 10)}`;

/** A workspace with an SMS connection created through the API (checked with the fake account). */
async function setup() {
  const { owner } = await newWorkspace(t);
  const number = phone();
  const account = fake.addAccount([number]);
  const r = await owner.post("/api/connections", {
    type: "sms",
    name: unique("sms"),
    credentials: { accountSid: account.sid, authToken: account.token, fromNumber: number, baseUrl: fake.url },
  });
  if (r.status !== 201) throw new Error(`connection failed: ${r.status} ${JSON.stringify(r.body)}`);
  const connId: string = r.body.connection.id;
  fake.setInboundUrl(account, number, r.body.reveal.webhookUrl);
  return { owner, account, number, connId, reveal: r.body.reveal };
}

async function conversations(owner: Client) {
  return (await owner.get("/api/conversations")).body.conversations as any[];
}
async function feed(owner: Client, convId: string) {
  return (await owner.get(`/api/conversations/${convId}/messages`)).body.messages as any[];
}

async function withConversation() {
  const s = await setup();
  const customer = phone();
  const r = await fake.inbound(s.account, { from: customer, to: s.number, body: "hello" });
  expect(r.status).toBe(200);
  const [conv] = await conversations(s.owner);
  return { ...s, customer, conv };
}

const waitForState = (owner: Client, convId: string, messageId: string, state: string, hurry = false) =>
  messageInState(owner, convId, messageId, state, { timeout: 12_000, ...(hurry ? { hurry: t.server } : {}) });

describe("SMS connection", () => {
  it("checks the account and number with the provider and shows the webhook URL once", async () => {
    const { account, connId, reveal } = await setup();
    expect(reveal).toEqual({ webhookUrl: `${t.url}/api/webhooks/sms/${connId}` });
    const checks = fake.requests.filter((r) => r.accountSid === account.sid && r.method === "GET");
    expect(checks.map((c) => c.path)).toEqual([
      `/2010-04-01/Accounts/${account.sid}.json`,
      `/2010-04-01/Accounts/${account.sid}/IncomingPhoneNumbers.json`,
    ]);
    expect(checks.every((c) => c.authorized)).toBe(true);
  });

  it("refuses a wrong token, a number of another account and missing fields with reasons, keeping nothing", async () => {
    const { owner } = await newWorkspace(t);
    const account = fake.addAccount([phone()]);
    const base = { accountSid: account.sid, baseUrl: fake.url };
    const before = (await owner.get("/api/connections")).body.connections.length;
    const bad = await owner.post("/api/connections", {
      type: "sms",
      name: "x",
      credentials: { ...base, authToken: "wrong-token-123", fromNumber: [...account.numbers][0] },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.error.message).toMatch(
      /refused the account SID and auth token.*Authenticate \(error 20003\)/,
    );
    const foreign = await owner.post("/api/connections", {
      type: "sms",
      name: "x",
      credentials: { ...base, authToken: account.token, fromNumber: "+15550000001" },
    });
    expect(foreign.status).toBe(422);
    expect(foreign.body.error.message).toMatch(/\+15550000001 is not a number of this account/);
    const missing = await owner.post("/api/connections", {
      type: "sms",
      name: "x",
      credentials: { ...base, authToken: account.token },
    });
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toMatch(/fromNumber .*or messagingServiceSid/);
    const malformed = await owner.post("/api/connections", {
      type: "sms",
      name: "x",
      credentials: { ...base, authToken: account.token, fromNumber: "555-1234" },
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.message).toMatch(/international format/);
    expect((await owner.get("/api/connections")).body.connections.length).toBe(before);
  });
});

describe("SMS inbound", () => {
  it("stores a message under the sender's number, verifies the signature over URL and parameters, dedupes retries", async () => {
    const { owner, account, number } = await setup();
    const customer = phone();
    const r = await fake.inbound(account, { from: customer, to: number, body: "Привіт, é & ümlaut +1=2" });
    expect(r.status).toBe(200);
    expect(r.body.results).toEqual([expect.objectContaining({ status: "created" })]);
    // The provider's retry of the same MessageSid: stored once.
    const again = await fake.inbound(account, {
      from: customer,
      to: number,
      body: "Привіт, é & ümlaut +1=2",
      sid: r.sid,
    });
    expect(again.status).toBe(200);
    expect(again.body.results).toEqual([expect.objectContaining({ status: "duplicate" })]);
    const [conv] = await conversations(owner);
    const m = await feed(owner, conv.id);
    expect(m.map((x) => x.text)).toEqual(["Привіт, é & ümlaut +1=2"]);
    expect(m[0].providerMessageId).toBe(r.sid);
    const contact = (await owner.get(`/api/contacts/${conv.contact.id}`)).body.contact;
    expect(contact.phone).toBe(customer);
  });

  it("answers 401 to a missing or wrong signature, or one made for another URL, and stores nothing", async () => {
    const { owner, account, number, connId } = await setup();
    const customer = phone();
    const wrong = await fake.inbound(
      account,
      { from: customer, to: number, body: "x" },
      { signature: "AAAA" },
    );
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.message).toMatch(/signature does not match/);
    const url = `${t.url}/api/webhooks/sms/${connId}`;
    const params: [string, string][] = [
      ["MessageSid", "SMforged"],
      ["From", customer],
      ["Body", "x"],
    ];
    // The right token and parameters, but signed for another URL (e.g. another connection's): refused.
    const otherUrl = await fake.inbound(
      account,
      { from: customer, to: number, body: "x" },
      { signUrl: `${url.replace(connId, crypto.randomUUID())}` },
    );
    expect(otherUrl.status).toBe(401);
    const none = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(params).toString(),
    });
    expect(none.status).toBe(401);
    expect(await conversations(owner)).toHaveLength(0);
  });

  it("refuses an unreadable callback with a 400 naming it, and a form body on other routes", async () => {
    const { account, connId } = await setup();
    const url = `${t.url}/api/webhooks/sms/${connId}`;
    const params: [string, string][] = [["Body", "no sid or sender"]];
    const r = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-twilio-signature": signTwilio(account.token, url, params),
      },
      body: new URLSearchParams(params).toString(),
    });
    expect(r.status).toBe(400);
    expect(((await r.json()) as any).error.message).toMatch(
      /SMS inbound message does not match the documented format/,
    );
    const elsewhere = await fetch(`${t.url}/api/auth/sign-in`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "email=a%40b.c&password=x",
    });
    // Elsewhere a form body is refused as before: 415, not parsed.
    expect(elsewhere.status).toBe(415);
    expect(((await elsewhere.json()) as any).error.message).toMatch(/application\/json/);
  });

  it("downloads MMS files with the account's credentials after acknowledging", async () => {
    const { owner, account, number } = await setup();
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 9, 8, 7]);
    const mediaUrl = fake.addMedia(unique("m"), jpeg, "image/jpeg");
    const r = await fake.inbound(account, {
      from: phone(),
      to: number,
      body: "",
      media: [{ url: mediaUrl, type: "image/jpeg" }],
    });
    expect(r.status).toBe(200);
    await jobsSettled(t.server);
    const [conv] = await conversations(owner);
    const [m] = await feed(owner, conv.id);
    expect(m.attachments[0]).toMatchObject({
      mimeType: "image/jpeg",
      size: jpeg.length,
      name: "media-1.jpeg",
    });
    const res = await fetch(t.url + m.attachments[0].url, { headers: { cookie: owner.cookie! } });
    expect(Buffer.from(await res.arrayBuffer())).toEqual(jpeg);
    const download = fake.requests.filter((q) => q.path.startsWith("/media/"));
    expect(download.at(-1)!.authorized).toBe(true);
  });
});

describe("SMS outbound and receipts", () => {
  it("sends with From and StatusCallback, then follows queued → sent → delivered; old and duplicate reports change nothing", async () => {
    const { owner, account, number, customer, conv, connId } = await withConversation();
    const text = "Your order ships today € 5";
    const r = await owner.post(`/api/conversations/${conv.id}/messages`, { text });
    expect(r.status).toBe(201);
    const sent = await waitForState(owner, conv.id, r.body.message.id, "sent");
    const [out] = fake.sentTo(customer);
    expect(out).toMatchObject({
      from: number,
      body: text,
      statusCallback: `${t.url}/api/webhooks/sms/${connId}`,
    });
    expect(sent.providerMessageId).toBe(out!.sid);
    expect((await fake.report(account, out!.sid, "queued")).status).toBe(200);
    expect((await fake.report(account, out!.sid, "delivered")).status).toBe(200);
    await waitForState(owner, conv.id, r.body.message.id, "delivered");
    // A late "sent" and a repeated "delivered" are answered 200 and change nothing.
    expect((await fake.report(account, out!.sid, "sent")).status).toBe(200);
    expect((await fake.report(account, out!.sid, "delivered")).status).toBe(200);
    const [m] = (await feed(owner, conv.id)).filter((x) => x.id === r.body.message.id);
    expect(m.delivery.state).toBe("delivered");
  });

  it("maps undelivered and failed callbacks to reasons an agent can act on", async () => {
    const { owner, account, customer, conv } = await withConversation();
    const send = async (text: string) => {
      const id = (await owner.post(`/api/conversations/${conv.id}/messages`, { text })).body.message.id;
      await waitForState(owner, conv.id, id, "sent");
      return { id, sid: fake.sentTo(customer).find((m) => m.body === text)!.sid };
    };
    const a = await send("one");
    await fake.report(account, a.sid, "undelivered", { errorCode: "30003" });
    const undelivered = await waitForState(owner, conv.id, a.id, "failed");
    expect(undelivered.delivery.failureReason).toBe("provider_error");
    expect(undelivered.delivery.failureDetail).toMatch(
      /could not deliver the SMS \(error 30003\).*switched off/,
    );
    const b = await send("two");
    await fake.report(account, b.sid, "failed", { errorCode: "30007" });
    const filtered = await waitForState(owner, conv.id, b.id, "failed");
    expect(filtered.delivery.failureReason).toBe("not_permitted");
    expect(filtered.delivery.failureDetail).toMatch(/filtered the message as spam/);
  });

  it("refuses an invalid number and a text over 1,600 characters with reasons; retries 429 and 500", async () => {
    const { owner, customer, conv } = await withConversation();
    fake.failNextSend(400, 21211, "The 'To' number +1 is not a valid phone number.");
    const id = (await owner.post(`/api/conversations/${conv.id}/messages`, { text: "x" })).body.message.id;
    const invalid = await waitForState(owner, conv.id, id, "failed");
    expect(invalid.delivery.failureDetail).toMatch(/not a valid phone number: check the contact's number/);
    const long = await owner.post(`/api/conversations/${conv.id}/messages`, { text: "ab ".repeat(600) });
    expect(long.status).toBe(400);
    expect(long.body.error.details).toMatchObject({ reason: "too_long", max: 1600 });

    fake.failNextSend(429, 20429, "Too Many Requests", { "retry-after": "1" });
    fake.failNextSend(500);
    const before = fake.requests.filter((q) => q.form.get("Body") === "patience").length;
    const p = (await owner.post(`/api/conversations/${conv.id}/messages`, { text: "patience" })).body.message
      .id;
    const m = await waitForState(owner, conv.id, p, "sent", true);
    const calls = fake.requests.filter((q) => q.form.get("Body") === "patience");
    expect(calls.length - before).toBe(3);
    expect(m.providerMessageId).toBe(fake.sentTo(customer).find((x) => x.body === "patience")!.sid);
  });
});

describe("SMS opt-out (STOP / START)", () => {
  it("records STOP, refuses to send with the reason and keeps what was received; START allows again", async () => {
    const { owner, account, number, customer, conv } = await withConversation();
    const stop = await fake.inbound(account, { from: customer, to: number, body: "Stop" });
    expect(stop.body.results).toEqual([
      expect.objectContaining({ status: "created" }),
      { kind: "unsubscribed", status: "updated" },
    ]);
    const closed = (await owner.get(`/api/conversations/${conv.id}`)).body.conversation;
    expect(closed.window).toMatchObject({ allowed: false, only: "nothing", cause: "unsubscribed" });
    expect(closed.window.reason).toMatch(/opted out of SMS .*replied STOP.*reply START/);
    const sendsBefore = fake.requests.filter((q) => q.path.endsWith("/Messages.json")).length;
    const refused = await owner.post(`/api/conversations/${conv.id}/messages`, { text: "are you there?" });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe("unsubscribed");
    expect(refused.body.error.message).toMatch(/reply START/);
    expect(fake.requests.filter((q) => q.path.endsWith("/Messages.json")).length).toBe(sendsBefore);
    // Everything received so far is kept, the STOP itself included.
    expect((await feed(owner, conv.id)).map((m) => m.text)).toEqual(["hello", "Stop"]);
    // An ordinary message does not opt them back in (only START-like words do).
    clock.advance(1000);
    await fake.inbound(account, { from: customer, to: number, body: "what about my order?" });
    expect((await owner.get(`/api/conversations/${conv.id}`)).body.conversation.window.allowed).toBe(false);

    clock.advance(1000);
    const start = await fake.inbound(account, { from: customer, to: number, body: "START" });
    expect(start.status).toBe(200);
    const open = (await owner.get(`/api/conversations/${conv.id}`)).body.conversation;
    expect(open.window).toMatchObject({ allowed: true, cause: null });
    const id = (await owner.post(`/api/conversations/${conv.id}/messages`, { text: "welcome back" })).body
      .message.id;
    await waitForState(owner, conv.id, id, "sent");
  });

  it("a send the provider refuses because the recipient opted out fails with reason unsubscribed", async () => {
    const { owner, conv } = await withConversation();
    fake.failNextSend(400, 21610, "Attempt to send to unsubscribed recipient");
    const id = (await owner.post(`/api/conversations/${conv.id}/messages`, { text: "hi" })).body.message.id;
    const m = await waitForState(owner, conv.id, id, "failed");
    expect(m.delivery.failureReason).toBe("unsubscribed");
    expect(m.delivery.failureDetail).toMatch(/replied STOP.*reply START.*error 21610/);
  });
});
