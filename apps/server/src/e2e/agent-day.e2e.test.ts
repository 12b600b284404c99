import { describe, expect, it } from "vitest";
import { addUser, apiConnection, inbound, newWorkspace, unique } from "../testing/harness";
import { useTestServer } from "../testing/use-test-server";
import { eventually, openPage, signIn, useBrowser } from "./browser";

/**
 * The agent's day in a real browser: toasts grouped per conversation and kept away from the composer, no
 * toast for the conversation on screen, the bell's unread filter; quick message actions on hover and by
 * keyboard; the log's empty state speaking to an agent.
 */
const t = useTestServer();
const e2e = useBrowser();

type Box = { x: number; y: number; width: number; height: number };
const overlaps = (a: Box, b: Box) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

describe("the agent's day", () => {
  it("groups toasts per conversation away from the composer, skips the conversation on screen, filters the bell", async () => {
    const { owner } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    const agent = await addUser(t, owner, "agent", unique("ada"));
    const ann = unique("ann");
    const bob = unique("bob");
    const start = async (id: string, name: string) => {
      const r = await conn.post(inbound(id, "hello", undefined, { contact: { id, name } }));
      const conversationId = r.body.results[0].conversationId as string;
      await owner.post(`/api/conversations/${conversationId}/assign`, { assigneeId: agent.id });
      return conversationId;
    };
    await start(ann, "Ann Grouped");
    const bobConversation = await start(bob, "Bob Onscreen");

    const { page, check } = await openPage(e2e.browser);
    await signIn(page, t.url, agent.client.user!.email);
    // Bob's conversation is open: the composer and its Send button are on screen.
    await page.goto(`${t.url}/inbox/${bobConversation}`);
    const send = page.getByTestId("composer-send");
    await send.waitFor();
    const bell = page.getByTestId("notification-bell");
    await eventually(() => bell.getAttribute("data-count")).toBe("4");

    // Ann writes three times: one toast for her conversation, saying how many.
    for (const text of ["one", "two", "three"]) {
      await conn.post(
        inbound(ann, `Ann says ${text}`, undefined, { contact: { id: ann, name: "Ann Grouped" } }),
      );
    }
    await eventually(() => bell.getAttribute("data-count")).toBe("7");
    const annToasts = page.locator(".mantine-Notification-root", { hasText: "Ann Grouped" });
    await eventually(() => annToasts.first().textContent()).toContain("Ann says three");
    expect(await annToasts.count()).toBe(1);
    expect(await annToasts.first().textContent()).toContain("3 new");
    // Not over the composer's Send button.
    expect(overlaps((await annToasts.first().boundingBox())!, (await send.boundingBox())!)).toBe(false);

    // Bob writes in the conversation on screen: it appears in the feed and the bell, without a toast.
    await conn.post(inbound(bob, "Bob is here", undefined, { contact: { id: bob, name: "Bob Onscreen" } }));
    await page.getByTestId("feed").getByText("Bob is here").waitFor();
    await eventually(() => bell.getAttribute("data-count")).toBe("8");
    expect(await page.locator(".mantine-Notification-root", { hasText: "Bob is here" }).count()).toBe(0);

    // The bell: only the unread ones, then none after "mark all read".
    await bell.click();
    const list = page.getByTestId("notification-list");
    await list.waitFor();
    await page.getByTestId("notification-filter").getByText("Unread").click();
    await eventually(() => list.getByText("Ann says two").count()).toBe(1);
    await page.getByText("Mark all read").click();
    await eventually(() => page.getByText("Nothing unread.").count()).toBe(1);
    await page.getByTestId("notification-filter").getByText("All").click();
    await eventually(() => list.getByText("Ann says two").count()).toBe(1);
    await check();
  });

  it("shows quote and save-as-canned on hover and by keyboard; the log speaks to an agent", async () => {
    const { owner } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    const agent = await addUser(t, owner, "agent", unique("kit"));
    const r = await conn.post(inbound(unique("c"), "Can I change my order?"));
    const conversationId = r.body.results[0].conversationId as string;
    await owner.post(`/api/conversations/${conversationId}/assign`, { assigneeId: agent.id });

    await e2e.browser.clearCookies();
    const { page, check } = await openPage(e2e.browser);
    await signIn(page, t.url, agent.client.user!.email);
    await page.goto(`${t.url}/inbox/${conversationId}`);
    const message = page.locator('[data-testid="message"][data-direction="inbound"]').first();
    await message.waitFor();
    const quick = message.getByTestId("message-quick-actions");
    const opacity = () =>
      quick.evaluate(
        (e) =>
          (globalThis as unknown as { getComputedStyle(x: unknown): { opacity: string } }).getComputedStyle(e)
            .opacity,
      );
    await page.mouse.move(0, 0);
    await eventually(opacity).toBe("0");
    await message.hover();
    await eventually(opacity).toBe("1");
    await message.getByTestId("message-quote-quick").click();
    await eventually(() => page.getByTestId("composer-quote").textContent()).toContain(
      "Can I change my order?",
    );

    // By keyboard: focusing the button shows the actions; Enter opens "save as canned reply".
    await page.mouse.move(0, 0);
    await message.getByTestId("message-save-canned-quick").focus();
    await eventually(opacity).toBe("1");
    await page.keyboard.press("Enter");
    await page.getByTestId("canned-shortcut").waitFor();
    await page.keyboard.press("Escape");

    // The log, for an agent with no closed conversation, says it is about theirs.
    await page.goto(`${t.url}/log`);
    await eventually(() => page.getByTestId("log-empty").textContent()).toContain(
      "None of your closed conversations yet",
    );
    await check();
  });
});
