import { describe, expect, it } from "vitest";
import { gate } from "../testing/gate";
import { apiConnection, inbound, newWorkspace, PASSWORD } from "../testing/harness";
import { startReceiver } from "../testing/outbound-receiver";
import { eventually, signIn, socketOpen, useBrowser } from "./browser";

/**
 * End to end, in a real browser: Debian's chromium driven by playwright-core against a real server (the
 * built web app, the REST API, the realtime socket) on a real database.
 */
const { cleanups, newPage, serverOnFreshDb } = useBrowser();

describe("agent web app", () => {
  it("first run: creates the owner through the onboarding form and lands in the inbox", async () => {
    const t = await serverOnFreshDb();
    const page = await newPage();
    await page.goto(`${t.url}/`);
    await page.waitForURL(/\/setup$/);
    await page.getByLabel("Workspace name").fill("Acme");
    await page.getByLabel("Your name").fill("Olga Owner");
    await page.getByLabel("Email").fill("olga@example.com");
    await page.locator(`input[name="password"]`).fill(PASSWORD);
    await page.getByRole("button", { name: "Create workspace" }).click();
    await page.waitForURL(/\/inbox\?view=mine$/);
    await eventually(() => page.getByTestId("user-menu").textContent()).toContain("Olga Owner");
    const setup = await fetch(`${t.url}/api/setup`).then((r) => r.json());
    expect(setup).toEqual({ needsSetup: false });
  });

  it("pages through a long list with the API's cursor while scrolling the virtualized list", async () => {
    const t = await serverOnFreshDb();
    const { owner } = await newWorkspace(t, "Busy Shop");
    const conn = await apiConnection(t, owner);
    const events = Array.from({ length: 70 }, (_, i) => inbound(`p${i}`, `Question number ${i}`));
    // One by one, so each conversation has its own last activity (the oldest is p0).
    for (const e of events) expect((await conn.post(e)).status).toBe(200);
    const page = await newPage();
    await page.goto(`${t.url}/sign-in`);
    await page.getByLabel("Email").fill(owner.user!.email);
    await page.locator(`input[name="password"]`).fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/inbox/);
    const pages: string[] = [];
    page.on("request", (r) => {
      if (r.url().includes("/api/conversations?")) pages.push(r.url());
    });
    await page.goto(`${t.url}/inbox?view=unassigned`);
    const list = page.getByTestId("conversation-list");
    await page.getByTestId("conversation-row").first().waitFor();
    expect(await page.getByTestId("conversation-row").first().getByTestId("row-name").textContent()).toBe(
      "Contact p69",
    );
    // Only the visible rows are in the DOM.
    expect(await page.getByTestId("conversation-row").count()).toBeLessThan(40);
    const oldest = page.getByTestId("conversation-row").filter({ hasText: "Question number 0" });
    await eventually(async () => {
      await list.evaluate((el) => el.scrollTo(0, el.scrollHeight));
      return oldest.count();
    }).toBe(1);
    expect(
      pages.some((u) => u.includes("cursor=") && u.includes("unassigned=true")),
      pages.join("\n"),
    ).toBe(true);
  });

  it("signs in, sees a customer message arrive live, replies with receipts, switches language, keeps the draft", async () => {
    const t = await serverOnFreshDb();
    const { owner } = await newWorkspace(t, "Acme Support");
    let secret = "";
    const receiver = await startReceiver(() => secret);
    cleanups.push(() => receiver.close());
    const conn = await apiConnection(t, owner, receiver.url);
    secret = conn.secret;

    const page = await newPage();
    await page.goto(`${t.url}/inbox`);
    await page.waitForURL(/\/sign-in$/);
    await page.getByLabel("Email").fill(owner.user!.email);
    await page.locator(`input[name="password"]`).fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/inbox\?view=mine$/);
    await page.getByTestId("view-all").click();
    await page.waitForURL(/view=all/);
    await eventually(() => page.getByTestId("list-empty").isVisible()).toBe(true);
    const unreadBadge = page.getByTestId("unread-count");
    await eventually(() => unreadBadge.textContent()).toBe("0 unread conversations");
    // Wait for the socket: whatever is posted from now on must arrive without a reload.
    await socketOpen(page);
    await page.evaluate(() => {
      (globalThis as unknown as { notReloaded: boolean }).notReloaded = true;
    });

    // A customer writes: the conversation appears in the list live, unread.
    const r = await conn.post(inbound("cust-1", "Hello, where is my order?"));
    expect(r.status).toBe(200);
    await page
      .getByTestId("conversation-row")
      .filter({ hasText: "Hello, where is my order?" })
      .waitFor({ timeout: 5000 });
    const conversationId = await page
      .getByTestId("conversation-row")
      .first()
      .getAttribute("data-conversation-id");
    const row = page.locator(`[data-testid="conversation-row"][data-conversation-id="${conversationId}"]`);
    expect(await row.getByTestId("row-name").textContent()).toBe("Contact cust-1");
    expect(await row.getByTestId("row-unread").textContent()).toBe("1");
    await eventually(() => unreadBadge.textContent()).toBe("1 unread conversation");
    expect(await page.evaluate(() => (globalThis as unknown as { notReloaded?: boolean }).notReloaded)).toBe(
      true,
    );

    // Opening it shows the feed and marks it read.
    await row.click();
    const pane = page.getByTestId("conversation-pane");
    await eventually(() => pane.getByTestId("conversation-contact").textContent()).toBe("Contact cust-1");
    const customerMessage = pane.locator('[data-testid="message"][data-direction="inbound"]');
    expect(await customerMessage.getByTestId("message-text").textContent()).toBe("Hello, where is my order?");
    await eventually(() => unreadBadge.textContent()).toBe("0 unread conversations");
    await eventually(() => row.getByTestId("row-unread").count()).toBe(0);
    expect(await pane.getByTestId("day-separator").first().textContent()).toBe("Today");

    // Reply through the composer (Enter sends): the integrator's endpoint accepts it → one tick.
    const input = pane.getByTestId("composer-input");
    await input.fill("Hi! It ships today.");
    await input.press("Enter");
    const reply = pane
      .locator('[data-testid="message"][data-direction="outbound"]')
      .filter({ hasText: "Hi! It ships today." });
    await reply.waitFor();
    expect(await input.inputValue()).toBe("");
    await eventually(() => receiver.requests.length).toBe(1);
    const sent = receiver.requests[0]!;
    expect(sent.signatureValid).toBe(true);
    expect(sent.body.text).toBe("Hi! It ships today.");
    await eventually(() => reply.getByTestId("delivery").getAttribute("data-state")).toBe("sent");

    // The customer read it: the status report arrives on the webhook → two ticks, live.
    const status = await conn.post({ type: "status", messageId: `ext-${sent.body.id}`, status: "read" });
    expect(status.status).toBe(200);
    await eventually(() => reply.getByTestId("delivery").getAttribute("data-state")).toBe("read");
    // The list row follows: "You: …" with the read ticks.
    await eventually(() => row.getByTestId("row-preview").textContent()).toBe("You: Hi! It ships today.");
    expect(await row.getByTestId("delivery").getAttribute("data-state")).toBe("read");

    // A draft is saved as the agent types (debounced PUT).
    const saved = page.waitForResponse(
      (res) => res.url().endsWith("/draft") && res.request().method() === "PUT" && res.ok(),
    );
    await input.fill("Draft: also a discount code");
    await saved;

    // Russian: every label follows, plurals included.
    await page.getByTestId("language-switch").click();
    await page.getByTestId("language-ru").click();
    await eventually(() => page.getByTestId("view-all").textContent()).toBe("Все");
    expect(await page.getByTestId("view-mine").textContent()).toBe("Мои");
    expect(await pane.getByTestId("composer-send").textContent()).toBe("Отправить");
    expect(await unreadBadge.textContent()).toBe("0 непрочитанных разговоров");
    expect(await pane.getByTestId("day-separator").first().textContent()).toBe("Сегодня");

    // After a reload: same language, the draft is back, the feed and its receipts are still there.
    await page.reload();
    await pane.getByTestId("composer-input").waitFor();
    await eventually(() => pane.getByTestId("composer-input").inputValue()).toBe(
      "Draft: also a discount code",
    );
    expect(await page.getByTestId("view-all").textContent()).toBe("Все");
    await eventually(() => pane.getByTestId("message").count()).toBe(2);
    expect(await reply.getByTestId("delivery").getAttribute("data-state")).toBe("read");
    expect(await reply.getByTestId("delivery").getAttribute("aria-label")).toBe("Прочитано");
    // The list shows the draft as the row's last line (R205).
    await eventually(() => row.getByTestId("row-preview").textContent()).toBe(
      "Черновик: Draft: also a discount code",
    );

    const shot = process.env.E2E_SCREENSHOT;
    if (shot) await page.screenshot({ path: shot });
  });

  it("shows a message that came after its list was read and before its socket attached", async () => {
    const t = await serverOnFreshDb();
    const { owner } = await newWorkspace(t, "Late Socket");
    const conn = await apiConnection(t, owner);
    const page = await newPage();
    await signIn(page, t.url, owner.user!.email);
    await page.goto("about:blank");
    // On the next page, the list's first load is read by the server at once and answered only when released;
    // the socket attaches only when released.
    const list = gate();
    const socket = gate();
    let listRead = false;
    await page.route(/\/api\/conversations\?/, async (route) => {
      if (listRead) return route.continue();
      const answer = await route.fetch();
      listRead = true;
      await list.opened;
      await route.fulfill({ response: answer });
    });
    await page.routeWebSocket(/\/api\/realtime/, async (ws) => {
      await socket.opened;
      ws.connectToServer();
    });
    await page.goto(`${t.url}/inbox?view=all`);
    await eventually(() => listRead).toBe(true);

    // A customer writes after the list was read; the socket, attached later, starts after the message.
    expect((await conn.post(inbound("late-1", "Anyone there?"))).status).toBe(200);
    socket.open();
    await socketOpen(page);
    list.open();
    await page
      .getByTestId("conversation-row")
      .filter({ hasText: "Anyone there?" })
      .waitFor({ timeout: 8000 });
  });

  it("shows the unread count of a conversation that enters a view live, and of one marked unread", async () => {
    const t = await serverOnFreshDb();
    const { owner } = await newWorkspace(t, "Counts Shop");
    const conn = await apiConnection(t, owner);
    for (const text of ["Hello?", "Is anyone there?"])
      expect((await conn.post(inbound("enter-1", text))).status).toBe(200);
    const page = await newPage();
    await signIn(page, t.url, owner.user!.email);
    // Only "Mine" is loaded, and it is empty: no list in the tab knows the conversation.
    await page.goto(`${t.url}/inbox?view=mine`);
    await socketOpen(page);
    const rows = page.getByTestId("conversation-row");
    await page.getByTestId("list-empty").waitFor();

    // Assigned to me elsewhere: it enters "Mine" with its two unread messages.
    const id = (await owner.get("/api/conversations?view=all")).body.conversations[0].id as string;
    const assigned = await owner.post(`/api/conversations/${id}/assign`, { assigneeId: owner.user!.id });
    expect(assigned.status, JSON.stringify(assigned.body)).toBe(200);
    const row = rows.filter({ hasText: "Is anyone there?" });
    await eventually(() => row.getByTestId("row-unread").textContent()).toBe("2");

    // Read, then marked unread for me (another tab): 1. The customer writes again: 1 unread message, still 1.
    await owner.post(`/api/conversations/${id}/read`, {});
    await eventually(() => row.getByTestId("row-unread").count()).toBe(0);
    await owner.post(`/api/conversations/${id}/unread`);
    await eventually(() => row.getByTestId("row-unread").textContent()).toBe("1");
    expect((await conn.post(inbound("enter-1", "Hello again"))).status).toBe(200);
    const again = rows.filter({ hasText: "Hello again" });
    await again.waitFor();
    await eventually(async () => {
      const shown = await again.getByTestId("row-unread").textContent();
      const server = (await owner.get(`/api/conversations/${id}`)).body.conversation.unreadCount;
      return `${shown} / ${server}`;
    }).toBe("1 / 1");
  });
});
