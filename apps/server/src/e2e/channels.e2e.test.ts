import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { type FakeTemplate, startWhatsAppFake, type WhatsAppFake } from "../testing/fakes/whatsapp";
import { newWorkspace } from "../testing/harness";
import { startReceiver } from "../testing/outbound-receiver";
import { eventually, screenshot, signIn, useBrowser } from "./browser";

/**
 * The channel slice in a real browser (R501–R503, R805): an admin connects a channel through the Channels
 * page and gets its secret once; a contact found in the contacts search is written to again; the composer
 * follows WhatsApp's 24-hour window and sends a template through the picker.
 */
const { cleanups, newPage: page, serverOnFreshDb: server } = useBrowser();

const sign = (secret: string, raw: string) =>
  `sha256=${crypto.createHmac("sha256", secret).update(raw).digest("hex")}`;

describe("channels, contacts and messaging windows in the web app", () => {
  it("connects an API channel, uses its revealed secret, and writes again to a closed conversation's contact", async () => {
    const t = await server();
    const { owner } = await newWorkspace(t, "Acme Channels");
    let secret = "";
    const receiver = await startReceiver(() => secret);
    cleanups.push(() => receiver.close());

    const p = await page();
    await signIn(p, t.url, owner.user!.email);
    // The Channels page is in the user menu of owners and admins.
    await p.getByTestId("user-menu").click();
    await p.getByTestId("menu-channels").click();
    await p.waitForURL(/\/settings\/channels$/);
    await p.getByTestId("channels-empty").waitFor();

    // Connect a channel → API → the form of its type (the outbound URL), then the values shown once.
    await p.getByTestId("connect-channel").click();
    await p.getByTestId("connect-type-api").click();
    await p.getByTestId("field-name").fill("Shop backend");
    await p.getByTestId("field-outboundUrl").fill("not a url");
    await p.getByTestId("connect-submit").click();
    // The server's 400 is shown on the form.
    await p.getByTestId("connect-error").waitFor();
    expect(await p.getByTestId("connect-error").textContent()).toMatch(/Check the fields/);
    await p.getByTestId("field-outboundUrl").fill(receiver.url);
    await p.getByTestId("connect-submit").click();
    const reveal = p.getByTestId("reveal");
    await reveal.waitFor();
    expect(await reveal.textContent()).toContain("they are shown only once");
    secret = (await p.getByTestId("reveal-secret").textContent())!.trim();
    const webhookUrl = (await p.getByTestId("reveal-webhookUrl").textContent())!.trim();
    expect(secret).toMatch(/^\S{20,}$/);
    expect(webhookUrl).toMatch(new RegExp(`^${t.url}/api/webhooks/api/[0-9a-f-]{36}$`));
    await p.getByTestId("reveal-done").click();
    const card = p.getByTestId("connection");
    await eventually(() => card.getByTestId("connection-name").textContent()).toBe("Shop backend");
    expect(await card.textContent()).toContain("No webhook received yet");
    expect(await card.textContent()).toContain("Reports delivery");

    // The integrator signs a customer message with the revealed secret and posts it to the revealed URL.
    const raw = JSON.stringify({
      type: "message",
      id: "m-1",
      contact: { id: "buyer-7", name: "Berta Buyer", phone: "+49 30 1234567" },
      text: "Is my parcel on its way?",
    });
    const res = await fetch(webhookUrl, {
      method: "POST",
      headers: { "content-type": "application/json", "x-parley-signature": sign(secret, raw) },
      body: raw,
    });
    expect(res.status, await res.clone().text()).toBe(200);
    await p.reload();
    await eventually(() => card.getByTestId("connection-health").textContent()).toMatch(/^Last webhook /);
    await screenshot(p, "channels-page");

    // The conversation is closed…
    const [conv] = (await owner.get("/api/conversations")).body.conversations;
    expect(conv.contact.name).toBe("Berta Buyer");
    expect(conv.assigneeId).toBeNull();
    expect((await owner.post(`/api/conversations/${conv.id}/status`, { status: "closed" })).status).toBe(200);

    // …the agent finds the contact by phone in the contacts search and writes to them (R501).
    await p.getByTestId("user-menu").click();
    await p.getByTestId("menu-contacts").click();
    await p.waitForURL(/\/contacts$/);
    await p.getByTestId("contact-search").fill("1234567");
    const row = p.getByTestId("contact-row").filter({ hasText: "Berta Buyer" });
    await row.waitFor();
    await row.getByTestId("contact-write").click();
    await p.getByTestId("write-input").fill("Yes, it left our warehouse this morning.");
    await p.getByTestId("write-send").click();
    await p.waitForURL(new RegExp(`/inbox/${conv.id}`));
    const pane = p.getByTestId("conversation-pane");
    // The assignment (the status is a control of its own: a badge in a narrow header, a button in a wide one).
    await eventually(() => pane.getByTestId("conversation-assignee").textContent()).toBe("Assigned to me");
    await pane
      .locator('[data-testid="message"][data-direction="outbound"]')
      .filter({ hasText: "Yes, it left our warehouse this morning." })
      .waitFor();
    // Reopened, assigned to the writer, and delivered to the integrator's endpoint, signed.
    const after = (await owner.get(`/api/conversations/${conv.id}`)).body.conversation;
    expect(after).toMatchObject({ status: "open", assigneeId: owner.user!.id });
    await eventually(() => receiver.requests.length).toBe(1);
    expect(receiver.requests[0]!.signatureValid).toBe(true);
    expect(receiver.requests[0]!.body.text).toBe("Yes, it left our warehouse this morning.");
  });

  it("WhatsApp: a counted-down free window, then only templates: the picker fills, previews and sends one", async () => {
    const PNID = "106540352242922";
    const WABA = "102290129340398";
    const TOKEN = `EAAG${"e2e".repeat(12)}`;
    const APP_SECRET = "e2e-whatsapp-app-secret";
    const TEMPLATES: FakeTemplate[] = [
      {
        id: "2001",
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
        id: "2002",
        name: "spring_promo",
        language: "en_US",
        status: "REJECTED",
        category: "MARKETING",
        components: [{ type: "BODY", text: "50% off everything, {{1}}!" }],
      },
    ];
    const fake: WhatsAppFake = await startWhatsAppFake({
      phoneNumberId: PNID,
      accessToken: TOKEN,
      appSecret: APP_SECRET,
      businessAccountId: WABA,
    });
    cleanups.push(() => fake.close());
    fake.setTemplates(TEMPLATES);
    // The server's clock and the fake's move together past the 24-hour window.
    let offset = 0;
    const t = await server({
      env: { GRAPH_API_BASE: fake.url, GRAPH_API_VERSION: "v21.0" },
      clock: { now: () => new Date(Date.now() + offset) },
    });
    const { owner } = await newWorkspace(t, "Acme WhatsApp");

    const p = await page();
    await signIn(p, t.url, owner.user!.email);
    await p.goto(`${t.url}/settings/channels`);
    await p.getByTestId("connect-channel").click();
    await p.getByTestId("connect-type-whatsapp").click();
    await p.getByTestId("field-phoneNumberId").fill(PNID);
    await p.getByTestId("field-accessToken").fill(TOKEN);
    await p.getByTestId("field-appSecret").fill(APP_SECRET);
    expect(await p.getByTestId("field-accessToken").getAttribute("type")).toBe("password");
    await p.getByTestId("field-businessAccountId").fill("x1");
    await p.getByTestId("connect-submit").click();
    // The server's validation message is shown under the field it names.
    await eventually(() => p.getByText("businessAccountId is the numeric id").count()).toBeGreaterThan(0);
    await p.getByTestId("field-businessAccountId").fill(WABA);
    await p.getByTestId("connect-submit").click();
    await p.getByTestId("reveal").waitFor();
    const webhookUrl = (await p.getByTestId("reveal-webhookUrl").textContent())!.trim();
    const verifyToken = (await p.getByTestId("reveal-verifyToken").textContent())!.trim();
    await p.getByTestId("reveal-done").click();
    expect((await fake.subscribe(webhookUrl, verifyToken)).ok).toBe(true);

    // Sync templates: every status is listed, with its language and variable count.
    await p.getByTestId("toggle-templates").click();
    await p.getByTestId("sync-templates").click();
    await eventually(() => p.getByTestId("template-row").count()).toBe(2);
    const orderRow = p.getByTestId("template-row").filter({ hasText: "order_update" });
    expect(await orderRow.textContent()).toMatch(/en_US.*APPROVED.*3$/);
    expect(await p.getByTestId("template-row").filter({ hasText: "spring_promo" }).textContent()).toContain(
      "REJECTED",
    );

    // The customer writes: the composer counts the free window down.
    const customer = `1631${crypto.randomInt(1_000_000, 9_999_999)}`;
    const hi = fake.message(customer, { type: "text", text: { body: "Hi, any news?" } }, { name: "Kerry" });
    expect((await fake.deliver(hi.payload)).status).toBe(200);
    const [conv] = (await owner.get("/api/conversations")).body.conversations;
    await p.goto(`${t.url}/inbox/${conv.id}?view=all`);
    const pane = p.getByTestId("conversation-pane");
    const notice = pane.getByTestId("window-notice");
    await eventually(() => notice.getAttribute("data-state")).toBe("free");
    expect(await notice.textContent()).toMatch(/^You can reply freely for (23 h 59 min|24 h 0 min)$/);
    await screenshot(p, "composer-window-free");

    // 25 hours later: only a template may be sent; free text is disabled.
    offset += 25 * 3600_000;
    fake.advance(25 * 3600_000);
    await p.reload();
    await eventually(() => notice.getAttribute("data-state")).toBe("closed");
    expect(await notice.getAttribute("data-only")).toBe("template");
    expect(await notice.textContent()).toContain("Only an approved message template can be sent now.");
    expect(await pane.getByTestId("window-reason").textContent()).toMatch(/24/);
    expect(await pane.getByTestId("composer-input").isDisabled()).toBe(true);
    await screenshot(p, "composer-window-closed");

    await pane.getByTestId("send-template").click();
    await p.getByTestId("template-select").click();
    // Only approved templates are offered.
    expect(await p.getByRole("option").count()).toBe(1);
    await p.getByRole("option", { name: "order_update · en_US" }).click();
    await p.getByTestId("template-var-header-1").fill("#123");
    await p.getByTestId("template-var-body-1").fill("Kerry");
    expect(await p.getByTestId("template-send").isDisabled()).toBe(true);
    await p.getByTestId("template-var-body-2").fill("#123");
    expect(await p.getByTestId("template-preview").textContent()).toBe(
      "Order #123Hi Kerry, your order #123 has shipped.Parley Shop",
    );
    await screenshot(p, "template-picker");
    await p.getByTestId("template-send").click();
    await pane
      .locator('[data-testid="message"][data-direction="outbound"]')
      .filter({ hasText: "Hi Kerry, your order #123 has shipped." })
      .waitFor();
    // The template reached WhatsApp as a template message with its parameters.
    await eventually(
      () => fake.requestsTo(`/${PNID}/messages`).filter((r) => r.body?.to === customer).length,
    ).toBe(1);
    const [sent] = fake.requestsTo(`/${PNID}/messages`).filter((r) => r.body?.to === customer);
    expect(sent!.body).toMatchObject({
      type: "template",
      template: { name: "order_update", language: { code: "en_US" } },
    });
  });
});
