import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeAbandonedWidgetConversations } from "../modules/widget/auto-close";
import { openTestDb } from "../testing/db";
import { newWorkspace, startTestServer, type TestServer } from "../testing/harness";
import { CHROMIUM, eventually, launchBrowser, screenshot, signIn, socketOpen } from "./browser";

/**
 * The website chat widget end to end: a shop page on another origin (another port) with a strict
 * Content-Security-Policy embeds the widget with one script tag; a visitor in one browser chats with an agent
 * signed in to the inbox in another. Real server, real database, real Chromium on both sides.
 */
let agentBrowser: BrowserContext;
let closeAgentBrowser: (() => Promise<void>) | undefined;
let visitorBrowser: Browser;
let t: TestServer;
let site: http.Server;
let siteUrl = "";
let connectionId = "";
const cleanups: (() => Promise<unknown>)[] = [];
/** The server's clock, moved forward for auto-close instead of waiting an hour. */
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
  // The shop: another origin, a strict CSP (no inline scripts or styles; only Parley may be loaded and
  // framed) and a style sheet that would wreck any widget that inherited it.
  site = http.createServer((req, res) => {
    if (req.url?.startsWith("/site.css")) {
      res.writeHead(200, { "content-type": "text/css" });
      res.end("div, button, textarea { color: rgb(255, 0, 0) !important; font-size: 40px !important; }");
      return;
    }
    res.writeHead(200, {
      "content-type": "text/html; charset=utf-8",
      "content-security-policy": `default-src 'none'; script-src ${t.url}; frame-src ${t.url}; style-src 'self'; img-src 'self'`,
    });
    // ?uid=&hash= plays the site's backend putting its signed-in user into the tag.
    const q = new URL(req.url ?? "/", "http://x").searchParams;
    const user = q.get("uid") ? ` data-user-id="${q.get("uid")}" data-user-hash="${q.get("hash")}"` : "";
    res.end(
      `<!doctype html><html><head><title>Shop</title><link rel="stylesheet" href="/site.css"></head><body><div>Welcome to the shop</div><script src="${t.url}/widget/loader.js" data-parley-widget="${connectionId}"${user} async></script></body></html>`,
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

async function visitorPage(ctx: BrowserContext, path = "/") {
  const page = await ctx.newPage();
  const problems: string[] = [];
  page.on("pageerror", (e) => problems.push(e.message));
  page.on("console", (m) => {
    // A CSP violation or a refused session would show here.
    if (m.type() === "error") problems.push(m.text());
  });
  await page.goto(siteUrl + path);
  return { page, problems };
}

const frameOf = (page: Page) => page.frameLocator('iframe[data-parley="frame"]');

describe("web chat widget in a browser", () => {
  it("a visitor on another site chats live with an agent; ticks, reload, a network cut and auto-close", async () => {
    const { owner } = await newWorkspace(t, "Shop");
    const created = await owner.post("/api/connections", {
      type: "widget",
      name: "Shop website",
      settings: { allowedOrigins: [siteUrl], greeting: "Hi! Ask us anything.", color: "#2f9e44" },
    });
    expect(created.status).toBe(201);
    connectionId = created.body.connection.id;

    // The agent waits in the inbox.
    const agent = await agentBrowser.newPage();
    await signIn(agent, t.url, owner.user!.email);
    await agent.getByTestId("view-all").click();
    await socketOpen(agent);

    // The visitor opens the shop (landing with UTM parameters) and the widget loads lazily into its frame.
    const vctx = await visitorBrowser.newContext({ locale: "en-US" });
    const { page: shop, problems } = await visitorPage(vctx, "/?utm_source=e2e&utm_campaign=launch");
    const frame = frameOf(shop);
    await frame.getByTestId("widget-launcher").click();
    await eventually(() => frame.getByTestId("widget-greeting").textContent()).toBe("Hi! Ask us anything.");
    // The shop's CSS does not reach the widget.
    const color = await frame.getByTestId("widget-greeting").evaluate(
      // Runs in the page (the server's tsconfig has no DOM types).
      (e) =>
        (globalThis as unknown as { getComputedStyle(x: unknown): { color: string } }).getComputedStyle(e)
          .color,
    );
    expect(color).not.toBe("rgb(255, 0, 0)");

    await frame.getByTestId("widget-input").fill("Hello, do you ship to Kyiv?");
    await frame.getByTestId("widget-input").press("Enter");
    const mine = frame.locator('[data-testid="widget-message"][data-from="visitor"]');
    await eventually(() => mine.first().getByTestId("widget-tick").getAttribute("data-state")).toBe("sent");

    // The agent sees it live and opens it: the visitor's tick turns to read.
    const row = agent.getByTestId("conversation-row").filter({ hasText: "Hello, do you ship to Kyiv?" });
    await row.waitFor({ timeout: 8000 });
    await row.click();
    const pane = agent.getByTestId("conversation-pane");
    await pane.locator('[data-testid="message"][data-direction="inbound"]').first().waitFor();
    await eventually(() => mine.first().getByTestId("widget-tick").getAttribute("data-state")).toBe("read");

    // The source of the conversation is stored (landing page with UTM, browser).
    const conversationId = (await row.getAttribute("data-conversation-id"))!;
    const detail = await owner.get(`/api/conversations/${conversationId}`);
    expect(detail.body.conversation.source).toMatchObject({ utm_source: "e2e", utm_campaign: "launch" });
    expect(detail.body.conversation.source.browser).toMatch(/Chrome/);
    await agent.getByTestId("panel-toggle").click();
    await eventually(() => agent.getByTestId("contact-source").allTextContents()).toContainEqual(
      expect.stringContaining("e2e"),
    );

    // The agent replies: the visitor sees it live; the widget is open and focused, so the ticks reach read.
    const input = pane.getByTestId("composer-input");
    await input.fill("Yes, in two days.");
    await input.press("Enter");
    await eventually(() =>
      frame.locator('[data-from="agent"]').filter({ hasText: "Yes, in two days." }).count(),
    ).toBe(1);
    const reply = pane
      .locator('[data-testid="message"][data-direction="outbound"]')
      .filter({ hasText: "Yes, in two days." });
    await eventually(() => reply.getByTestId("delivery").getAttribute("data-state")).toBe("read");

    await screenshot(shop, "widget-visitor");
    await screenshot(agent, "widget-agent");
    // A reload keeps the history.
    await shop.reload();
    await eventually(() => frame.getByTestId("widget-message").count()).toBe(2);
    expect(await frame.getByTestId("widget-messages").textContent()).toContain("Yes, in two days.");

    // The network drops mid-conversation: the agent writes, the visitor writes; nothing is lost or doubled.
    await eventually(() => frame.getByTestId("widget-banner").textContent()).toBe("");
    await vctx.setOffline(true);
    const [visitor] = await t.server.ctx.db.query<{ id: string }>(
      "select id from widget_visitors where connection_id = $1",
      [connectionId],
    );
    t.server.widgetHub.closeVisitor(visitor!.id);
    await eventually(() => frame.getByTestId("widget-banner").textContent()).toContain("Reconnecting");
    await input.fill("Your order number, please?");
    await input.press("Enter");
    await frame.getByTestId("widget-input").fill("It is 1234");
    await frame.getByTestId("widget-input").press("Enter");
    await eventually(() => mine.last().getByTestId("widget-tick").getAttribute("data-state")).toBe("pending");
    await vctx.setOffline(false);
    await eventually(() =>
      frame.locator('[data-from="agent"]').filter({ hasText: "Your order number" }).count(),
    ).toBe(1);
    await eventually(() =>
      pane
        .locator('[data-testid="message"][data-direction="inbound"]')
        .filter({ hasText: "It is 1234" })
        .count(),
    ).toBe(1);
    await eventually(() => frame.getByTestId("widget-message").count()).toBe(4);
    const feed = await owner.get(`/api/conversations/${conversationId}/messages`);
    const texts = feed.body.messages
      .filter((m: { kind: string }) => m.kind === "message")
      .map((m: { text: string }) => m.text);
    expect(texts).toEqual([
      "Hello, do you ship to Kyiv?",
      "Yes, in two days.",
      "Your order number, please?",
      "It is 1234",
    ]);
    // Only the failed attempts while offline were reported: no CSP violation, no refused request.
    expect(problems.filter((p) => !p.includes("ERR_INTERNET_DISCONNECTED"))).toEqual([]);

    // The visitor leaves; an hour later (the server's clock moved) the conversation closes by itself.
    await shop.close();
    await vctx.close();
    offsetMs += 61 * 60_000;
    expect(await closeAbandonedWidgetConversations(t.server.ctx)).toBe(1);
    const closed = await owner.get(`/api/conversations/${conversationId}`);
    expect(closed.body.conversation.status).toBe("closed");
    await agent.close();
  });

  it("an admin creates a widget and sets it up with a live preview", async () => {
    const { owner } = await newWorkspace(t, "Settings");
    await agentBrowser.clearCookies();
    const page = await agentBrowser.newPage();
    await signIn(page, t.url, owner.user!.email);
    await page.goto(`${t.url}/settings/widget`);
    await page.getByTestId("widget-new-name").fill("Main site");
    await page.getByTestId("widget-create").click();
    await eventually(() => page.getByTestId("widget-reveal-embed").textContent()).toContain(
      "/widget/loader.js",
    );
    expect(((await page.getByTestId("widget-reveal-secret").textContent()) ?? "").length).toBeGreaterThan(30);
    await page.getByTestId("widget-reveal-done").click();

    await page.getByTestId("widget-greeting-input").fill("Вітаємо!");
    await eventually(() => page.getByTestId("preview-greeting").textContent()).toBe("Вітаємо!");
    await page.getByTestId("widget-language").click();
    await page.getByRole("option", { name: "Ukrainian" }).click();
    await eventually(() => page.getByTestId("preview-title").textContent()).toBe("Напишіть нам");
    await page.getByText("Left", { exact: true }).click();
    await eventually(() => page.getByTestId("widget-preview").getAttribute("data-position")).toBe("left");
    await page.getByTestId("widget-origins").fill("https://main.example");
    await page.getByTestId("widget-origins").press("Enter");
    await screenshot(page, "widget-settings");
    await page.getByTestId("widget-save").click();
    await page.getByTestId("widget-saved").waitFor();
    const list = await owner.get("/api/connections");
    const widget = list.body.connections.find((c: { type: string }) => c.type === "widget");
    expect(widget.settings).toMatchObject({
      greeting: "Вітаємо!",
      language: "uk",
      position: "left",
      allowedOrigins: ["https://main.example"],
    });
    expect(await page.getByTestId("widget-embed-code").textContent()).toContain(widget.id);
    await page.close();
  });

  it("asks the pre-chat form, sends a file, and attaches a verified user of the site", async () => {
    const { owner } = await newWorkspace(t, "Forms");
    const created = await owner.post("/api/connections", {
      type: "widget",
      name: "Form site",
      settings: {
        allowedOrigins: [siteUrl],
        preChat: { name: "required", email: "optional", phone: "off" },
        identityVerification: true,
        language: "ru",
      },
    });
    connectionId = created.body.connection.id;
    const secret = created.body.reveal.identitySecret as string;
    const vctx = await visitorBrowser.newContext();
    const { page, problems } = await visitorPage(vctx);
    const frame = frameOf(page);
    await frame.getByTestId("widget-launcher").click();
    // The form first (in the widget's language); the composer appears once it is filled in.
    await frame.getByTestId("widget-prechat").waitFor();
    expect(await frame.getByTestId("widget-input").isVisible()).toBe(false);
    expect(await frame.getByTestId("widget-prechat-submit").textContent()).toBe("Начать чат");
    await frame.getByTestId("widget-prechat-submit").click();
    expect(await frame.getByTestId("widget-prechat-name").getAttribute("aria-invalid")).toBe("true");
    await frame.getByTestId("widget-prechat-name").fill("Olena");
    await frame.getByTestId("widget-prechat-email").fill("olena@example.com");
    await frame.getByTestId("widget-prechat-submit").click();
    await frame.getByTestId("widget-input").waitFor();
    await frame.getByTestId("widget-file").setInputFiles({
      name: "invoice.txt",
      mimeType: "text/plain",
      buffer: Buffer.from("order 1234"),
    });
    await eventually(() =>
      frame.locator('[data-from="visitor"]').filter({ hasText: "invoice.txt" }).count(),
    ).toBe(1);
    const list = await owner.get("/api/conversations?status=open,in_progress,closed");
    const conv = list.body.conversations[0];
    expect(conv.contact.name).toBe("Olena");
    const feed = await owner.get(`/api/conversations/${conv.id}/messages`);
    const withFile = feed.body.messages.find((m: { attachments: unknown[] }) => m.attachments.length);
    expect(withFile.attachments[0]).toMatchObject({ name: "invoice.txt", mimeType: "text/plain", size: 10 });
    await page.close();

    // The site's signed-in user (HMAC from its backend): a new visitor attached to that user, whose history
    // follows them to another browser.
    const hash = crypto.createHmac("sha256", secret).update("customer-7").digest("hex");
    const signed = await visitorPage(vctx, `/?uid=customer-7&hash=${hash}`);
    const signedFrame = frameOf(signed.page);
    // The chat was left open in this browser: it opens again by itself.
    await signedFrame.getByTestId("widget-prechat-name").fill("Known");
    await signedFrame.getByTestId("widget-prechat-submit").click();
    await signedFrame.getByTestId("widget-input").fill("Signed in and asking");
    await signedFrame.getByTestId("widget-input").press("Enter");
    await eventually(() => signedFrame.getByTestId("widget-message").count()).toBe(1);
    const other = await visitorBrowser.newContext();
    const again = await visitorPage(other, `/?uid=customer-7&hash=${hash}`);
    await frameOf(again.page).getByTestId("widget-launcher").click();
    await eventually(() => frameOf(again.page).getByTestId("widget-messages").textContent()).toContain(
      "Signed in and asking",
    );
    // A forged hash is refused: the widget stays hidden and says why in the console.
    const forged = await visitorPage(other, `/?uid=customer-7&hash=${"0".repeat(64)}`);
    await eventually(() => forged.problems.some((p) => p.includes("identity hash does not match"))).toBe(
      true,
    );
    expect(problems).toEqual([]);
    expect(signed.problems).toEqual([]);
    await vctx.close();
    await other.close();
  }, 90_000);

  it("refuses to start on a site that is not allowed, with a clear error", async () => {
    const { owner } = await newWorkspace(t, "Other");
    const created = await owner.post("/api/connections", {
      type: "widget",
      name: "Elsewhere",
      settings: { allowedOrigins: ["https://elsewhere.example"] },
    });
    connectionId = created.body.connection.id;
    const vctx = await visitorBrowser.newContext();
    const { page, problems } = await visitorPage(vctx);
    // The frame may not even be embedded here (frame-ancestors): no launcher appears, the browser says why.
    await eventually(() => problems.some((p) => /frame-ancestors|Refused to frame/.test(p))).toBe(true);
    expect(await frameOf(page).getByTestId("widget-launcher").count()).toBe(0);
    await vctx.close();
  });

  it("shows typing both ways: the visitor's in the inbox, the agent's in the widget", async () => {
    const { owner } = await newWorkspace(t, "Typing");
    const created = await owner.post("/api/connections", {
      type: "widget",
      name: "Typing site",
      settings: { allowedOrigins: [siteUrl] },
    });
    connectionId = created.body.connection.id;
    // A browser of its own: the shared agent browser is signed in to another workspace.
    const agentContext = await visitorBrowser.newContext({ locale: "en-US" });
    const agent = await agentContext.newPage();
    await signIn(agent, t.url, owner.user!.email);
    // The contact panel open (it shows the widget's source fields with their labels).
    await agent.evaluate(() =>
      (
        globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }
      ).localStorage.setItem("parley.sidePanel", "on"),
    );
    await agent.getByTestId("view-all").click();
    const vctx = await visitorBrowser.newContext({ locale: "en-US", timezoneId: "Asia/Tokyo" });
    const { page: shop, problems } = await visitorPage(vctx);
    const frame = frameOf(shop);
    await frame.getByTestId("widget-launcher").click();
    await frame.getByTestId("widget-input").fill("First question");
    await frame.getByTestId("widget-input").press("Enter");
    const row = agent.getByTestId("conversation-row").filter({ hasText: "First question" });
    await row.click();
    const pane = agent.getByTestId("conversation-pane");
    await pane.locator('[data-testid="message"][data-direction="inbound"]').first().waitFor();
    expect(await pane.getByTestId("typing-indicator").count()).toBe(0);

    // The widget's source fields carry labels, never raw keys.
    await eventually(() => agent.getByTestId("contact-source").count()).toBeGreaterThanOrEqual(6);
    const source = await agent.getByTestId("contact-source").allTextContents();
    for (const label of [
      "Current page:",
      "Page title: Shop",
      "Browser: Chrome",
      "Operating system:",
      "Language: en-US",
      "Time zone: Asia/Tokyo",
    ])
      expect(
        source.some((line) => line.startsWith(label)),
        `${label} in ${source.join(" | ")}`,
      ).toBe(true);
    expect(
      source.filter((line) => /^(currentPage|pageTitle|browser|os|language|timezone):/.test(line)),
    ).toEqual([]);

    // The visitor types (without sending): the agent sees it.
    await frame.getByTestId("widget-input").pressSequentially("And one m", { delay: 20 });
    await eventually(() => pane.getByTestId("typing-indicator").textContent()).toBe(
      "The customer is typing…",
    );
    // Sending ends it.
    await frame.getByTestId("widget-input").press("Enter");
    await eventually(() => pane.getByTestId("typing-indicator").count()).toBe(0);

    // The agent types a reply: the widget shows the agent typing, and it ends when the reply is sent.
    const typing = frame.getByTestId("widget-typing");
    expect(await typing.textContent()).toBe("");
    const input = pane.getByTestId("composer-input");
    await input.pressSequentially("Sure, let me", { delay: 20 });
    await eventually(() => typing.textContent()).toBe("Typing…");
    await input.press("Enter");
    await eventually(() =>
      frame.locator('[data-from="agent"]').filter({ hasText: "Sure, let me" }).count(),
    ).toBe(1);
    await eventually(() => typing.textContent()).toBe("");
    expect(problems).toEqual([]);
    await agentContext.close();
    await vctx.close();
  }, 90_000);
});
