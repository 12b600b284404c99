import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { messageInState } from "../../testing/delivery";
import { eventually } from "../../testing/eventually";
import {
  GRAPH_ERRORS,
  hubSignature,
  metaJson,
  startWhatsAppFake,
  type WhatsAppFake,
} from "../../testing/fakes/whatsapp";
import { SAMPLE_PNG, uploadFile } from "../../testing/files";
import { addUser, type Client, newWorkspace, unique } from "../../testing/harness";
import { jobsSettled } from "../../testing/settled";
import { useTestServer } from "../../testing/use-test-server";
import { adapterContext } from "../context";
import { whatsappChannel } from "./adapter";
import { sendErrorOf, statusFailure } from "./client";
import { linkReachable } from "./media-upload";

const PNID = "106540352242922";
const TOKEN = `EAAG${"t0k3n".repeat(10)}`;
const APP_SECRET = "0123456789abcdef-app-secret";
const V = "v21.0";

let fake: WhatsAppFake;

beforeAll(async () => {
  fake = await startWhatsAppFake({ phoneNumberId: PNID, accessToken: TOKEN, appSecret: APP_SECRET });
});
afterAll(async () => {
  await fake?.close();
});

const t = useTestServer(() => ({ env: { GRAPH_API_BASE: fake.url, GRAPH_API_VERSION: V } }));

const waId = () => `1631${crypto.randomInt(1_000_000, 9_999_999)}`;

async function connect(owner: Client, credentials: Record<string, unknown> = {}) {
  const r = await owner.post("/api/connections", {
    type: "whatsapp",
    name: unique("wa"),
    credentials: { phoneNumberId: PNID, accessToken: TOKEN, appSecret: APP_SECRET, ...credentials },
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return {
    id: r.body.connection.id as string,
    webhookUrl: r.body.reveal.webhookUrl as string,
    verifyToken: r.body.reveal.verifyToken as string,
    connection: r.body.connection,
  };
}

/** A workspace with a WhatsApp connection Meta is subscribed to, and a customer who wrote first. */
async function setup(text = "Hi") {
  const { owner } = await newWorkspace(t);
  const conn = await connect(owner);
  expect((await fake.subscribe(conn.webhookUrl, conn.verifyToken)).ok).toBe(true);
  const customer = waId();
  const first = fake.message(customer, { type: "text", text: { body: text } });
  expect((await fake.deliver(first.payload)).status).toBe(200);
  const [conv] = (await owner.get("/api/conversations")).body.conversations;
  return { owner, conn, customer, conv, first };
}

const feed = async (owner: Client, convId: string) =>
  (await owner.get(`/api/conversations/${convId}/messages`)).body.messages as any[];

const waitForState = (owner: Client, convId: string, messageId: string, state: string, timeout?: number) =>
  messageInState(owner, convId, messageId, state, { timeout });

async function reply(owner: Client, convId: string, body: Record<string, unknown>) {
  const r = await owner.post(`/api/conversations/${convId}/messages`, body);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.message.id as string;
}

const sendsTo = (to: string) => fake.requestsTo(`/${PNID}/messages`).filter((r) => r.body?.to === to);

describe("WhatsApp connection", () => {
  it("validates credentials, checks the token with Graph and reveals the webhook URL and a generated verify token", async () => {
    const { owner } = await newWorkspace(t);
    const missing = await owner.post("/api/connections", {
      type: "whatsapp",
      name: "WA",
      credentials: { phoneNumberId: PNID, accessToken: TOKEN },
    });
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toMatch(/appSecret/);

    const badToken = await owner.post("/api/connections", {
      type: "whatsapp",
      name: "WA",
      credentials: { phoneNumberId: PNID, accessToken: `EAAG${"x".repeat(40)}`, appSecret: APP_SECRET },
    });
    expect(badToken.status).toBe(422);
    expect(badToken.body.error.message).toMatch(/access token/);

    const before = fake.requests.length;
    const conn = await connect(owner);
    expect(conn.webhookUrl).toBe(`${t.url}/api/webhooks/whatsapp/${conn.id}`);
    expect(conn.verifyToken.length).toBeGreaterThanOrEqual(24);
    expect(conn.connection.capabilities).toMatchObject({
      reportsDelivered: true,
      reportsRead: true,
      markSeen: true,
      textMaxChars: 4096,
      window: "whatsapp",
    });
    const check = fake.requests.slice(before).find((r) => r.method === "GET");
    expect(check).toMatchObject({ path: `/${V}/${PNID}`, authorization: `Bearer ${TOKEN}` });
    // Credentials never come back.
    expect(JSON.stringify((await owner.get(`/api/connections/${conn.id}`)).body)).not.toContain(TOKEN);

    const own = await connect(owner, { verifyToken: "my-own-verify-token" });
    expect(own.verifyToken).toBe("my-own-verify-token");
  });

  it("answers Meta's GET handshake with the challenge only for the right verify token", async () => {
    const { owner } = await newWorkspace(t);
    const conn = await connect(owner);
    const ok = await fake.subscribe(conn.webhookUrl, conn.verifyToken, { challenge: "1158201444" });
    expect(ok).toMatchObject({ ok: true, status: 200, body: "1158201444" });
    const wrong = await fake.subscribe(conn.webhookUrl, `${conn.verifyToken}x`);
    expect(wrong.status).toBe(403);
    const mode = await fake.subscribe(conn.webhookUrl, conn.verifyToken, { mode: "unsubscribe" });
    expect(mode.status).toBe(403);
  });
});

describe("WhatsApp inbound", () => {
  it("verifies the signature over Meta's escaped-unicode bytes, rejects bad signatures and dedupes retries", async () => {
    const { owner } = await newWorkspace(t);
    const conn = await connect(owner);
    await fake.subscribe(conn.webhookUrl, conn.verifyToken);
    const customer = waId();
    const text = "Olá! Заказ №42 ещё не пришёл 🙂 https://shop.example/o/42";
    const msg = fake.message(customer, { type: "text", text: { body: text } }, { name: "Zoë Ñúñez" });
    const raw = metaJson(msg.payload);
    expect(raw).toContain("\\u0417"); // the bytes Meta signs differ from a re-serialisation
    expect(raw).toContain("\\/");

    // A signature over re-serialised JSON (what a parse-then-stringify receiver would check) fails.
    const reserialised = await fake.deliver(msg.payload, {
      signature: hubSignature(APP_SECRET, JSON.stringify(msg.payload)),
    });
    expect(reserialised.status).toBe(401);
    expect((await fake.deliver(msg.payload, { appSecret: "another-app-secret" })).status).toBe(401);
    expect((await fake.deliver(msg.payload, { signature: null })).status).toBe(401);
    expect((await owner.get("/api/conversations")).body.conversations).toHaveLength(0);

    const ok = await fake.deliver(msg.payload);
    expect(ok.status).toBe(200);
    expect(ok.body.results[0]).toMatchObject({ kind: "message", status: "created" });
    const again = await fake.deliver(msg.payload);
    expect(again.body.results[0]).toMatchObject({ kind: "message", status: "duplicate" });

    const [conv] = (await owner.get("/api/conversations")).body.conversations;
    const messages = await feed(owner, conv.id);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ text, direction: "inbound", providerMessageId: msg.id });
    const contact = (await owner.get(`/api/contacts/${conv.contact.id}`)).body.contact;
    expect(contact.name).toBe("Zoë Ñúñez");
  });

  it("downloads media in the background, keeps a message whose link expired, gives other types a readable text and links replies", async () => {
    const { owner, conv, customer, first } = await setup();
    const jpeg = crypto.randomBytes(2048);
    const imageId = fake.addMedia(jpeg, "image/jpeg");
    const docId = fake.addMedia(Buffer.from("%PDF-1.4 invoice"), "application/pdf");
    const voiceId = fake.addMedia(Buffer.from("OggS voice"), "audio/ogg; codecs=opus");
    const videoId = fake.addMedia(Buffer.from("mp4 bytes"), "video/mp4");
    const expiredId = fake.addMedia(Buffer.from("too late"), "image/jpeg", { ttlMs: 0 });
    const sends = [
      {
        type: "image",
        image: { caption: "Фото посылки", mime_type: "image/jpeg", sha256: "x", id: imageId },
      },
      {
        type: "document",
        document: { filename: "invoice.pdf", mime_type: "application/pdf", sha256: "x", id: docId },
      },
      {
        type: "audio",
        audio: { mime_type: "audio/ogg; codecs=opus", sha256: "x", id: voiceId, voice: true },
      },
      { type: "video", video: { mime_type: "video/mp4", sha256: "x", id: videoId } },
      { type: "image", image: { mime_type: "image/jpeg", sha256: "x", id: expiredId } },
      { type: "sticker", sticker: { mime_type: "image/webp", sha256: "x", id: "999", animated: false } },
      {
        type: "location",
        location: { latitude: 38.7223, longitude: -9.1393, name: "Loja", address: "Rua Augusta 1, Lisboa" },
      },
      {
        type: "contacts",
        contacts: [{ name: { formatted_name: "Ana Lima" }, phones: [{ phone: "+351 912 345 678" }] }],
      },
      { type: "text", text: { body: "about my first message" }, context: { from: customer, id: first.id } },
      { type: "order", order: { catalog_id: "1", product_items: [] } },
    ];
    const ids: string[] = [];
    for (const m of sends) {
      const msg = fake.message(customer, m);
      ids.push(msg.id);
      const r = await fake.deliver(msg.payload);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
    }
    // Files are downloaded by background jobs after the webhooks were acknowledged.
    await jobsSettled(t.server);
    const messages = await feed(owner, conv.id);
    const byId = (id: string) => messages.find((m) => m.providerMessageId === id);

    const image = byId(ids[0]!);
    expect(image.text).toBe("Фото посылки");
    expect(image.attachments[0]).toMatchObject({ mimeType: "image/jpeg", size: 2048 });
    expect(image.attachments[0].error).toBeUndefined();
    const file = await fetch(`${t.url}${image.attachments[0].url}`, { headers: { cookie: owner.cookie! } });
    expect(file.status).toBe(200);
    expect(Buffer.from(await file.arrayBuffer()).equals(jpeg)).toBe(true);
    // Looked up by id with the Bearer token, then downloaded with the same header.
    const lookup = fake.requests.find((r) => r.method === "GET" && r.path === `/${V}/${imageId}`);
    expect(lookup).toMatchObject({ authorization: `Bearer ${TOKEN}`, query: { phone_number_id: PNID } });
    expect(fake.requests.find((r) => r.path === `/dl/${imageId}`)?.authorization).toBe(`Bearer ${TOKEN}`);

    expect(byId(ids[1]!).attachments[0]).toMatchObject({ name: "invoice.pdf", mimeType: "application/pdf" });
    expect(byId(ids[2]!).attachments[0]).toMatchObject({ name: "voice-message.ogg", mimeType: "audio/ogg" });
    expect(byId(ids[3]!).attachments[0]).toMatchObject({ name: "video.mp4", mimeType: "video/mp4", size: 9 });
    // Its URL had expired (404): the download is retried with a fresh URL by media id (giving up when the
    // reference expires is tested in modules/media).
    const expired = byId(ids[4]!);
    expect(expired.attachments[0]).toMatchObject({ url: "", state: "downloading" });
    const [retry] = await t.server.ctx.db.query<{ status: string; last_error: string }>(
      "select status, last_error from jobs where type = 'media.download' and payload->>'messageId' = $1",
      [expired.id],
    );
    expect(retry).toMatchObject({ status: "pending", last_error: expect.stringMatching(/404/) });
    expect(byId(ids[5]!).text).toBe("[Sticker]");
    expect(byId(ids[6]!).text).toBe(
      "[Location] Loja, Rua Augusta 1, Lisboa https://maps.google.com/?q=38.7223,-9.1393",
    );
    expect(byId(ids[7]!).text).toBe("[Contact card] Ana Lima, +351 912 345 678");
    const firstMessage = byId(first.id);
    expect(byId(ids[8]!)).toMatchObject({ text: "about my first message", quotedMessageId: firstMessage.id });
    expect(byId(ids[9]!).text).toMatch(/^\[Order\]/);
  });

  it("ignores other numbers' events, other fields and objects", async () => {
    const { owner, conv, customer } = await setup();
    const other = fake.message(customer, { type: "text", text: { body: "to another number" } });
    other.payload.entry[0]!.changes[0]!.value.metadata.phone_number_id = "999999999";
    const r1 = await fake.deliver(other.payload);
    expect(r1).toMatchObject({ status: 200, body: { results: [] } });
    const r2 = await fake.deliver({
      object: "whatsapp_business_account",
      entry: [{ id: "1", changes: [{ field: "account_update", value: { event: "VERIFIED_ACCOUNT" } }] }],
    });
    expect(r2).toMatchObject({ status: 200, body: { results: [] } });
    const r4 = await fake.deliver({ object: "page", entry: [] });
    expect(r4).toMatchObject({ status: 200, body: { results: [] } });
    expect(await feed(owner, conv.id)).toHaveLength(1);
  });
});

describe("WhatsApp account-level errors and profiles", () => {
  it("records errors[] in the connection's health and diagnostics and tells the owners and admins once", async () => {
    const { owner, conn, conv } = await setup();
    const admin = await addUser(t, owner, "admin");
    const agent = await addUser(t, owner, "agent");
    const before = (await owner.get(`/api/connections/${conn.id}`)).body.connection.health;
    expect(before.lastError).toBeNull();

    const payload = fake.accountErrors(131042, 131031);
    const r = await fake.deliver(payload);
    expect(r.status).toBe(200);
    expect(r.body.results).toEqual([
      { kind: "account_error", status: "created" },
      { kind: "account_error", status: "created" },
    ]);
    // Meta retries the same webhook: nothing new is recorded, nobody is told twice.
    const again = await fake.deliver(payload);
    expect(again.body.results.map((x: any) => x.status)).toEqual(["unchanged", "unchanged"]);

    const health = (await owner.get(`/api/connections/${conn.id}`)).body.connection.health;
    expect(health.errorCount).toBe(2);
    expect(health.lastError).toMatch(/^131031 Account has been locked: /);
    expect(health.lastErrorAt).not.toBeNull();

    const d = (await owner.get(`/api/connections/${conn.id}/diagnostics`)).body;
    expect(d.accountErrors.map((e: any) => [e.code, e.title, e.occurrences])).toEqual(
      expect.arrayContaining([
        ["131042", "Business eligibility payment issue", 2],
        ["131031", "Account has been locked", 2],
      ]),
    );
    expect(d.accountErrors.find((e: any) => e.code === "131042").detail).toMatch(/payment method/);
    expect(d.lastError).toBe(health.lastError);

    // In-app notifications for the owner and the admin, none for the agent.
    for (const who of [owner, admin.client]) {
      const list = (await who.get("/api/notifications")).body.notifications as any[];
      const problems = list.filter((n) => n.kind === "channel_problem");
      expect(problems).toHaveLength(2);
      expect(problems.map((n) => n.title)).toEqual([conn.connection.name, conn.connection.name]);
      expect(problems.map((n) => n.body).sort()).toEqual([
        expect.stringMatching(/^131031 Account has been locked/),
        expect.stringMatching(/^131042 Business eligibility payment issue/),
      ]);
      expect(problems.every((n) => n.conversationId === null && n.readAt === null)).toBe(true);
    }
    const agentList = (await agent.client.get("/api/notifications")).body.notifications as any[];
    expect(agentList.filter((n) => n.kind === "channel_problem")).toHaveLength(0);
    // The conversation is untouched: no message was made of the errors.
    expect(await feed(owner, conv.id)).toHaveLength(1);
  });

  it("applies a changed profile name to the contact unless an agent renamed it", async () => {
    const { owner, conv, customer } = await setup();
    expect(conv.contact.name).toBe("Kerry");
    const renamed = fake.message(
      customer,
      { type: "text", text: { body: "new name" } },
      { name: "Kerry Smith" },
    );
    expect((await fake.deliver(renamed.payload)).status).toBe(200);
    const after = (await owner.get(`/api/conversations/${conv.id}`)).body.conversation;
    expect(after.contact.name).toBe("Kerry Smith");
    const contact = (await owner.get(`/api/contacts/${conv.contact.id}`)).body;
    expect(JSON.stringify(contact)).toContain("Kerry Smith");
    const [identity] = await t.server.ctx.db.query<{ display_name: string }>(
      "select display_name from contact_identities where contact_id = $1",
      [conv.contact.id],
    );
    expect(identity!.display_name).toBe("Kerry Smith");

    // An agent gives the contact a name of their own: later profile changes keep it.
    const patched = await owner.patch(`/api/contacts/${conv.contact.id}`, { name: "Kerry (VIP, Berlin)" });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    const third = fake.message(customer, { type: "text", text: { body: "again" } }, { name: "K. S." });
    expect((await fake.deliver(third.payload)).status).toBe(200);
    const kept = (await owner.get(`/api/conversations/${conv.id}`)).body.conversation;
    expect(kept.contact.name).toBe("Kerry (VIP, Berlin)");
    const [moved] = await t.server.ctx.db.query<{ display_name: string }>(
      "select display_name from contact_identities where contact_id = $1",
      [conv.contact.id],
    );
    expect(moved!.display_name).toBe("K. S.");
  });

  it("announces a changed name to open inboxes with the conversation", async () => {
    const { owner, conv, customer } = await setup();
    const socket = await owner.socket(t.wsUrl);
    const renamed = fake.message(customer, { type: "text", text: { body: "hi" } }, { name: "Kerry Jones" });
    expect((await fake.deliver(renamed.payload)).status).toBe(200);
    const event = await socket.waitForEvent("conversation.updated", (e) => e.conversationId === conv.id);
    expect(event.conversation.contact.name).toBe("Kerry Jones");
    socket.close();
  });
});

describe("WhatsApp outbound", () => {
  it("sends text, quoted replies, uploaded media and links, and records the wamid", async () => {
    const { owner, conv, customer, first } = await setup("Preciso de ajuda");
    const text = "Olá! Veja https://example.com/pedido — até já";
    const id = await reply(owner, conv.id, { text });
    const m = await waitForState(owner, conv.id, id, "sent");
    expect(m.providerMessageId).toMatch(/^wamid\./);
    const [sent] = sendsTo(customer);
    expect(sent).toMatchObject({ path: `/${V}/${PNID}/messages`, authorization: `Bearer ${TOKEN}` });
    expect(sent!.body).toEqual({
      messaging_product: "whatsapp",
      recipient_type: "individual",
      to: customer,
      type: "text",
      text: { body: text, preview_url: true },
    });

    const inbound = (await feed(owner, conv.id)).find((x) => x.providerMessageId === first.id);
    const quoted = await reply(owner, conv.id, { text: "Respondendo", quotedMessageId: inbound.id });
    await waitForState(owner, conv.id, quoted, "sent");
    expect(sendsTo(customer)[1]!.body).toMatchObject({
      type: "text",
      text: { body: "Respondendo", preview_url: false },
      context: { message_id: first.id },
    });

    const label = await uploadFile(t.url, owner, conv.id, "label.png", SAMPLE_PNG, "image/png");
    const fileId = label.id;
    const img = await reply(owner, conv.id, { text: "Sua etiqueta", attachments: [label] });
    await waitForState(owner, conv.id, img, "sent");
    expect(sendsTo(customer)[2]!.body).toEqual({
      messaging_product: "whatsapp",
      recipient_type: "individual",
      to: customer,
      type: "image",
      // Parley's own file: PUBLIC_URL is a loopback address WhatsApp could not fetch a link from, so the file
      // was uploaded first (multipart, with its type) and goes by its media id.
      image: { id: expect.any(String), caption: "Sua etiqueta" },
    });
    const uploaded = fake.uploads.get(sendsTo(customer)[2]!.body.image.id)!;
    expect(uploaded).toMatchObject({ type: "image/png", fileType: "image/png", fileName: label.name });
    expect(uploaded.bytes).toEqual(SAMPLE_PNG);
    expect(fileId).toMatch(/^[0-9a-f-]{36}$/);

    const doc = await reply(owner, conv.id, {
      attachments: [
        { name: "fatura.pdf", mimeType: "application/pdf", size: 10, url: "https://cdn.example.com/f.pdf" },
      ],
    });
    await waitForState(owner, conv.id, doc, "sent");
    expect(sendsTo(customer)[3]!.body).toMatchObject({
      type: "document",
      document: { link: "https://cdn.example.com/f.pdf", filename: "fatura.pdf" },
    });
  });

  it("applies duplicated, out-of-order statuses forward only, and delivered after failed wins", async () => {
    const { owner, conv, customer } = await setup();
    const a = await reply(owner, conv.id, { text: "first" });
    const wamidA = (await waitForState(owner, conv.id, a, "sent")).providerMessageId;
    const base = Date.UTC(2026, 0, 1, 10, 0, 0);
    await fake.deliver(fake.statuses({ id: wamidA, status: "read", at: base + 5000, to: customer }));
    await fake.deliver(fake.statuses({ id: wamidA, status: "delivered", at: base + 3000, to: customer }));
    const dup = await fake.deliver(
      fake.statuses({ id: wamidA, status: "read", at: base + 6000, to: customer }),
    );
    expect(dup.body.results[0]).toMatchObject({ kind: "status", status: "unchanged" });
    await fake.deliver(
      fake.statuses(
        { id: wamidA, status: "sent", at: base + 1000, to: customer },
        {
          id: wamidA,
          status: "failed",
          at: base + 7000,
          to: customer,
          errors: [{ code: 131026, title: "Message undeliverable" }],
        },
      ),
    );
    const ma = await waitForState(owner, conv.id, a, "read");
    expect(ma.delivery.readAt).toBe("2026-01-01T10:00:05.000Z");
    expect(ma.delivery.deliveredAt).toBe("2026-01-01T10:00:05.000Z");

    // Several devices: one reports failed, another then delivered.
    const b = await reply(owner, conv.id, { text: "second" });
    const wamidB = (await waitForState(owner, conv.id, b, "sent")).providerMessageId;
    await fake.deliver(
      fake.statuses({
        id: wamidB,
        status: "failed",
        to: customer,
        errors: [
          {
            code: 131051,
            title: "Unsupported message type",
            message: "Unsupported message type",
            error_data: { details: "Message type is not currently supported." },
          },
        ],
      }),
    );
    const failed = await waitForState(owner, conv.id, b, "failed");
    expect(failed.delivery).toMatchObject({
      failureReason: "provider_error",
      failureDetail: "(#131051) Unsupported message type: Message type is not currently supported.",
    });
    await fake.deliver(fake.statuses({ id: wamidB, status: "delivered", to: customer }));
    await waitForState(owner, conv.id, b, "delivered");
  });

  it("maps 131047 to window_closed, from a failed status and from the send itself after 24 h", async () => {
    const { owner, conv, customer } = await setup();
    const a = await reply(owner, conv.id, { text: "late answer" });
    const wamid = (await waitForState(owner, conv.id, a, "sent")).providerMessageId;
    await fake.deliver(
      fake.statuses({
        id: wamid,
        status: "failed",
        to: customer,
        errors: [
          {
            code: 131047,
            title: "Re-engagement message",
            message: "Re-engagement message",
            error_data: {
              details:
                "Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
            },
          },
        ],
      }),
    );
    const m = await waitForState(owner, conv.id, a, "failed");
    expect(m.delivery.failureReason).toBe("window_closed");
    expect(m.delivery.failureDetail).toMatch(/^\(#131047\) Re-engagement message: .*24 hours/);

    fake.advance(25 * 60 * 60 * 1000);
    try {
      const b = await reply(owner, conv.id, { text: "a day later" });
      const mb = await waitForState(owner, conv.id, b, "failed");
      expect(mb.delivery.failureReason).toBe("window_closed");
      expect(mb.delivery.failureDetail).toMatch(/131047/);
      expect(sendsTo(customer)).toHaveLength(2);
    } finally {
      fake.advance(-25 * 60 * 60 * 1000);
    }
  });

  it("keeps the window open when Meta retries a customer message written 25 hours ago, after a fresh one", async () => {
    const { owner, conv, customer } = await setup("Are you there?");
    const windowOf = async () => (await owner.get(`/api/conversations/${conv.id}`)).body.conversation.window;
    const opened = await windowOf();
    expect(opened).toMatchObject({ allowed: true });
    // A late retry (or a delayed delivery) of an old message arrives after the fresh one.
    const old = fake.message(
      customer,
      { type: "text", text: { body: "written yesterday" } },
      {
        at: Date.now() - 25 * 3600_000,
      },
    );
    expect((await fake.deliver(old.payload)).status).toBe(200);
    expect((await feed(owner, conv.id)).map((m) => m.text)).toContain("written yesterday");
    const after = await windowOf();
    expect(after).toMatchObject({ allowed: true, mode: "free" });
    expect(after.closesAt).toBe(opened.closesAt);
    // The next free-text reply goes out.
    const a = await reply(owner, conv.id, { text: "Yes, here" });
    await waitForState(owner, conv.id, a, "sent");
  });

  it("caps a customer message's time from a provider clock ahead of ours at the time it was received", async () => {
    const { owner, conv, customer } = await setup();
    const ahead = fake.message(
      customer,
      { type: "text", text: { body: "from the future" } },
      {
        at: Date.now() + 6 * 3600_000,
      },
    );
    const before = Date.now();
    expect((await fake.deliver(ahead.payload)).status).toBe(200);
    const { window } = (await owner.get(`/api/conversations/${conv.id}`)).body.conversation;
    // The window closes 24 hours after we received it, not 30 hours from now.
    expect(Date.parse(window.closesAt)).toBeLessThanOrEqual(Date.now() + 24 * 3600_000);
    expect(Date.parse(window.closesAt)).toBeGreaterThanOrEqual(before + 24 * 3600_000 - 1000);
  });

  it("turns an asynchronous 131026 into a failed message with the provider's words", async () => {
    const { owner, conv, customer } = await setup();
    fake.failAsync(customer, 131026);
    const id = await reply(owner, conv.id, { text: "are you there?" });
    const m = await waitForState(owner, conv.id, id, "failed");
    expect(m.providerMessageId).toMatch(/^wamid\./);
    expect(m.delivery).toMatchObject({
      failureReason: "provider_error",
      failureDetail: "(#131026) Message Undeliverable: Unable to deliver message.",
    });
  });

  it("retries a rate limit (130429) and then sends; a refused token (190) and a too-long text fail at once", async () => {
    const { owner, conv, customer } = await setup();
    const socket = await owner.socket(t.wsUrl);
    fake.failNext(GRAPH_ERRORS[130429]!);
    const a = await reply(owner, conv.id, { text: "busy day" });
    const waiting = await socket.waitForEvent(
      "message.updated",
      (e) => e.message.id === a && !!e.message.delivery.waiting,
    );
    const sentA = await waitForState(owner, conv.id, a, "sent", 12_000);
    socket.close();
    expect(sendsTo(customer).filter((r) => r.body.text?.body === "busy day")).toHaveLength(2);
    // Rescheduled after the code's wait (1 s for the throughput limit), not at once: what the server decided
    // and when it sent, on its own clock.
    const until = Date.parse(waiting.message.delivery.waiting.until);
    expect(until - Date.parse(sentA.delivery.queuedAt)).toBeGreaterThanOrEqual(1000);
    expect(Date.parse(sentA.delivery.sentAt)).toBeGreaterThanOrEqual(until);

    fake.failNext(GRAPH_ERRORS[190]!);
    const b = await reply(owner, conv.id, { text: "token?" });
    const mb = await waitForState(owner, conv.id, b, "failed");
    expect(mb.delivery.failureReason).toBe("provider_error");
    expect(mb.delivery.failureDetail).toMatch(/access token.*Session has expired/);
    expect(sendsTo(customer).filter((r) => r.body.text?.body === "token?")).toHaveLength(1);

    const long = "ok   ".repeat(900); // 4500 characters, 1800 not counting spaces
    const c = await owner.post(`/api/conversations/${conv.id}/messages`, { text: long });
    expect(c.status).toBe(400);
    expect(c.body.error.message).toMatch(/^WhatsApp takes at most 4096 characters .*this one has 4500\./);
    expect(sendsTo(customer).filter((r) => r.body.text?.body === long.trim())).toHaveLength(0);
  });

  it("marks an inbound message as read on WhatsApp", async () => {
    const { conn, customer, first, owner } = await setup();
    const ctx = t.server.ctx;
    const info = {
      id: conn.id,
      workspaceId: owner.workspaceId!,
      credentials: {
        phoneNumberId: PNID,
        accessToken: TOKEN,
        appSecret: APP_SECRET,
        verifyToken: conn.verifyToken,
      },
      settings: {},
    };
    await whatsappChannel.markSeen!(
      info,
      { externalContactId: customer, providerMessageId: first.id },
      adapterContext(ctx, { ...info, type: "whatsapp" }),
    );
    const seen = fake.requestsTo(`/${PNID}/messages`).find((r) => r.body?.message_id === first.id);
    expect(seen).toMatchObject({ path: `/${V}/${PNID}/messages`, authorization: `Bearer ${TOKEN}` });
    expect(seen!.body).toEqual({ messaging_product: "whatsapp", status: "read", message_id: first.id });
  });
});

describe("telling the customer their messages were seen (R306)", () => {
  it("sends nothing by default, 'read' on opening or only on replying as the workspace chooses", async () => {
    const { owner, conv, customer, first } = await setup("Need help");
    const seen = (id: string) =>
      fake
        .requestsTo(`/${PNID}/messages`)
        .filter((r) => r.body?.status === "read" && r.body?.message_id === id);
    const customerWrites = async (text: string) => {
      const m = fake.message(customer, { type: "text", text: { body: text } });
      expect((await fake.deliver(m.payload)).status).toBe(200);
      return m;
    };

    await owner.post(`/api/conversations/${conv.id}/read`, {});
    await jobsSettled(t.server);
    expect(seen(first.id)).toHaveLength(0);

    const agent = await addUser(t, owner, "agent");
    expect((await agent.client.patch("/api/workspace", { settings: { sendSeen: "on_open" } })).status).toBe(
      403,
    );
    const set = await owner.patch("/api/workspace", { settings: { sendSeen: "on_open" } });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body.workspace.settings.sendSeen).toBe("on_open");
    const second = await customerWrites("Hello?");
    await owner.post(`/api/conversations/${conv.id}/read`, {});
    await eventually(() => seen(second.id).length === 1);
    expect(seen(second.id)[0]!.body).toEqual({
      messaging_product: "whatsapp",
      status: "read",
      message_id: second.id,
    });

    await owner.patch("/api/workspace", { settings: { sendSeen: "on_reply" } });
    const third = await customerWrites("Anyone there?");
    await owner.post(`/api/conversations/${conv.id}/read`, {});
    await jobsSettled(t.server);
    expect(seen(third.id)).toHaveLength(0);
    await owner.post(`/api/conversations/${conv.id}/messages`, { text: "Yes, I'm here" });
    await eventually(() => seen(third.id).length === 1);

    // Read receipts off for this conversation (R305): no "seen" goes to the customer; inheriting again, it does.
    await owner.patch("/api/workspace", { settings: { sendSeen: "on_open" } });
    const off = await owner.put(`/api/conversations/${conv.id}/receipt-policy`, { readReceipts: false });
    expect(off.status).toBe(200);
    const fourth = await customerWrites("Still there?");
    await owner.post(`/api/conversations/${conv.id}/read`, {});
    await jobsSettled(t.server);
    expect(seen(fourth.id)).toHaveLength(0);
    await owner.put(`/api/conversations/${conv.id}/receipt-policy`, { readReceipts: null });
    const fifth = await customerWrites("Hello again");
    await owner.post(`/api/conversations/${conv.id}/read`, {});
    await eventually(() => seen(fifth.id).length === 1);
  });
});

describe("WhatsApp error mapping", () => {
  const refused = (
    status: number,
    error: Record<string, unknown> | null,
    retryAfterMs: number | null = null,
  ) => sendErrorOf({ ok: false, status, error: error as never, text: "", retryAfterMs });

  it("maps Graph error codes to retry, backoff and failure reasons", () => {
    expect(refused(400, { code: 131056, message: "(#131056) pair rate limit hit" })).toMatchObject({
      retryable: true,
      retryAfterMs: 6000,
    });
    expect(refused(400, { code: 4, message: "(#4) Application request limit reached" })).toMatchObject({
      retryable: true,
      retryAfterMs: 60_000,
    });
    expect(refused(429, null, 2000)).toMatchObject({ retryable: true, retryAfterMs: 2000 });
    expect(refused(401, { code: 190, message: "Invalid OAuth access token" })).toMatchObject({
      reason: "provider_error",
      retryable: false,
    });
    const transient = refused(500, { code: 131000, message: "(#131000) Something went wrong" });
    expect(transient).toMatchObject({ retryable: true, retryAfterMs: undefined });
    expect(refused(400, { code: 131047, message: "(#131047) Re-engagement message" })).toMatchObject({
      reason: "window_closed",
      retryable: false,
    });
    expect(
      refused(400, {
        code: 131026,
        message: "(#131026) Message Undeliverable",
        error_data: { details: "Unable to deliver message." },
      }),
    ).toMatchObject({
      reason: "provider_error",
      retryable: false,
      detail: "(#131026) Message Undeliverable: Unable to deliver message.",
    });
    expect(
      refused(400, { code: 100, message: "(#100) Param text['body'] must be at most 4096 characters long." }),
    ).toMatchObject({ reason: "too_long", retryable: false });
    expect(refused(403, { code: 10, message: "(#10) Permission denied" })).toMatchObject({
      reason: "not_permitted",
    });
    expect(statusFailure([{ code: 131051, title: "Unsupported message type" }])).toEqual({
      reason: "provider_error",
      detail: "(#131051) Unsupported message type",
    });
  });
});

describe("WhatsApp media links", () => {
  it("gives WhatsApp a signed link only on a public https address, and uploads otherwise", () => {
    expect(linkReachable("https://parley.example.com")).toBe(true);
    expect(linkReachable("https://203.0.113.7:8443")).toBe(false); // documentation range: not public
    expect(linkReachable("https://8.8.8.8")).toBe(true);
    expect(linkReachable("http://parley.example.com")).toBe(false);
    expect(linkReachable(t.url)).toBe(false);
    for (const host of ["localhost", "parley.local", "inbox.internal", "box", "10.0.0.5", "[::1]"])
      expect(linkReachable(`https://${host}`), host).toBe(false);
  });
});
