import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { apiConnection, inbound, newWorkspace, type TestServer } from "../testing/harness";
import { eventually, signIn, useBrowser } from "./browser";

/** Starring a conversation from the list with the keyboard, the Important view, snoozing from the header and the Snoozed view. */
const b = useBrowser();
let t: TestServer;
beforeAll(async () => {
  t = await b.serverOnFreshDb();
}, 120_000);

const rowNames = async (page: Page) =>
  (await page.getByTestId("row-name").allTextContents()).map((s) => s.trim()).sort();

describe("important and snoozed conversations in the inbox", () => {
  it("stars a row, filters by Important, snoozes a conversation and finds it under Snoozed", async () => {
    const { owner } = await newWorkspace(t, "Star Shop");
    const conn = await apiConnection(t, owner);
    const say = async (id: string, name: string) => {
      const r = await conn.post(inbound(id, "Hello there", undefined, { contact: { id, name } }));
      expect(r.status).toBe(200);
      return r.body.results[0].conversationId as string;
    };
    const ann = await say("ann", "Ann Lee");
    const bob = await say("bob", "Bob Stone");

    const page = await b.newPage();
    // Wide enough for the header's full form (a narrow one moves the star and snooze into its menu).
    await page.setViewportSize({ width: 1920, height: 1000 });
    await signIn(page, t.url, owner.user!.email);
    await page.goto(`${t.url}/inbox?view=all`);
    await eventually(() => rowNames(page)).toEqual(["Ann Lee", "Bob Stone"]);

    // The star beside Ann's row is a button of its own: reached and pressed with the keyboard.
    const annItem = page
      .getByRole("listitem")
      .filter({ has: page.locator(`[data-conversation-id="${ann}"]`) });
    const star = annItem.getByTestId("star-toggle");
    expect(await star.getAttribute("aria-label")).toBe("Mark important");
    await star.focus();
    await page.keyboard.press("Enter");
    await eventually(() => star.getAttribute("data-important")).toBe("true");
    expect((await owner.get(`/api/conversations/${ann}`)).body.conversation.important).toBe(true);

    // The Important view lists only Ann, and its count follows.
    await page.getByTestId("view-important").click();
    await page.waitForURL(/view=important/);
    await eventually(() => rowNames(page)).toEqual(["Ann Lee"]);
    await eventually(() => page.getByTestId("view-important-unread").getAttribute("data-count")).toBe("1");

    // Snooze Bob for an hour from the header: he leaves "All" and waits under "Snoozed" with his time.
    await page.goto(`${t.url}/inbox/${bob}?view=all`);
    const pane = page.getByTestId("conversation-pane");
    await pane.getByTestId("snooze-button").click();
    await page.getByTestId("snooze-hour").click();
    await eventually(() => pane.getByTestId("snoozed-until").textContent()).toMatch(/^Snoozed until /);
    await eventually(() => rowNames(page)).toEqual(["Ann Lee"]);
    expect((await owner.get(`/api/conversations/${bob}`)).body.conversation.snoozedUntil).not.toBeNull();

    await page.getByTestId("view-snoozed").click();
    await page.waitForURL(/view=snoozed/);
    await eventually(() => rowNames(page)).toEqual(["Bob Stone"]);
    expect(await page.getByTestId("row-snoozed").textContent()).toMatch(/^Snoozed until /);
    // Opened from the Snoozed view, the feed says who snoozed it.
    await page.locator(`[data-conversation-id="${bob}"]`).click();
    await page.waitForURL(new RegExp(`/inbox/${bob}`));
    await eventually(() => pane.getByText(/snoozed the conversation until/).count()).toBe(1);

    // Unsnoozed by hand from the header: back under "All", gone from "Snoozed".
    await pane.getByTestId("snooze-button").click();
    await page.getByTestId("unsnooze").click();
    await eventually(() => page.getByTestId("row-name").count()).toBe(0);
    await page.getByTestId("view-all").click();
    await eventually(() => rowNames(page)).toEqual(["Ann Lee", "Bob Stone"]);
  });
});
