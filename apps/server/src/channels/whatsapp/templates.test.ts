import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { messageInState } from "../../testing/delivery";
import { type FakeTemplate, startWhatsAppFake, type WhatsAppFake } from "../../testing/fakes/whatsapp";
import { SAMPLE_PNG, uploadFile } from "../../testing/files";
import { addUser, type Client, newWorkspace, unique } from "../../testing/harness";
import { useTestServer } from "../../testing/use-test-server";

const PNID = "106540352242922";
const WABA = "102290129340398";
const TOKEN = `EAAG${"t3mpl".repeat(10)}`;
const APP_SECRET = "0123456789abcdef-app-secret";
const V = "v21.0";

let fake: WhatsAppFake;
/** The server's clock and the fake's move together, so the 24-hour window closes on both sides. */
let offset = 0;
const travel = (ms: number) => {
  offset += ms;
  fake.advance(ms);
};

const TEMPLATES: FakeTemplate[] = [
  {
    id: "1001",
    name: "order_update",
    language: "en_US",
    status: "APPROVED",
    category: "UTILITY",
    components: [
      { type: "HEADER", format: "TEXT", text: "Order {{1}}" },
      { type: "BODY", text: "Hi {{1}}, your order {{2}} has shipped." },
      { type: "FOOTER", text: "Parley Shop" },
    ],
  },
  {
    id: "1002",
    name: "order_update",
    language: "pt_BR",
    status: "PENDING",
    category: "UTILITY",
    components: [{ type: "BODY", text: "Olá {{1}}, o pedido {{2}} foi enviado." }],
  },
  {
    id: "1003",
    name: "spring_promo",
    language: "en_US",
    status: "REJECTED",
    category: "MARKETING",
    components: [{ type: "BODY", text: "50% off everything, {{1}}!" }],
  },
  {
    id: "1004",
    name: "delivery_link",
    language: "en",
    status: "APPROVED",
    category: "UTILITY",
    components: [
      { type: "BODY", text: "Your parcel {{1}} is on its way." },
      {
        type: "BUTTONS",
        buttons: [
          { type: "QUICK_REPLY", text: "Stop updates" },
          { type: "URL", text: "Track", url: "https://shop.example/track/{{1}}" },
        ],
      },
    ],
  },
  {
    id: "1005",
    name: "invoice_ready",
    language: "en",
    status: "APPROVED",
    category: "UTILITY",
    components: [
      { type: "HEADER", format: "DOCUMENT" },
      { type: "BODY", text: "Your invoice is attached." },
    ],
  },
];

beforeAll(async () => {
  fake = await startWhatsAppFake({
    phoneNumberId: PNID,
    accessToken: TOKEN,
    appSecret: APP_SECRET,
    businessAccountId: WABA,
  });
  fake.setTemplates(TEMPLATES, { pageSize: 3 });
});
afterAll(async () => {
  await fake?.close();
});

const t = useTestServer(() => ({
  env: { GRAPH_API_BASE: fake.url, GRAPH_API_VERSION: V },
  clock: { now: () => new Date(Date.now() + offset) },
}));

const waId = () => `1631${crypto.randomInt(1_000_000, 9_999_999)}`;

async function connect(owner: Client, credentials: Record<string, unknown> = { businessAccountId: WABA }) {
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
  };
}

async function sync(owner: Client, connectionId: string) {
  const r = await owner.post(`/api/connections/${connectionId}/templates/sync`, {});
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}

/** A workspace with a synced WhatsApp connection and a customer who wrote first. */
async function setup() {
  const { owner } = await newWorkspace(t);
  const conn = await connect(owner);
  expect((await fake.subscribe(conn.webhookUrl, conn.verifyToken)).ok).toBe(true);
  await sync(owner, conn.id);
  const customer = waId();
  expect(
    (await fake.deliver(fake.message(customer, { type: "text", text: { body: "Hi" } }).payload)).status,
  ).toBe(200);
  const [conv] = (await owner.get("/api/conversations")).body.conversations;
  const templates = (await owner.get(`/api/connections/${conn.id}/templates`)).body.templates as any[];
  const tpl = (name: string) => templates.find((x) => x.name === name)!;
  return { owner, conn, customer, conv, tpl };
}

const feed = async (owner: Client, convId: string) =>
  (await owner.get(`/api/conversations/${convId}/messages`)).body.messages as any[];

const waitForState = (owner: Client, convId: string, messageId: string, state: string) =>
  messageInState(owner, convId, messageId, state);

const sendsTo = (to: string) => fake.requestsTo(`/${PNID}/messages`).filter((r) => r.body?.to === to);
const templateRequests = () => fake.requests.filter((r) => r.path === `/${V}/${WABA}/message_templates`);

describe("WhatsApp message templates", () => {
  it("syncs every page of the business account's templates (admins) and lists the approved ones to agents", async () => {
    const { owner } = await newWorkspace(t);
    const conn = await connect(owner);
    const agent = (await addUser(t, owner, "agent")).client;

    const refused = await agent.post(`/api/connections/${conn.id}/templates/sync`, {});
    expect(refused.status).toBe(403);

    const before = templateRequests().length;
    const synced = await sync(owner, conn.id);
    expect(synced).toMatchObject({ synced: 5, removed: 0 });
    expect(synced.templates).toHaveLength(5);
    // Two pages of three: the second asked with the first page's `after` cursor, both with the Bearer token.
    const calls = templateRequests().slice(before);
    expect(calls).toHaveLength(2);
    for (const c of calls) {
      expect(c.method).toBe("GET");
      expect(c.authorization).toBe(`Bearer ${TOKEN}`);
      expect(c.query.fields).toBe("id,name,language,status,category,components");
    }
    expect(calls[0]!.query.after).toBeUndefined();
    expect(calls[1]!.query.after).toBe(Buffer.from("idx:3").toString("base64url"));

    const list = await agent.get(`/api/connections/${conn.id}/templates`);
    expect(list.status).toBe(200);
    const byName = Object.fromEntries(list.body.templates.map((x: any) => [`${x.name}/${x.language}`, x]));
    expect(Object.keys(byName).sort()).toEqual([
      "delivery_link/en",
      "invoice_ready/en",
      "order_update/en_US",
    ]);
    expect(byName["order_update/en_US"]).toMatchObject({
      providerTemplateId: "1001",
      category: "UTILITY",
      status: "APPROVED",
      variables: { header: 1, body: 2, buttons: 0 },
      sendable: true,
      unsupported: null,
    });
    expect(byName["order_update/en_US"].components[1]).toEqual({
      type: "BODY",
      text: "Hi {{1}}, your order {{2}} has shipped.",
    });
    expect(byName["delivery_link/en"].variables).toEqual({ header: 0, body: 1, buttons: 1 });
    expect(byName["invoice_ready/en"]).toMatchObject({
      sendable: true,
      unsupported: null,
      headerMedia: "document",
    });
    expect(byName["order_update/en_US"].headerMedia).toBeNull();

    // A re-sync follows the provider: changed statuses are updated, deleted templates are forgotten.
    fake.setTemplates([{ ...TEMPLATES[0]!, status: "PAUSED" }, ...TEMPLATES.slice(1, 4)]);
    try {
      const again = await sync(owner, conn.id);
      expect(again).toMatchObject({ synced: 4, removed: 1 });
      const names = (await agent.get(`/api/connections/${conn.id}/templates`)).body.templates.map(
        (x: any) => x.name,
      );
      expect(names).toEqual(["delivery_link"]);
    } finally {
      fake.setTemplates(TEMPLATES);
    }

    // Another workspace sees nothing of this connection.
    const { owner: stranger } = await newWorkspace(t);
    expect((await stranger.get(`/api/connections/${conn.id}/templates`)).status).toBe(404);

    // Without the business account id there is nothing to sync from, and the admin is told what to add.
    const bare = await connect(owner, {});
    const noWaba = await owner.post(`/api/connections/${bare.id}/templates/sync`, {});
    expect(noWaba.status).toBe(422);
    expect(noWaba.body.error.message).toMatch(/businessAccountId/);
    const badWaba = await owner.post("/api/connections", {
      type: "whatsapp",
      name: "WA",
      credentials: {
        phoneNumberId: PNID,
        accessToken: TOKEN,
        appSecret: APP_SECRET,
        businessAccountId: "x1",
      },
    });
    expect(badWaba.status).toBe(400);
    expect(badWaba.body.error.message).toMatch(/businessAccountId/);
  });

  it("outside the 24-hour window refuses free text but sends an approved template, which goes to sent, delivered and read", async () => {
    const { owner, conv, customer, tpl } = await setup();
    travel(25 * 60 * 60 * 1000);
    try {
      const shown = (await owner.get(`/api/conversations/${conv.id}`)).body.conversation.window;
      expect(shown).toMatchObject({ allowed: false, only: "template" });

      const free = await owner.post(`/api/conversations/${conv.id}/messages`, { text: "Are you there?" });
      expect(free.status).toBe(422);
      expect(free.body.error.code).toBe("window_closed");

      const order = tpl("order_update");
      const r = await owner.post(`/api/conversations/${conv.id}/template-messages`, {
        templateId: order.id,
        variables: { header: ["#123"], body: ["Kerry", " #123 "] },
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      expect(r.body.message).toMatchObject({
        direction: "outbound",
        kind: "message",
        text: "Order #123\n\nHi Kerry, your order #123 has shipped.\n\nParley Shop",
        template: {
          name: "order_update",
          language: "en_US",
          variables: { header: ["#123"], body: ["Kerry", "#123"] },
        },
        delivery: { state: "queued" },
      });
      const id = r.body.message.id as string;
      const sent = await waitForState(owner, conv.id, id, "sent");
      const [req] = sendsTo(customer);
      expect(req!.authorization).toBe(`Bearer ${TOKEN}`);
      expect(req!.path).toBe(`/${V}/${PNID}/messages`);
      expect(req!.body).toEqual({
        messaging_product: "whatsapp",
        recipient_type: "individual",
        to: customer,
        type: "template",
        template: {
          name: "order_update",
          language: { code: "en_US" },
          components: [
            { type: "header", parameters: [{ type: "text", text: "#123" }] },
            {
              type: "body",
              parameters: [
                { type: "text", text: "Kerry" },
                { type: "text", text: "#123" },
              ],
            },
          ],
        },
      });
      expect(sent.providerMessageId).toMatch(/^wamid\./);

      // Receipts out of order and duplicated: read wins, nothing moves back.
      const wamid = sent.providerMessageId as string;
      await fake.deliver(fake.statuses({ id: wamid, status: "delivered", to: customer }));
      await waitForState(owner, conv.id, id, "delivered");
      await fake.deliver(fake.statuses({ id: wamid, status: "read", to: customer }));
      await fake.deliver(fake.statuses({ id: wamid, status: "delivered", to: customer }));
      const read = await waitForState(owner, conv.id, id, "read");
      expect(read.delivery.deliveredAt).not.toBeNull();
      expect(read.template.name).toBe("order_update");
      expect(sendsTo(customer)).toHaveLength(1);
    } finally {
      travel(-25 * 60 * 60 * 1000);
    }
  });

  it("refuses wrong variables, rejected, pending, unknown and other connections' templates with 422, storing nothing", async () => {
    const { owner, conv, customer, tpl, conn } = await setup();
    const order = tpl("order_update");
    const send = (body: Record<string, unknown>) =>
      owner.post(`/api/conversations/${conv.id}/template-messages`, body);
    const before = (await feed(owner, conv.id)).length;

    const tooFew = await send({ templateId: order.id, variables: { header: ["#1"], body: ["Kerry"] } });
    expect(tooFew.status).toBe(422);
    expect(tooFew.body.error.message).toBe("The template's body has 2 variables; 1 was given.");
    const noHeader = await send({ templateId: order.id, variables: { body: ["Kerry", "#1"] } });
    expect(noHeader.status).toBe(422);
    expect(noHeader.body.error.message).toMatch(/header has 1 variable; 0 were given/);
    const empty = await send({ templateId: order.id, variables: { header: ["#1"], body: ["Kerry", "  "] } });
    expect(empty.status).toBe(422);
    expect(empty.body.error.message).toMatch(/\{\{2\}\} of the body is empty/);
    const long = await send({
      templateId: order.id,
      variables: { header: ["#1"], body: ["Kerry", "x".repeat(1025)] },
    });
    expect(long.status).toBe(422);
    expect(long.body.error.message).toMatch(/at most 1024/);
    const newline = await send({
      templateId: order.id,
      variables: { header: ["#1"], body: ["Kerry", "a\nb"] },
    });
    expect(newline.status).toBe(422);

    // Not approved: the admin's view (the sync answer) has their ids.
    const all = (await sync(owner, conn.id)).templates as any[];
    const rejected = all.find((x) => x.name === "spring_promo");
    const pending = all.find((x) => x.name === "order_update" && x.language === "pt_BR");
    const r1 = await send({ templateId: rejected.id, variables: { body: ["Kerry"] } });
    expect(r1.status).toBe(422);
    expect(r1.body.error.message).toBe(
      'The template "spring_promo" (en_US) is rejected: only approved templates can be sent.',
    );
    const r2 = await send({ templateId: pending.id, variables: { body: ["Kerry", "#1"] } });
    expect(r2.status).toBe(422);
    expect(r2.body.error.message).toMatch(/is pending/);
    const unknown = await send({ templateId: crypto.randomUUID(), variables: { body: [] } });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.message).toMatch(/sync the templates/);
    const media = await send({ templateId: tpl("invoice_ready").id, variables: { body: [] } });
    expect(media.status).toBe(422);
    expect(media.body.error.message).toBe(
      "The template's header is a document: attach one as the header file.",
    );
    const png = await uploadFile(t.url, owner, conv.id, "label.png", SAMPLE_PNG, "image/png");
    const wrongType = await send({ templateId: tpl("invoice_ready").id, headerFile: png });
    expect(wrongType.status).toBe(422);
    expect(wrongType.body.error.message).toBe(
      'The template\'s document header takes application/pdf; "label.png" is image/png.',
    );
    const notMedia = await send({
      templateId: order.id,
      variables: { header: ["#1"], body: ["K", "#1"] },
      headerFile: png,
    });
    expect(notMedia.status).toBe(422);
    expect(notMedia.body.error.message).toMatch(/has no media header/);

    // Another connection's template (same workspace) does not fit this conversation.
    const other = await connect(owner);
    const otherTpl = ((await sync(owner, other.id)).templates as any[]).find(
      (x) => x.name === "delivery_link",
    );
    const wrongConn = await send({ templateId: otherTpl.id, variables: { body: ["P1"], buttons: ["P1"] } });
    expect(wrongConn.status).toBe(422);

    expect((await feed(owner, conv.id)).length).toBe(before);
    expect(sendsTo(customer)).toHaveLength(0);
  });

  it("sends templates inside the window too, with URL-button parameters, and free text still works", async () => {
    const { owner, conv, customer, tpl } = await setup();
    const link = tpl("delivery_link");
    const r = await owner.post(`/api/conversations/${conv.id}/template-messages`, {
      templateId: link.id,
      variables: { body: ["PX-42"], buttons: ["PX-42"] },
      clientId: "tpl-1",
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.message.text).toBe("Your parcel PX-42 is on its way.");
    // A retried request (same clientId) returns the first message instead of sending twice.
    const again = await owner.post(`/api/conversations/${conv.id}/template-messages`, {
      templateId: link.id,
      variables: { body: ["PX-42"], buttons: ["PX-42"] },
      clientId: "tpl-1",
    });
    expect(again.status).toBe(200);
    expect(again.body.message.id).toBe(r.body.message.id);
    await waitForState(owner, conv.id, r.body.message.id, "sent");

    const free = await owner.post(`/api/conversations/${conv.id}/messages`, { text: "And a free reply" });
    expect(free.status).toBe(201);
    expect(free.body.message.template).toBeNull();
    await waitForState(owner, conv.id, free.body.message.id, "sent");

    const sends = sendsTo(customer);
    expect(sends).toHaveLength(2);
    expect(sends[0]!.body.template).toEqual({
      name: "delivery_link",
      language: { code: "en" },
      components: [
        { type: "body", parameters: [{ type: "text", text: "PX-42" }] },
        { type: "button", sub_type: "url", index: "1", parameters: [{ type: "text", text: "PX-42" }] },
      ],
    });
    expect(sends[1]!.body).toMatchObject({ type: "text", text: { body: "And a free reply" } });
  });

  it("uploads a media header's file and sends the template with it by media id", async () => {
    const { owner, conv, customer, tpl } = await setup();
    const pdf = Buffer.from("%PDF-1.4 invoice 2026-0042");
    const file = await uploadFile(t.url, owner, conv.id, "invoice-0042.pdf", pdf, "application/pdf");
    const r = await owner.post(`/api/conversations/${conv.id}/template-messages`, {
      templateId: tpl("invoice_ready").id,
      headerFile: file,
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    // The feed shows the file with the template's text.
    expect(r.body.message.attachments).toEqual([
      expect.objectContaining({ url: file.url, name: "invoice-0042.pdf" }),
    ]);
    await waitForState(owner, conv.id, r.body.message.id, "sent");
    const [sent] = sendsTo(customer);
    const header = sent!.body.template.components.find((c: any) => c.type === "header");
    expect(header).toEqual({
      type: "header",
      parameters: [{ type: "document", document: { id: expect.any(String), filename: "invoice-0042.pdf" } }],
    });
    const uploaded = fake.uploads.get(header.parameters[0].document.id)!;
    expect(uploaded.bytes).toEqual(pdf);
    expect(uploaded).toMatchObject({ type: "application/pdf", fileName: "invoice-0042.pdf" });
    const upload = fake.requestsTo(`/${PNID}/media`).at(-1)!;
    expect(upload.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it("fails a template message with the provider's words when WhatsApp refuses it at send time", async () => {
    const { owner, conv, tpl } = await setup();
    // The template was deleted at WhatsApp after the last sync.
    fake.setTemplates(TEMPLATES.filter((x) => x.name !== "delivery_link"));
    try {
      const r = await owner.post(`/api/conversations/${conv.id}/template-messages`, {
        templateId: tpl("delivery_link").id,
        variables: { body: ["PX-1"], buttons: ["PX-1"] },
      });
      expect(r.status).toBe(201);
      const m = await waitForState(owner, conv.id, r.body.message.id, "failed");
      expect(m.delivery.failureReason).toBe("provider_error");
      expect(m.delivery.failureDetail).toMatch(/^\(#132001\) Template name does not exist/);
    } finally {
      fake.setTemplates(TEMPLATES);
    }
  });
});
