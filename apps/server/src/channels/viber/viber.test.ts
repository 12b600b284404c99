import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { messageInState } from "../../testing/delivery";
import { eventually } from "../../testing/eventually";
import { signViber, startViberFake, type ViberFake, viberStringify } from "../../testing/fakes/viber";
import { SAMPLE_JPEG, uploadFile } from "../../testing/files";
import { type Client, newWorkspace, unique } from "../../testing/harness";
import { jobsSettled } from "../../testing/settled";
import { useTestServer } from "../../testing/use-test-server";

let fake: ViberFake;

beforeAll(async () => {
  fake = await startViberFake();
});
afterAll(async () => {
  await fake.close();
});

const t = useTestServer(() => ({ env: { VIBER_API_BASE: fake.url } }));

/** A workspace with a Viber connection created through the API (set_webhook on the fake). */
async function setup() {
  const { owner } = await newWorkspace(t);
  const token = unique("viber-token");
  fake.addBot(token);
  const r = await owner.post("/api/connections", {
    type: "viber",
    name: unique("viber"),
    credentials: { authToken: token, senderName: "Support" },
  });
  if (r.status !== 201) throw new Error(`connection failed: ${r.status} ${JSON.stringify(r.body)}`);
  const connId: string = r.body.connection.id;
  const push = (event: Record<string, unknown>, opts?: { raw?: string; signature?: string }) =>
    fake.push(token, event, opts);
  return { owner, token, connId, push, created: r.body };
}

const userMessage = (userId: string, message: Record<string, unknown>, token: bigint = fake.nextToken()) => ({
  event: "message",
  timestamp: Date.now(),
  message_token: token,
  sender: {
    id: userId,
    name: "Анна Müller",
    avatar: "https://example.com/a.jpg",
    language: "en",
    api_version: 10,
  },
  message,
  silent: false,
});

async function conversations(owner: Client) {
  return (await owner.get("/api/conversations")).body.conversations as any[];
}
async function feed(owner: Client, convId: string) {
  return (await owner.get(`/api/conversations/${convId}/messages`)).body.messages as any[];
}

/** A conversation with one customer message, ready for replies. */
async function withConversation() {
  const s = await setup();
  const user = `${unique("u")}=`;
  const r = await s.push(userMessage(user, { type: "text", text: "hello" }));
  expect(r.status).toBe(200);
  const [conv] = await conversations(s.owner);
  return { ...s, user, conv };
}

const waitForState = (owner: Client, convId: string, messageId: string, state: string, hurry = false) =>
  messageInState(owner, convId, messageId, state, { timeout: 12_000, ...(hurry ? { hurry: t.server } : {}) });

describe("Viber connection", () => {
  it("registers the webhook with set_webhook; Viber's probe gets 200 and stores nothing", async () => {
    const { owner, token, connId, created } = await setup();
    const call = fake.requests.filter((r) => r.method === "set_webhook" && r.authToken === token);
    expect(call).toHaveLength(1);
    expect(call[0]!.path).toBe("/pa/set_webhook");
    expect(call[0]!.headers["x-viber-auth-token"]).toBe(token);
    expect(call[0]!.body).toEqual({
      url: `${t.url}/api/webhooks/viber/${connId}`,
      event_types: ["delivered", "seen", "failed", "subscribed", "unsubscribed", "conversation_started"],
      send_name: true,
      send_photo: true,
    });
    // The probe (signed, with a 64-bit token) was answered 200 with no events.
    const probe = fake.probes.at(-1)!;
    expect(probe.status).toBe(200);
    expect(JSON.parse(probe.body)).toEqual({ ok: true, results: [] });
    expect(await conversations(owner)).toHaveLength(0);
    const conn = (await owner.get(`/api/connections/${connId}`)).body.connection;
    expect(created.reveal).toEqual({ webhookUrl: `${t.url}/api/webhooks/viber/${connId}` });
    expect(conn.type).toBe("viber");
    expect(conn.capabilities).toMatchObject({
      reportsDelivered: true,
      reportsRead: true,
      markSeen: false,
      window: "viber",
      textMaxChars: 7000,
    });
    expect(JSON.stringify(conn)).not.toContain(token);
  });

  it("refuses a token Viber rejects with Viber's words, and keeps no connection", async () => {
    const { owner } = await newWorkspace(t);
    const r = await owner.post("/api/connections", {
      type: "viber",
      name: "bad",
      credentials: { authToken: "not-a-known-token-123", senderName: "Support" },
    });
    expect(r.status).toBe(422);
    expect(r.body.error.message).toMatch(/invalidAuthToken \(status 2\)/);
    expect((await owner.get("/api/connections")).body.connections).toHaveLength(0);

    const missing = await owner.post("/api/connections", {
      type: "viber",
      name: "bad",
      credentials: { senderName: "A name far longer than Viber's twenty-eight" },
    });
    expect(missing.status).toBe(400);
    expect(missing.body.error.code).toBe("validation_failed");
    expect(missing.body.error.message).toMatch(/authToken is required.*28 characters/);
  });
});

describe("Viber inbound", () => {
  it("keeps a 64-bit message_token exact, verifies the signature over non-ASCII bytes, and dedupes retries", async () => {
    const { owner, push } = await setup();
    const token = 4912661846655238145n;
    // A double cannot hold it: a JSON.parse number would end in ...8000.
    expect(String(Number(token))).not.toBe("4912661846655238145");
    const event = userMessage("01234567890A=", { type: "text", text: "Привет! Где мой заказ? 🚚" }, token);
    const raw = viberStringify(event);
    expect(raw).toContain('"message_token":4912661846655238145,');
    const first = await push(event, { raw });
    expect(first.status).toBe(200);
    expect(first.body.results[0]).toMatchObject({ kind: "message", status: "created" });
    const again = await push(event, { raw });
    expect(again.status).toBe(200);
    expect(again.body.results[0]).toMatchObject({ kind: "message", status: "duplicate" });

    const convs = await conversations(owner);
    expect(convs).toHaveLength(1);
    const messages = await feed(owner, convs[0].id);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({
      direction: "inbound",
      text: "Привет! Где мой заказ? 🚚",
      providerMessageId: "4912661846655238145",
    });
    expect(convs[0].contact.name).toBe("Анна Müller");
    expect(convs[0].connection.type).toBe("viber");
    // The account's language stays with the conversation (automation rules' language condition).
    const [row] = await t.db.query<{ source: Record<string, string> }>(
      "select source from conversations where id = $1",
      [convs[0].id],
    );
    expect(row!.source).toEqual({ language: "en" });
  });

  it("answers 401 to a bad signature and stores nothing", async () => {
    const { owner, token, push } = await setup();
    const event = userMessage(`${unique("u")}=`, { type: "text", text: "forged" });
    const raw = viberStringify(event);
    const wrongKey = await push(event, { raw, signature: signViber("another-token", raw) });
    expect(wrongKey.status).toBe(401);
    // Signed over a re-serialised body (different bytes): refused too.
    const reserialised = await push(event, { raw, signature: signViber(token, `${raw} `) });
    expect(reserialised.status).toBe(401);
    const none = await push(event, { raw, signature: "" });
    expect(none.status).toBe(401);
    expect(await conversations(owner)).toHaveLength(0);
  });

  it("downloads pictures, files and videos, keeps a message whose link expired, and words the rest", async () => {
    const { owner, push } = await setup();
    const user = `${unique("u")}=`;
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 5]);
    const pdf = Buffer.from("%PDF-1.4 fake invoice");
    const mp4 = Buffer.from("....ftypmp42 fake video");
    const pictureUrl = fake.addMedia(unique("p"), jpeg, "image/jpeg");
    const fileUrl = fake.addMedia(unique("f"), pdf, "application/pdf");
    const videoUrl = fake.addMedia(unique("v"), mp4, "video/mp4");
    const expiredUrl = fake.addMedia(unique("x"), jpeg, "image/jpeg", { expired: true });
    const send = async (message: Record<string, unknown>) => {
      const r = await push(userMessage(user, message));
      expect(r.status).toBe(200);
      expect(r.body.results[0].status).toBe("created");
    };
    await send({ type: "picture", text: "see this", media: pictureUrl, thumbnail: pictureUrl, size: 9 });
    await send({ type: "file", media: fileUrl, file_name: "invoice.pdf", size: pdf.length });
    await send({ type: "video", media: videoUrl, size: mp4.length, duration: 3 });
    await send({ type: "picture", text: "", media: expiredUrl, file_name: "old.jpg" });
    await send({ type: "sticker", sticker_id: 46105, media: pictureUrl });
    await send({ type: "location", location: { lat: 50.76891, lon: 6.11499 } });
    await send({ type: "contact", contact: { name: "Itamar", phone_number: "+972511123123" } });
    await send({ type: "rich_media", rich_media: {} });
    // Files are downloaded by background jobs after the webhooks were acknowledged.
    await jobsSettled(t.server);

    const [conv] = await conversations(owner);
    const m = await feed(owner, conv.id);
    expect(m).toHaveLength(8);
    const bytesOf = async (url: string) => {
      const res = await fetch(t.url + url, { headers: { cookie: owner.cookie! } });
      expect(res.status).toBe(200);
      return Buffer.from(await res.arrayBuffer());
    };
    expect(m[0].text).toBe("see this");
    expect(m[0].attachments[0]).toMatchObject({ mimeType: "image/jpeg", size: jpeg.length });
    expect(await bytesOf(m[0].attachments[0].url)).toEqual(jpeg);
    expect(m[1].attachments[0]).toMatchObject({ name: "invoice.pdf", mimeType: "application/pdf" });
    expect(await bytesOf(m[1].attachments[0].url)).toEqual(pdf);
    expect(m[2].attachments[0].mimeType).toBe("video/mp4");
    expect(await bytesOf(m[2].attachments[0].url)).toEqual(mp4);
    // Expired link: the message is kept, its attachment says why the file is missing.
    expect(m[3].attachments[0]).toMatchObject({ name: "old.jpg", url: "" });
    expect(m[3].attachments[0].error).toMatch(/403/);
    expect(m[4].text).toBe("[Sticker 46105]");
    expect(m[5].text).toMatch(/^\[Location\] 50\.76891, 6\.11499 https:\/\/maps\.google\.com/);
    expect(m[6].text).toBe("[Contact] Itamar, +972511123123");
    expect(m[7].text).toBe("[Unsupported Viber message type: rich_media]");
  });

  it("answers subscription, conversation_started and unknown events 200, storing the user but no conversation", async () => {
    const { owner, push } = await setup();
    const user = { id: `${unique("u")}=`, name: "Neo", language: "en", country: "UK", api_version: 10 };
    for (const event of [
      {
        event: "conversation_started",
        message_token: fake.nextToken(),
        type: "open",
        user,
        subscribed: false,
      },
      { event: "subscribed", user },
      { event: "unsubscribed", user_id: user.id },
      { event: "client_status", user_id: user.id },
    ]) {
      const r = await push(event);
      expect(r.status, event.event).toBe(200);
      expect(r.body.ok, event.event).toBe(true);
    }
    expect(await conversations(owner)).toHaveLength(0);
    const contacts = (await owner.get("/api/contacts?q=neo")).body.contacts as any[];
    expect(contacts.map((c) => c.name)).toEqual(["Neo"]);
  });
});

describe("Viber outbound", () => {
  it("sends a reply and matches later delivered/seen reports by the exact 64-bit token", async () => {
    const { owner, token, user, conv, push } = await withConversation();
    const ids: string[] = [];
    for (const text of ["Здравствуйте! Сейчас проверю.", "Second"]) {
      const r = await owner.post(`/api/conversations/${conv.id}/messages`, { text });
      expect(r.status).toBe(201);
      ids.push(r.body.message.id);
      await waitForState(owner, conv.id, r.body.message.id, "sent");
    }
    const calls = fake.sent(token);
    expect(calls).toHaveLength(2);
    expect(calls[0]!.path).toBe("/pa/send_message");
    expect(calls[0]!.authToken).toBe(token);
    expect(calls[0]!.body).toEqual({
      receiver: user,
      min_api_version: 1,
      sender: { name: "Support" },
      tracking_data: conv.id,
      type: "text",
      text: "Здравствуйте! Сейчас проверю.",
    });
    // Viber answered bare 64-bit integers; Parley kept them digit for digit.
    const tokens = calls.map((c) => /"message_token":(\d+)/.exec(c.answer!)![1]!);
    expect(BigInt(tokens[1]!) - BigInt(tokens[0]!)).toBe(1n);
    expect(Number(tokens[0])).toBe(Number(tokens[1])); // the same double: only exact strings tell them apart
    const sent = await feed(owner, conv.id);
    const [first, second] = ids.map((id) => sent.find((m) => m.id === id)!);
    expect(first.providerMessageId).toBe(tokens[0]);
    expect(second.providerMessageId).toBe(tokens[1]);

    // Reports for the second message, out of order and duplicated, move only that message, forwards only.
    const at = Date.now();
    const report = (event: string, tok: string, ts: number) =>
      push({ event, timestamp: ts, message_token: BigInt(tok), user_id: user });
    const seen = await report("seen", tokens[1]!, at + 2000);
    expect(seen.status).toBe(200);
    expect(seen.body.results[0]).toMatchObject({ kind: "status", status: "updated", messageId: ids[1] });
    const late = await report("delivered", tokens[1]!, at + 1000);
    expect(late.body.results[0].status).toBe("unchanged");
    const dup = await report("seen", tokens[1]!, at + 3000);
    expect(dup.body.results[0].status).toBe("unchanged");
    const m2 = await waitForState(owner, conv.id, ids[1]!, "read");
    expect(m2.delivery.readAt).toBe(new Date(at + 2000).toISOString());
    expect((await feed(owner, conv.id)).find((m) => m.id === ids[0]).delivery.state).toBe("sent");

    const d1 = await report("delivered", tokens[0]!, at + 500);
    expect(d1.body.results[0]).toMatchObject({ status: "updated", messageId: ids[0] });
    await waitForState(owner, conv.id, ids[0]!, "delivered");
    const unknown = await report("delivered", "9223372036854775807", at);
    expect(unknown.body.results[0].status).toBe("unknown_message");
  });

  it("reports a failed callback with Viber's description", async () => {
    const { owner, user, conv, push } = await withConversation();
    const id = (await owner.post(`/api/conversations/${conv.id}/messages`, { text: "x" })).body.message.id;
    const m = await waitForState(owner, conv.id, id, "sent");
    await push({
      event: "failed",
      message_token: BigInt(m.providerMessageId),
      user_id: user,
      desc: "Receiver is inactive",
    });
    const failed = await waitForState(owner, conv.id, id, "failed");
    expect(failed.delivery).toMatchObject({ failureReason: "provider_error" });
    expect(failed.delivery.failureDetail).toMatch(/Receiver is inactive/);
  });

  it("sends a picture with its caption and a file by absolute URL", async () => {
    const { owner, token, user, conv } = await withConversation();
    const receipt = await uploadFile(t.url, owner, conv.id, "r.jpg", SAMPLE_JPEG, "image/jpeg");
    expect(receipt.mimeType).toBe("image/jpeg");
    const fileId = receipt.id;
    const pic = await owner.post(`/api/conversations/${conv.id}/messages`, {
      text: "Your receipt",
      attachments: [receipt],
    });
    await waitForState(owner, conv.id, pic.body.message.id, "sent");
    const doc = await owner.post(`/api/conversations/${conv.id}/messages`, {
      text: "Contract attached",
      attachments: [
        {
          name: "contract.pdf",
          mimeType: "application/pdf",
          size: 10_000,
          url: "https://cdn.example.com/c.pdf",
        },
      ],
    });
    const docMsg = await waitForState(owner, conv.id, doc.body.message.id, "sent");
    const calls = fake.sent(token);
    expect(calls.map((c) => c.body.type)).toEqual(["picture", "text", "file"]);
    expect(calls[0]!.body).toMatchObject({
      receiver: user,
      type: "picture",
      text: "Your receipt",
      // Parley's own file, by a signed link Viber can fetch without a session.
      media: expect.stringMatching(
        new RegExp(`^${t.url}/api/files/${fileId}\\?expires=\\d+&signature=[\\w-]+$`),
      ),
    });
    expect(calls[1]!.body).toMatchObject({ type: "text", text: "Contract attached" });
    expect(calls[2]!.body).toMatchObject({
      type: "file",
      media: "https://cdn.example.com/c.pdf",
      size: 10_000,
      file_name: "contract.pdf",
    });
    // The last part's token stands for the message.
    expect(docMsg.providerMessageId).toBe(/"message_token":(\d+)/.exec(calls[2]!.answer!)![1]);
  });

  it("maps Viber's refusals to failure reasons with Viber's words", async () => {
    const { owner, token, conv } = await withConversation();
    const attempt = async (status: number | null, text = "hi") => {
      if (status !== null) fake.failNextSend(status);
      const id = (await owner.post(`/api/conversations/${conv.id}/messages`, { text })).body.message.id;
      return waitForState(owner, conv.id, id, "failed");
    };
    const notSubscribed = await attempt(6);
    expect(notSubscribed.delivery.failureReason).toBe("blocked_by_user");
    expect(notSubscribed.delivery.failureDetail).toMatch(/receiverNotSubscribed \(status 6\)/);
    const noDevice = await attempt(11);
    expect(noDevice.delivery.failureReason).toBe("provider_error");
    expect(noDevice.delivery.failureDetail).toMatch(/receiverNoSuitableDevice \(status 11\)/);
    fake.failNextSend(23, "You have exceeded the number of free chatbot-initiated messages");
    const quota = await attempt(null);
    expect(quota.delivery.failureReason).toBe("provider_error");
    expect(quota.delivery.failureDetail).toMatch(
      /freeMessagesExceeded \(status 23\): You have exceeded the number of free chatbot-initiated messages\..*quota/,
    );
    const before = fake.sent(token).length;
    // Over 7000 characters (but within Parley's own limits): refused by the API, never sent to Viber.
    const long = await owner.post(`/api/conversations/${conv.id}/messages`, { text: "x    ".repeat(1500) });
    expect(long.status).toBe(400);
    expect(long.body.error.message).toMatch(/^Viber takes at most 7000 characters .*this one has 7500\./);
    expect(long.body.error.details).toMatchObject({ reason: "too_long", max: 7000, length: 7500 });
    expect(fake.sent(token)).toHaveLength(before);
  });

  it("retries after tooManyRequests (12), an HTTP 429 and an HTTP 500, then delivers", async () => {
    const { owner, token, conv, connId } = await withConversation();
    fake.failNextSend(12, "Too many requests");
    fake.failNextSendHttp(429, { "retry-after": "1" });
    fake.failNextSendHttp(500);
    const id = (await owner.post(`/api/conversations/${conv.id}/messages`, { text: "patience" })).body.message
      .id;
    const m = await waitForState(owner, conv.id, id, "sent", true);
    const calls = fake.sent(token).filter((c) => c.body.text === "patience");
    expect(calls).toHaveLength(4);
    expect(m.providerMessageId).toBe(/"message_token":(\d+)/.exec(calls[3]!.answer!)![1]);
    const health = (await owner.get(`/api/connections/${connId}`)).body.connection.health;
    expect(health.errorCount).toBe(3);
    expect(health.lastError).toMatch(/HTTP 500/);
  });
});

describe("Viber subscribers", () => {
  it("stores a subscriber who never wrote, findable in contacts and reachable by writing to the contact", async () => {
    const { owner, token, push } = await setup();
    const user = `${unique("sub")}=`;
    const name = unique("Олена");
    const r = await push(fake.subscribed(user, name));
    expect(r.status).toBe(200);
    expect(r.body.results).toEqual([{ kind: "contact", status: "created" }]);
    // Viber retries the callback: still one contact.
    expect((await push(fake.subscribed(user, name))).body.results).toEqual([
      { kind: "contact", status: "unchanged" },
    ]);
    // Not in the inbox (nobody wrote), but in the contacts.
    expect(await conversations(owner)).toHaveLength(0);
    const found = (await owner.get(`/api/contacts?q=${encodeURIComponent(name)}`)).body.contacts as any[];
    expect(found.map((c) => c.name)).toEqual([name]);

    // "Write to contact" starts the conversation, assigned to the writer, and the message goes out.
    const w = await owner.post(`/api/contacts/${found[0].id}/messages`, { text: "Вітаємо! Чим допомогти?" });
    expect(w.status, JSON.stringify(w.body)).toBe(201);
    const [conv] = await conversations(owner);
    expect(conv.id).toBe(w.body.conversationId);
    expect(conv.assigneeId).toBe(owner.user!.id);
    const m = await waitForState(owner, conv.id, w.body.message.id, "sent");
    expect(m.text).toBe("Вітаємо! Чим допомогти?");
    expect(fake.sent(token).at(-1)!.body).toMatchObject({ receiver: user, text: "Вітаємо! Чим допомогти?" });
  });

  it("answers conversation_started with the connection's welcome message, as Viber allows", async () => {
    const { owner, connId, push } = await setup();
    // No welcome message set: the usual answer, and the visitor is stored.
    const first = `${unique("open")}=`;
    const plain = await push(fake.conversationStarted(first, { name: "Visitor One" }));
    expect(plain.status).toBe(200);
    expect(plain.body).toEqual({ ok: true, results: [{ kind: "contact", status: "created" }] });

    const bad = await owner.patch(`/api/connections/${connId}`, {
      settings: { welcomeMessage: "x".repeat(7001) },
    });
    expect(bad.status).toBe(400);
    const set = await owner.patch(`/api/connections/${connId}`, {
      settings: { welcomeMessage: "  Вітаємо в Parley! Напишіть нам.  " },
    });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body.connection.settings.welcomeMessage).toBe("Вітаємо в Parley! Напишіть нам.");

    const user = `${unique("open")}=`;
    const welcomesBefore = fake.welcomes.length;
    const r = await push(fake.conversationStarted(user, { name: "Visitor Two" }));
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      sender: { name: "Support" },
      min_api_version: 1,
      type: "text",
      text: "Вітаємо в Parley! Напишіть нам.",
    });
    expect(fake.welcomes.slice(welcomesBefore)).toEqual([
      expect.objectContaining({ userId: user, accepted: true, problem: null }),
    ]);
    // An existing subscriber opening the chat again is not greeted again.
    const again = await push(fake.conversationStarted(user, { name: "Visitor Two", subscribed: true }));
    expect(again.body).toEqual({ ok: true, results: [{ kind: "contact", status: "unchanged" }] });
    expect(fake.welcomes.length).toBe(welcomesBefore + 1);
  });
});

describe("Viber unsubscription", () => {
  it("says the customer unsubscribed, refuses before sending, and clears when they write again", async () => {
    const { owner, user, conv, push, token } = await withConversation();
    const open = (await owner.get(`/api/conversations/${conv.id}`)).body.conversation;
    expect(open.window).toMatchObject({ allowed: true });

    const r = await push(fake.unsubscribed(user));
    expect(r.body.results).toEqual([{ kind: "unsubscribed", status: "updated" }]);
    const closed = (await owner.get(`/api/conversations/${conv.id}`)).body.conversation;
    expect(closed.window).toMatchObject({ allowed: false, only: "nothing", cause: "unsubscribed" });
    expect(closed.window.reason).toMatch(/unsubscribed/);

    const sendsBefore = fake.sent(token).length;
    const refused = await owner.post(`/api/conversations/${conv.id}/messages`, { text: "are you there?" });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe("unsubscribed");
    expect(refused.body.error.message).toMatch(/unsubscribed/);
    expect(fake.sent(token).length).toBe(sendsBefore);

    // Writing again subscribes them (Viber sends no `subscribed` for it): sending is allowed again.
    await push(userMessage(user, { type: "text", text: "I'm back" }));
    const back = (await owner.get(`/api/conversations/${conv.id}`)).body.conversation;
    expect(back.window).toMatchObject({ allowed: true, cause: null });
    // A late retry of the old unsubscription changes nothing.
    const late = await push(fake.unsubscribed(user, Date.now() - 60_000));
    expect(late.body.results).toEqual([{ kind: "unsubscribed", status: "unchanged" }]);
    const id = (await owner.post(`/api/conversations/${conv.id}/messages`, { text: "welcome back" })).body
      .message.id;
    await waitForState(owner, conv.id, id, "sent");
  });

  it("ignores an unsubscription older than the latest subscription or message", async () => {
    const { push } = await setup();
    const user = `${unique("late")}=`;
    const now = Date.now();
    expect((await push({ ...fake.subscribed(user, "Late"), timestamp: now })).body.results).toEqual([
      { kind: "contact", status: "created" },
    ]);
    const stale = await push(fake.unsubscribed(user, now - 60_000));
    expect(stale.body.results).toEqual([{ kind: "unsubscribed", status: "unchanged" }]);
    await push({ ...userMessage(user, { type: "text", text: "hi" }), timestamp: now + 1000 });
    const staleAgain = await push(fake.unsubscribed(user, now + 500));
    expect(staleAgain.body.results).toEqual([{ kind: "unsubscribed", status: "unchanged" }]);
    const fresh = await push(fake.unsubscribed(user, now + 2000));
    expect(fresh.body.results).toEqual([{ kind: "unsubscribed", status: "updated" }]);
  });

  it("makes a queued message fail with the reason unsubscribed when its send job runs", async () => {
    const { owner, user, conv, push, token } = await withConversation();
    // Viber rate-limits the first attempt: the message waits in the queue.
    fake.failNextSendHttp(429, { "retry-after": "600" });
    const sendsBefore = fake.sent(token).length;
    const id = (await owner.post(`/api/conversations/${conv.id}/messages`, { text: "later" })).body.message
      .id;
    await eventually(() => fake.sent(token).length > sendsBefore, { what: "the send job's first try" });
    await push(fake.unsubscribed(user));
    const failed = await waitForState(owner, conv.id, id, "failed", true);
    expect(failed.delivery.failureReason).toBe("unsubscribed");
    expect(failed.delivery.failureDetail).toMatch(/unsubscribed/);
    // The job decided before calling Viber: only the rate-limited attempt reached it.
    expect(fake.sent(token).length).toBe(sendsBefore + 1);
  });
});
