import { describe, expect, it } from "vitest";
import { addUser, apiConnection, inbound, newWorkspace, unique } from "../testing/harness";
import { useTestServer } from "../testing/use-test-server";
import { eventually, openPage, screenshot, signIn, useBrowser } from "./browser";

/** Agent notifications in a real browser (R401, R402): toast, bell count, the settings page. */
const t = useTestServer();
const e2e = useBrowser();

describe("agent notifications in the browser", () => {
  it("shows a toast with the message and counts it on the bell when a customer writes in my conversation", async () => {
    const { owner } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    const agent = await addUser(t, owner, "agent", unique("nina"));
    const contact = unique("c");
    const first = await conn.post(
      inbound(contact, "hello", undefined, { contact: { id: contact, name: "Maria Buyer" } }),
    );
    const conversationId = first.body.results[0].conversationId as string;
    expect(
      (await owner.post(`/api/conversations/${conversationId}/assign`, { assigneeId: agent.id })).status,
    ).toBe(200);

    const { page, check } = await openPage(e2e.browser);
    await signIn(page, t.url, agent.client.user!.email);
    const bell = page.getByTestId("notification-bell");
    // Before: "new conversation" (it was in the queue) and "assigned to you".
    await eventually(() => bell.getAttribute("data-count")).toBe("2");

    await conn.post(
      inbound(contact, "Is the blue one in stock?", undefined, {
        contact: { id: contact, name: "Maria Buyer" },
      }),
    );
    const toast = page.locator(".mantine-Notification-root", { hasText: "Is the blue one in stock?" });
    await eventually(() => toast.count()).toBe(1);
    await expect(toast.textContent()).resolves.toContain("New message from Maria Buyer");
    await eventually(() => bell.getAttribute("data-count")).toBe("3");
    await screenshot(page, "notification-toast");

    // The centre lists it; opening it marks it read and goes to the conversation.
    await bell.click();
    const item = page.getByTestId("notification-list").getByText("Is the blue one in stock?");
    await item.click();
    await page.waitForURL(new RegExp(`/inbox/${conversationId}`));
    await eventually(() => bell.getAttribute("data-count")).toBe("2");
    await check();
  });

  it("saves a change on the settings page", async () => {
    const { owner } = await newWorkspace(t);
    const agent = await addUser(t, owner, "agent", unique("olek"));
    await e2e.browser.clearCookies(); // the previous test's agent is still signed in
    const { page, check } = await openPage(e2e.browser);
    await signIn(page, t.url, agent.client.user!.email);
    await page.getByTestId("user-menu").click();
    await page.getByTestId("menu-notifications").click();
    await page.waitForURL(/\/settings\/notifications$/);
    const pushNewMessage = page.getByTestId("matrix-new_message-push");
    await eventually(() => pushNewMessage.isChecked()).toBe(true);
    await pushNewMessage.uncheck();
    await page.getByTestId("notify-dnd").check();
    await page.getByTestId("notify-save").click();
    await eventually(() => page.getByText("Notification settings saved").count()).toBe(1);
    const saved = (await agent.client.get("/api/notifications/settings")).body.settings;
    expect(saved.matrix.new_message).toEqual({ inApp: true, push: false, email: false, sms: false });
    expect(saved.dnd).toBe(true);
    // It is still so after a reload.
    await page.reload();
    await eventually(() => page.getByTestId("matrix-new_message-push").isChecked()).toBe(false);
    await screenshot(page, "notification-settings");
    await check();
  });
});
