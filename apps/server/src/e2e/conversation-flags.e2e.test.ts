import type { Locator } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { apiConnection, inbound, newWorkspace, type TestServer } from "../testing/harness";
import { eventually, signIn, useBrowser } from "./browser";

/** Whether the element has the page's focus. */
const hasFocus = (l: Locator) =>
  l.evaluate(
    (el) =>
      (el as unknown as { ownerDocument: { activeElement: unknown } }).ownerDocument.activeElement === el,
  );

/** Muting a conversation from its header menu and marking an agent's message important, in a real browser. */
const b = useBrowser();
let t: TestServer;
beforeAll(async () => {
  t = await b.serverOnFreshDb();
}, 120_000);

describe("mute and important in the inbox", () => {
  it("mutes and unmutes a conversation and marks an agent's message important, kept across a reload", async () => {
    const { owner } = await newWorkspace(t, "Flags Shop");
    const conn = await apiConnection(t, owner);
    const r = await conn.post(
      inbound("kim", "Is it in stock?", undefined, { contact: { id: "kim", name: "Kim" } }),
    );
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const conversationId = r.body.results[0].conversationId as string;
    const sent = await owner.post(`/api/conversations/${conversationId}/messages`, {
      text: "Yes, three left.",
    });
    expect(sent.status).toBeLessThan(300);

    const page = await b.newPage();
    await signIn(page, t.url, owner.user!.email);
    await page.goto(`${t.url}/inbox/${conversationId}?view=all`);
    const pane = page.getByTestId("conversation-pane");
    await pane.getByTestId("message").first().waitFor();
    expect(await pane.getByTestId("conversation-muted").count()).toBe(0);

    // Mute from the header menu: the header shows it and the server keeps it.
    await pane.getByTestId("conversation-menu").click();
    expect(await page.getByTestId("menu-mute").textContent()).toBe("Mute notifications");
    await page.getByTestId("menu-mute").click();
    await eventually(() => pane.getByTestId("conversation-muted").count()).toBe(1);
    expect((await owner.get("/api/notifications/settings")).body.mutedConversationIds).toEqual([
      conversationId,
    ]);

    // Only the agent's message offers "important"; marking it shows the marker.
    const customer = pane.locator('[data-testid="message"][data-direction="inbound"]');
    const customerMenu = customer.getByTestId("message-menu");
    await customerMenu.click();
    await page.getByTestId("message-quote-action").waitFor();
    expect(await page.getByTestId("message-important-action").count()).toBe(0);
    expect(await customerMenu.getAttribute("aria-expanded")).toBe("true");
    // A second press of the "⋯" closes its menu, as a click elsewhere does.
    await customerMenu.click();
    await eventually(() => page.getByTestId("message-quote-action").count()).toBe(0);
    expect(await customerMenu.getAttribute("aria-expanded")).toBe("false");
    // By keyboard: Enter opens it, the arrow reaches its first item; Escape closes it and gives the focus back.
    await customerMenu.focus();
    await page.keyboard.press("Enter");
    await page.getByTestId("message-quote-action").waitFor();
    await page.keyboard.press("ArrowDown");
    await eventually(() => page.evaluate('document.activeElement?.getAttribute("data-testid") ?? null')).toBe(
      "message-quote-action",
    );
    await page.keyboard.press("Escape");
    await eventually(() => page.getByTestId("message-quote-action").count()).toBe(0);
    await eventually(() => hasFocus(customerMenu)).toBe(true);
    const reply = pane.locator('[data-testid="message"][data-direction="outbound"]');
    expect(await reply.getByTestId("message-important").count()).toBe(0);
    await reply.getByTestId("message-menu").click();
    expect(await page.getByTestId("message-important-action").textContent()).toBe("Mark as important");
    await page.getByTestId("message-important-action").click();
    await eventually(() => reply.getByTestId("message-important").count()).toBe(1);
    const messageId = await reply.getAttribute("data-message-id");
    expect(
      (await owner.get(`/api/conversations/${conversationId}/important-messages`)).body.messageIds,
    ).toEqual([messageId]);

    // Both survive a reload; then both are undone.
    await page.reload();
    await eventually(() => pane.getByTestId("conversation-muted").count()).toBe(1);
    await eventually(() => reply.getByTestId("message-important").count()).toBe(1);
    await pane.getByTestId("conversation-menu").click();
    expect(await page.getByTestId("menu-mute").textContent()).toBe("Unmute notifications");
    await page.getByTestId("menu-mute").click();
    await eventually(() => pane.getByTestId("conversation-muted").count()).toBe(0);
    expect((await owner.get("/api/notifications/settings")).body.mutedConversationIds).toEqual([]);
    await reply.getByTestId("message-menu").click();
    expect(await page.getByTestId("message-important-action").textContent()).toBe("Not important");
    await page.getByTestId("message-important-action").click();
    await eventually(() => reply.getByTestId("message-important").count()).toBe(0);
    expect(
      (await owner.get(`/api/conversations/${conversationId}/important-messages`)).body.messageIds,
    ).toEqual([]);

    // Another workspace cannot read the marks.
    const other = await newWorkspace(t, "Elsewhere");
    expect((await other.owner.get(`/api/conversations/${conversationId}/important-messages`)).status).toBe(
      404,
    );
  }, 120_000);
});

describe("the conversation header's menus and hints", () => {
  it("open by pointer and keyboard, show hints on hover, and reach their dialogs", async () => {
    const { owner } = await newWorkspace(t, "Header Shop");
    const conn = await apiConnection(t, owner);
    const r = await conn.post(
      inbound("lee", "Where is it?", undefined, { contact: { id: "lee", name: "Lee" } }),
    );
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const conversationId = r.body.results[0].conversationId as string;
    // Signed in as this workspace's owner, not the first test's.
    await b.browser.clearCookies();
    const page = await b.newPage();
    // Wide enough for the header's full form (snooze and star beside the menu).
    await page.setViewportSize({ width: 1920, height: 1000 });
    await signIn(page, t.url, owner.user!.email);
    await page.goto(`${t.url}/inbox/${conversationId}?view=all`);
    const pane = page.getByTestId("conversation-pane");
    await pane.getByTestId("message").first().waitFor();
    expect(await pane.getByTestId("conversation-header").getAttribute("data-compact")).toBe("false");

    // A hint appears while the pointer is over its button, and goes when it leaves.
    const hint = page.getByRole("tooltip", { name: "Contact, files and tasks" });
    expect(await hint.count()).toBe(0);
    await pane.getByTestId("panel-toggle").hover();
    await hint.waitFor();
    await page.mouse.move(0, 0);
    await eventually(() => hint.count()).toBe(0);

    // The receipt menu reads who has seen the conversation when it opens: the owner has.
    const receipts = pane.getByTestId("receipt-controls");
    expect(await receipts.getAttribute("aria-expanded")).toBe("false");
    await receipts.click();
    await eventually(() => page.getByTestId("read-by").count()).toBe(1);
    expect(await page.getByTestId("read-by").textContent()).toMatch(/Owner · last read /);
    expect(await receipts.getAttribute("aria-expanded")).toBe("true");
    await receipts.click();
    await eventually(() => page.getByTestId("mark-unread").count()).toBe(0);

    // The conversation's menu by keyboard: Enter opens it, the arrow reaches an item, Escape gives the focus back.
    const menu = pane.getByTestId("conversation-menu");
    await menu.focus();
    await page.keyboard.press("Enter");
    await page.getByTestId("menu-mute").waitFor();
    await page.keyboard.press("ArrowDown");
    await eventually(() => page.evaluate('document.activeElement?.getAttribute("role") ?? null')).toBe(
      "menuitem",
    );
    await page.keyboard.press("Escape");
    await eventually(() => page.getByTestId("menu-mute").count()).toBe(0);
    await eventually(() => hasFocus(menu)).toBe(true);

    // A dialog reached from a menu opens although the menu mounted only now.
    await pane.getByTestId("snooze-button").click();
    await page.getByTestId("snooze-pick").click();
    await page.getByTestId("snooze-at").waitFor();
    await page.keyboard.press("Escape");
    await eventually(() => page.getByTestId("snooze-at").count()).toBe(0);
    await menu.click();
    await page.getByTestId("menu-block").click();
    await page.getByTestId("block-confirm").waitFor();
  }, 120_000);
});
