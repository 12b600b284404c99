import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTelegramFake, type TelegramFake } from "../testing/fakes/telegram";
import { addUser, apiConnection, inbound, newWorkspace, type TestServer, unique } from "../testing/harness";
import { axeViolations, eventually, screenshot, signIn, useBrowser } from "./browser";

/**
 * The agent's day, smoothed (issue 17, item 10): the status control after closing and reopening, readable
 * "seen by" reachable by keyboard, links to the contact's network profile, an API connection refused without
 * its outbound URL, and the tasks calendar — at a desktop, a laptop and a phone width, in English and Russian,
 * with an axe-core pass over the pages touched.
 */
const b = useBrowser();
let fake: TelegramFake;
beforeAll(async () => {
  fake = await startTelegramFake();
});
afterAll(async () => {
  await fake.close();
});

async function useLanguage(t: TestServer, page: Page, email: string, lang: "en" | "ru") {
  await t.server.ctx.db.query("update users set locale = $2 where email = $1", [email, lang]);
  await page.evaluate(`localStorage.setItem("parley.language", ${JSON.stringify(lang)})`);
}

const UI = {
  en: {
    open: "Open",
    closed: "Closed",
    close: "Close",
    reopen: "Reopen",
    required: "Outbound URL is required.",
  },
  ru: {
    open: "Открыт",
    closed: "Закрыт",
    close: "Закрыть",
    reopen: "Открыть снова",
    required: "Заполните поле «URL для исходящих».",
  },
} as const;

describe("the agent's day, smoothed", () => {
  it("the status control says what the status is and what its action does, also after a customer or a colleague reopens", async () => {
    const t = await b.serverOnFreshDb();
    const { owner } = await newWorkspace(t, "Status Shop");
    const colleague = await addUser(t, owner, "admin", unique("kate"));
    const conn = await apiConnection(t, owner);
    const contact = { id: "st-1", name: "Stella Status" };
    const id = (await conn.post(inbound(contact.id, "Hello", undefined, { contact }))).body.results[0]
      .conversationId as string;
    const page = await b.newPage();
    await signIn(page, t.url, owner.user!.email);
    for (const lang of ["en", "ru"] as const) {
      const ui = UI[lang];
      await useLanguage(t, page, owner.user!.email, lang);
      // Wide enough for the header's full form (820 px of header beside the rail, the views and the list).
      await page.setViewportSize({ width: 1600, height: 900 });
      await page.goto(`${t.url}/inbox/${id}?view=all`);
      await eventually(() => page.getByTestId("conversation-header").getAttribute("data-compact")).toBe(
        "false",
      );
      const current = page.getByTestId("status-current");
      const action = page.getByTestId("status-action");
      await eventually(() => current.textContent()).toBe(ui.open);
      expect(await action.textContent()).toBe(ui.close);
      expect(await action.getAttribute("data-next")).toBe("closed");

      // The agent closes it: the control reads Closed, and its action reopens.
      await action.click();
      await eventually(() => current.textContent()).toBe(ui.closed);
      expect(await action.textContent()).toBe(ui.reopen);
      await screenshot(page, `status-closed-${lang}-1600`);

      // The customer writes: it reopens, and the control follows at once (no reload).
      expect(
        (await conn.post(inbound(contact.id, `Still there? ${lang}`, undefined, { contact }))).status,
      ).toBe(200);
      await page.getByTestId("feed").getByText(`Still there? ${lang}`).waitFor();
      await eventually(() => current.textContent()).toBe(ui.open);
      expect(await action.textContent()).toBe(ui.close);

      // A colleague closes and then reopens it elsewhere: the same.
      await colleague.client.post(`/api/conversations/${id}/status`, { status: "closed" });
      await eventually(() => current.textContent()).toBe(ui.closed);
      await colleague.client.post(`/api/conversations/${id}/status`, { status: "open" });
      await eventually(() => current.textContent()).toBe(ui.open);
      expect(await action.textContent()).toBe(ui.close);

      // The status list marks the current one and sets another.
      await current.click();
      expect(await page.getByTestId("status-set-open").isDisabled()).toBe(true);
      await page.getByTestId("status-set-in_progress").click();
      await eventually(() => page.getByTestId("status-control").getAttribute("data-status")).toBe(
        "in_progress",
      );
      expect(await action.textContent()).toBe(ui.close);
      await colleague.client.post(`/api/conversations/${id}/status`, { status: "open" });
      await eventually(() => current.textContent()).toBe(ui.open);

      // Narrower: the header is compact, and the status stays in view as a badge under the name; its menu
      // has the same one action, and after a reopen the badge reads "Open".
      for (const width of [1440, 1024, 390]) {
        await page.setViewportSize({ width, height: 900 });
        await page.goto(`${t.url}/inbox/${id}?view=all`);
        // Below 820 px of header width the actions are in the menu and the status is a badge.
        await eventually(() => page.getByTestId("conversation-header").getAttribute("data-compact")).toBe(
          "true",
        );
        const badge = page.getByTestId("status-current");
        await eventually(() => badge.textContent()).toBe(ui.open);
        expect(await badge.isVisible()).toBe(true);
        await colleague.client.post(`/api/conversations/${id}/status`, { status: "closed" });
        await eventually(() => badge.textContent()).toBe(ui.closed);
        await badge.click();
        const reopen = page.getByTestId("status-action");
        expect(await reopen.textContent()).toBe(ui.reopen);
        expect(await reopen.getAttribute("data-next")).toBe("open");
        expect(await page.getByTestId("status-set-closed").isDisabled()).toBe(true);
        await reopen.click();
        await eventually(() => badge.textContent()).toBe(ui.open);
        await eventually(() => badge.getAttribute("data-status")).toBe("open");
        // The badge's action follows: now it closes.
        await badge.click();
        expect(await page.getByTestId("status-action").textContent()).toBe(ui.close);
        await page.keyboard.press("Escape");
        await screenshot(page, `status-${lang}-${width}`);
      }
    }
  }, 180_000);

  it("'seen by' shows readable avatars and opens the names and times on pointer or keyboard", async () => {
    const t = await b.serverOnFreshDb();
    const { owner } = await newWorkspace(t, "Seen Shop");
    const supervisor = await addUser(t, owner, "supervisor", unique("sveta"));
    await t.server.ctx.db.query("update users set name = 'Sveta Supervisor' where id = $1", [supervisor.id]);
    const conn = await apiConnection(t, owner);
    const id = (await conn.post(inbound("seen-1", "Is it shipped?"))).body.results[0]
      .conversationId as string;
    expect((await supervisor.client.post(`/api/conversations/${id}/read`, {})).status).toBe(200);
    const page = await b.newPage();
    await page.setViewportSize({ width: 1440, height: 900 });
    await signIn(page, t.url, owner.user!.email);
    await page.goto(`${t.url}/inbox/${id}?view=all`);
    const seen = page
      .locator('[data-testid="message"][data-direction="inbound"]')
      .first()
      .getByTestId("seen-by");
    await eventually(() => seen.getAttribute("data-users")).toMatch(
      /^(Owner,Sveta Supervisor|Sveta Supervisor,Owner)$/,
    );
    expect(await seen.textContent()).toContain("Seen by 2");
    // Avatars large enough to tell apart.
    const avatar = (await seen.locator(".mantine-Avatar-root").first().boundingBox())!;
    expect(avatar.width).toBeGreaterThanOrEqual(24);

    // By keyboard: Tab reaches it and opens the names with their times; Escape closes.
    await page.getByTestId("composer-input").focus();
    await page.keyboard.press("Shift+Tab");
    let reached = false;
    for (let i = 0; i < 40 && !reached; i++) {
      reached =
        (await page.evaluate('document.activeElement?.getAttribute("data-testid") ?? ""')) ===
        "seen-by-button";
      if (!reached) await page.keyboard.press("Shift+Tab");
    }
    expect(reached, "Tab reaches 'seen by'").toBe(true);
    const list = page.getByTestId("seen-by-list");
    await eventually(() => list.isVisible()).toBe(true);
    expect(await list.getByText(/^Sveta Supervisor · /).count()).toBe(1);
    expect(await list.getByText(/^Owner · /).count()).toBe(1);
    await screenshot(page, "seen-by-1440");
    await page.keyboard.press("Escape");
    await eventually(() => list.isVisible()).toBe(false);
    // By pointer.
    await seen.hover();
    await eventually(() => list.isVisible()).toBe(true);
    expect(await axeViolations(page)).toEqual([]);
  });

  it("links the contact's network profile in the header and the contact panel, only where the network has one", async () => {
    const t = await b.serverOnFreshDb({ env: { TELEGRAM_API_BASE: fake.url } });
    const { owner } = await newWorkspace(t, "Profile Shop");
    const bot = fake.newBot();
    const created = await owner.post("/api/connections", {
      type: "telegram",
      name: "Shop bot",
      credentials: { botToken: bot.token },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const from = {
      id: 812_000_001,
      is_bot: false,
      first_name: "Pavel",
      last_name: "Profile",
      username: "pavel_profile",
    };
    expect(
      (
        await fake.pushUpdate(bot.token, {
          message: {
            message_id: 7,
            from,
            chat: { id: from.id, type: "private" },
            date: 1_700_000_000,
            text: "Hi",
          },
        })
      ).status,
    ).toBe(200);
    const list = (await owner.get("/api/conversations")).body.conversations as any[];
    const tg = list.find((c) => c.connection.type === "telegram");
    const conn = await apiConnection(t, owner);
    const api = (await conn.post(inbound("no-profile", "Hello from the site"))).body.results[0]
      .conversationId;

    const page = await b.newPage();
    await signIn(page, t.url, owner.user!.email);
    await page.evaluate('localStorage.setItem("parley.sidePanel", "on")');
    for (const width of [1440, 390]) {
      await page.setViewportSize({ width, height: 900 });
      await page.goto(`${t.url}/inbox/${tg.id}?view=all`);
      const link = page.getByTestId("header-profile-link");
      await eventually(() => link.getAttribute("href")).toBe("https://t.me/pavel_profile");
      expect(await link.getAttribute("target")).toBe("_blank");
      expect(await link.getAttribute("rel")).toContain("noopener");
      expect(await link.isVisible()).toBe(true);
      await screenshot(page, `profile-header-${width}`);
    }
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto(`${t.url}/inbox/${tg.id}?view=all`);
    const panelLink = page.getByTestId("side-panel").getByTestId("contact-profile-link");
    await eventually(() => panelLink.getAttribute("href")).toBe("https://t.me/pavel_profile");
    expect(await panelLink.textContent()).toBe("t.me/pavel_profile");
    expect(await axeViolations(page)).toEqual([]);

    // The API channel has no profiles: no link, and the panel says so.
    await page.goto(`${t.url}/inbox/${api}?view=all`);
    await page.getByTestId("side-panel").getByTestId("contact-profile-none").waitFor();
    expect(await page.getByTestId("header-profile-link").count()).toBe(0);
  });

  it("refuses an API connection without its outbound URL, saying so beside the field", async () => {
    const t = await b.serverOnFreshDb();
    const { owner } = await newWorkspace(t, "Connect Shop");
    const page = await b.newPage();
    await page.setViewportSize({ width: 1024, height: 900 });
    await signIn(page, t.url, owner.user!.email);
    for (const lang of ["en", "ru"] as const) {
      await useLanguage(t, page, owner.user!.email, lang);
      await page.goto(`${t.url}/settings/channels`);
      await page.getByTestId("connect-channel").click();
      await page.getByTestId("connect-type-api").click();
      await page.getByTestId("connect-submit").click();
      const field = page.locator(".mantine-InputWrapper-root", {
        has: page.getByTestId("field-outboundUrl"),
      });
      await eventually(() => field.locator(".mantine-InputWrapper-error").textContent()).toBe(
        UI[lang].required,
      );
      expect(await page.getByTestId("field-outboundUrl").getAttribute("aria-invalid")).toBe("true");
      await screenshot(page, `connect-api-required-${lang}`);
      // Typing clears it; a wrong address gets the server's reason beside the field.
      await page.getByTestId("field-outboundUrl").fill("ftp://example.com/x");
      expect(await field.locator(".mantine-InputWrapper-error").count()).toBe(0);
      await page.getByTestId("connect-submit").click();
      await eventually(() => field.locator(".mantine-InputWrapper-error").textContent()).toContain("http(s)");
      await page.keyboard.press("Escape");
    }
    expect((await owner.get("/api/connections")).body.connections).toEqual([]);
  });

  it("shows tasks, events and reminders on a month and a week calendar; an item opens its conversation", async () => {
    const t = await b.serverOnFreshDb();
    const { owner } = await newWorkspace(t, "Calendar Shop");
    const conn = await apiConnection(t, owner);
    const id = (await conn.post(inbound("cal-1", "Can you call me on Friday?"))).body.results[0]
      .conversationId as string;
    // Local times of the browser (the test runs Chromium in the machine's zone): noon keeps the day whatever it is.
    const at = (day: number, hour = 12) => new Date(2031, 2, day, hour, 0).toISOString();
    const add = async (body: Record<string, unknown>) =>
      expect((await owner.post("/api/tasks", body)).status).toBe(201);
    await add({ title: "Call back about the order", conversationId: id, dueAt: at(14, 10) });
    await add({ kind: "event", title: "Trade fair", dueAt: at(18, 9), endsAt: at(19, 17) });
    await add({ kind: "reminder", title: "Ask about the parcel", conversationId: id, dueAt: at(14, 15) });
    await add({ title: "Quote", conversationId: id, dueAt: at(24), remindAt: at(21, 9) });
    for (let i = 0; i < 4; i++) await add({ title: `Busy day ${i + 1}`, dueAt: at(26, 9 + i) });

    const page = await b.newPage();
    await signIn(page, t.url, owner.user!.email);
    for (const lang of ["en", "ru"] as const) {
      await useLanguage(t, page, owner.user!.email, lang);
      await page.setViewportSize({ width: 1440, height: 900 });
      await page.goto(`${t.url}/tasks?view=month&date=2031-03-10`);
      const calendar = page.getByTestId("task-calendar");
      await calendar.waitFor();
      expect(await page.getByTestId("calendar-title").textContent()).toMatch(
        lang === "en" ? /March 2031/ : /март 2031/i,
      );
      const day = (d: string) => page.getByTestId(`calendar-day-2031-03-${d}`);
      await eventually(() => day("14").getAttribute("data-count")).toBe("2");
      expect(
        await day("14")
          .getByTestId("calendar-item")
          .evaluateAll((xs) => xs.map((x) => x.getAttribute("data-kind"))),
      ).toEqual(["task", "reminder"]);
      expect(await day("18").getByTestId("calendar-item").getAttribute("data-kind")).toBe("event");
      expect(await day("19").getAttribute("data-count")).toBe("1");
      expect(await day("21").getByTestId("calendar-item").getAttribute("data-kind")).toBe("reminder");
      expect(await day("24").getByTestId("calendar-item").getAttribute("data-kind")).toBe("task");
      // A crowded day shows three and "+1 more", which lists them all.
      expect(await day("26").getByTestId("calendar-item").count()).toBe(3);
      await day("26").getByTestId("calendar-more").click();
      await eventually(() => page.getByRole("dialog").getByText("Busy day 4").count()).toBe(1);
      await page.keyboard.press("Escape");
      await screenshot(page, `calendar-month-${lang}-1440`);
      if (lang === "en") expect(await axeViolations(page)).toEqual([]);

      // The week view, from the address; the arrows move by a week.
      await page.setViewportSize({ width: 1024, height: 900 });
      await page
        .getByTestId("tasks-view")
        .getByText(lang === "en" ? "Week" : "Неделя")
        .click();
      await eventually(() => calendar.getAttribute("data-view")).toBe("week");
      await eventually(() => day("14").getAttribute("data-count")).toBe("2");
      await page.getByTestId("calendar-next").click();
      await eventually(() => day("18").getAttribute("data-count")).toBe("1");
      expect(page.url()).toContain("view=week");
      await screenshot(page, `calendar-week-${lang}-1024`);

      // A phone: the days with something on them, as an agenda.
      await page.setViewportSize({ width: 390, height: 844 });
      await page.goto(`${t.url}/tasks?view=month&date=2031-03-10`);
      await eventually(() => day("26").getByTestId("calendar-item").count()).toBe(4);
      expect(await day("13").count()).toBe(0);
      await screenshot(page, `calendar-month-${lang}-390`);
    }

    // Clicking an item opens its conversation.
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto(`${t.url}/tasks?view=month&date=2031-03-10`);
    await page.getByTestId("calendar-day-2031-03-14").getByTestId("calendar-item").first().click();
    await page.waitForURL(new RegExp(`/inbox/${id}`));
    await page.getByTestId("conversation-header").waitFor();
  }, 180_000);
});
