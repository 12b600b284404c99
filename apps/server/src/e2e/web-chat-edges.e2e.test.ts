import http from "node:http";
import type { AddressInfo } from "node:net";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failRepliesToDepartedVisitors } from "../modules/widget/visitor-left";
import { openTestDb } from "../testing/db";
import { newWorkspace, startTestServer, type TestServer } from "../testing/harness";
import { CHROMIUM, eventually, launchBrowser, signIn } from "./browser";

/**
 * Web chat edge cases in two browsers: an agent in the inbox, a visitor on a shop site embedding the widget.
 * A reply sent just after the visitor left turns into "visitor left" and then delivered when they come
 * back; the customer reopening a closed conversation shows a line in the feed; the widget asks for
 * read-tracking consent in consent mode (R307), in the widget's language.
 */
let agentBrowser: BrowserContext;
let closeAgentBrowser: (() => Promise<void>) | undefined;
let visitorBrowser: Browser;
let t: TestServer;
let siteUrl = "";
let connectionId = "";
const cleanups: (() => Promise<unknown>)[] = [];
/** The server's clock, moved forward past the visitor's presence timeout instead of waiting. */
let offsetMs = 0;

beforeAll(async () => {
  ({ browser: agentBrowser, close: closeAgentBrowser } = await launchBrowser());
  visitorBrowser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"],
  });
  const db = await openTestDb();
  t = await startTestServer(db.db, { clock: { now: () => new Date(Date.now() + offsetMs) } });
  cleanups.push(
    () => db.close(),
    () => t.close(),
  );
  const site = http.createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(
      `<!doctype html><html><head><title>Shop</title></head><body><div>Shop</div><script src="${t.url}/widget/loader.js" data-parley-widget="${connectionId}" async></script></body></html>`,
    );
  });
  await new Promise<void>((resolve) => site.listen(0, "127.0.0.1", resolve));
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  cleanups.push(() => new Promise((resolve) => site.close(resolve)));
}, 180_000);

afterAll(async () => {
  await visitorBrowser?.close();
  await closeAgentBrowser?.();
  for (const c of cleanups.reverse()) await c();
});

const frameOf = (page: Page) => page.frameLocator('iframe[data-parley="frame"]');

async function setUp(name: string, settings: Record<string, unknown> = {}) {
  const { owner } = await newWorkspace(t, name);
  const created = await owner.post("/api/connections", {
    type: "widget",
    name: "Shop website",
    settings: { allowedOrigins: [siteUrl], ...settings },
  });
  expect(created.status).toBe(201);
  connectionId = created.body.connection.id;
  await agentBrowser.clearCookies();
  const agent = await agentBrowser.newPage();
  await signIn(agent, t.url, owner.user!.email);
  await agent.getByTestId("view-all").click();
  return { owner, agent };
}

/** The visitor opens the shop, opens the chat and writes; the agent opens the conversation. */
async function visitorWrites(agent: Page, vctx: BrowserContext, text: string) {
  const shop = await vctx.newPage();
  await shop.goto(siteUrl);
  const frame = frameOf(shop);
  await frame.getByTestId("widget-launcher").click();
  await frame.getByTestId("widget-input").fill(text);
  await frame.getByTestId("widget-input").press("Enter");
  const row = agent.getByTestId("conversation-row").filter({ hasText: text });
  await row.waitFor({ timeout: 10_000 });
  await row.click();
  return { shop, frame, conversationId: (await row.getAttribute("data-conversation-id"))! };
}

describe("web chat edge cases in a browser", () => {
  it("a reply sent right after the visitor left shows 'visitor left' with the reason, then delivered when they return", async () => {
    const { agent } = await setUp("Left shop");
    const vctx = await visitorBrowser.newContext({ locale: "en-US" });
    const { shop } = await visitorWrites(agent, vctx, "Is this in stock?");
    const pane = agent.getByTestId("conversation-pane");
    await pane.locator('[data-testid="message"][data-direction="inbound"]').first().waitFor();

    // The visitor closes the tab; the agent answers within the minute the visitor still counts as present.
    await shop.close();
    const input = pane.getByTestId("composer-input");
    await input.fill("Yes, three left.");
    await input.press("Enter");
    const reply = pane
      .locator('[data-testid="message"][data-direction="outbound"]')
      .filter({ hasText: "Yes, three left." });
    await eventually(() => reply.getByTestId("delivery").getAttribute("data-state")).toBe("sent");

    // A minute and more later the visitor is confirmed gone: a red cross saying why.
    offsetMs += 70_000;
    // (The worker's scheduled task may get there first; running it again changes nothing.)
    await failRepliesToDepartedVisitors(t.server.ctx);
    await eventually(() => reply.getByTestId("delivery").getAttribute("data-state")).toBe("failed");
    expect(await reply.getByTestId("delivery").getAttribute("aria-label")).toContain(
      "the customer left the web chat",
    );

    // The visitor comes back to the shop: the widget shows the reply and it is no longer a failure.
    const back = await vctx.newPage();
    await back.goto(siteUrl);
    const frame = frameOf(back);
    await eventually(() =>
      frame.locator('[data-from="agent"]').filter({ hasText: "Yes, three left." }).count(),
    ).toBe(1);
    await eventually(async () =>
      ["delivered", "read"].includes((await reply.getByTestId("delivery").getAttribute("data-state")) ?? ""),
    ).toBe(true);
    await vctx.close();
    await agent.close();
  });

  it("the customer reopening a closed conversation shows a line in the agent's feed", async () => {
    const { owner, agent } = await setUp("Reopen shop");
    const vctx = await visitorBrowser.newContext({ locale: "en-US" });
    const { frame, conversationId } = await visitorWrites(agent, vctx, "Where is my parcel?");
    const closed = await owner.post(`/api/conversations/${conversationId}/status`, { status: "closed" });
    expect(closed.status).toBe(200);
    await frame.getByTestId("widget-input").fill("Still waiting, sorry");
    await frame.getByTestId("widget-input").press("Enter");
    const row = agent.getByTestId("conversation-row").filter({ hasText: "Still waiting, sorry" });
    await row.waitFor({ timeout: 10_000 });
    await row.click();
    const pane = agent.getByTestId("conversation-pane");
    await eventually(() => pane.getByTestId("system-event").allTextContents()).toContainEqual(
      expect.stringContaining("The customer wrote and reopened the conversation"),
    );
    await vctx.close();
    await agent.close();
  });

  it("asks the visitor for read-tracking consent in the widget's language and records the answer", async () => {
    const { owner, agent } = await setUp("Consent shop", { language: "ru" });
    expect((await owner.patch("/api/receipts/settings", { consentMode: true })).status).toBe(200);
    const vctx = await visitorBrowser.newContext({ locale: "ru-RU" });
    const { frame, conversationId } = await visitorWrites(agent, vctx, "Здравствуйте");
    const consent = frame.getByTestId("widget-consent");
    await eventually(() => consent.textContent()).toContain("Можно нам видеть, что вы прочитали");
    await frame.getByTestId("widget-consent-yes").click();
    await eventually(() => consent.isVisible()).toBe(false);
    const [row] = await t.server.ctx.db.query<{ consent: boolean | null }>(
      `select ct.read_tracking_consent as consent from conversations c join contacts ct on ct.id = c.contact_id
       where c.id = $1`,
      [conversationId],
    );
    expect(row!.consent).toBe(true);
    // A reload does not ask again.
    const again = await vctx.newPage();
    await again.goto(siteUrl);
    const frame2 = frameOf(again);
    await eventually(() => frame2.getByTestId("widget-message").count()).toBe(1);
    expect(await frame2.getByTestId("widget-consent").isVisible()).toBe(false);
    await vctx.close();
    await agent.close();
  });

  it("shows a reply written while the visitor's socket was down, though their own later message was answered first", async () => {
    const { owner, agent } = await setUp("Blip shop");
    const vctx = await visitorBrowser.newContext({ locale: "en-US" });
    // The visitor's socket connects while `up`; otherwise each attempt is refused at once. Plain requests
    // (sending a message) still go through.
    let up = true;
    await vctx.routeWebSocket(/\/api\/widget\/socket/, (ws) => {
      if (up) ws.connectToServer();
      else ws.close();
    });
    const { frame, conversationId } = await visitorWrites(agent, vctx, "Hello?");
    const banner = frame.getByTestId("widget-banner");
    await eventually(() => banner.textContent()).toBe("");

    // The socket drops and cannot come back for now.
    up = false;
    const [visitor] = await t.server.ctx.db.query<{ id: string }>(
      "select id from widget_visitors where connection_id = $1",
      [connectionId],
    );
    t.server.widgetHub.closeVisitor(visitor!.id);
    await eventually(() => banner.textContent()).toContain("Reconnecting");
    // The agent answers; then the visitor writes again, and the answer to that request comes back at once.
    const reply = await owner.post(`/api/conversations/${conversationId}/messages`, {
      text: "Yes, we are here.",
    });
    expect(reply.status).toBe(201);
    await frame.getByTestId("widget-input").fill("Anyone?");
    await frame.getByTestId("widget-input").press("Enter");
    const mine = frame.locator('[data-testid="widget-message"][data-from="visitor"]');
    await eventually(() => mine.last().getByTestId("widget-tick").getAttribute("data-state")).toBe("sent");
    expect(await frame.locator('[data-from="agent"]').count()).toBe(0);

    // The socket may come back: it resumes before the agent's reply, not after the visitor's own message.
    up = true;
    await eventually(() => banner.textContent()).toBe("");
    await eventually(() =>
      frame.locator('[data-from="agent"]').filter({ hasText: "Yes, we are here." }).count(),
    ).toBe(1);
    await vctx.close();
    await agent.close();
  });
});
