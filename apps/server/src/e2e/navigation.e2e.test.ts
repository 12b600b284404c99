import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { addUser, apiConnection, type Client, inbound, newWorkspace, unique } from "../testing/harness";
import { axeViolations, eventually, screenshot, signIn, useBrowser } from "./browser";

/**
 * The conversation header, the navigation rail and settings area, the inbox views' counts, saved filters,
 * the first-run checklist, and an axe-core pass, in Chromium at a desktop, a laptop and a phone width.
 */
const { newPage, serverOnFreshDb } = useBrowser();
const WIDTHS = [1440, 1024, 390] as const;

async function useLanguage(
  t: { server: { ctx: { db: { query: (s: string, p: unknown[]) => Promise<unknown> } } } },
  page: Page,
  userId: string,
  lang: string,
) {
  await t.server.ctx.db.query("update users set locale = $2 where id = $1", [userId, lang]);
  await page.evaluate(`localStorage.setItem("parley.language", ${JSON.stringify(lang)})`);
}

/** The name element shows its whole text (nothing cut off) and is wide enough to read. */
async function nameFits(page: Page) {
  const name = page.getByTestId("conversation-contact");
  await name.waitFor();
  return name.evaluate((el) => ({
    scroll: el.scrollWidth,
    client: el.clientWidth,
    scrollHeight: el.scrollHeight,
    clientHeight: el.clientHeight,
    text: el.textContent,
  }));
}

async function workspaceWithConversation(t: Awaited<ReturnType<typeof serverOnFreshDb>>) {
  const { owner } = await newWorkspace(t, "Header Shop");
  const agent = await addUser(t, owner, "agent", unique("alexandra"));
  // A long name: "Assigned to …" must not push the actions over the contact's name.
  await t.server.ctx.db.query("update users set name = $2 where id = $1", [
    agent.id,
    "Alexandra Konstantinovna Vasilevskaya",
  ]);
  const conn = await apiConnection(t, owner);
  const r = await conn.post(
    inbound("kk-1", "Where is my order?", undefined, {
      contact: { id: "kk-1", name: "Konstantin Konstantinopolsky" },
    }),
  );
  const id = r.body.results[0].conversationId as string;
  expect((await owner.post(`/api/conversations/${id}/assign`, { assigneeId: agent.id })).status).toBe(200);
  return { owner, agent, conn, id };
}

/**
 * Each rail label on one line and inside its link: its height is one line's (the computed line height), and
 * nothing of it runs past its box or the link's.
 */
async function railLabels(page: Page) {
  return page.getByTestId("rail-label").evaluateAll((els) =>
    els.map((el) => {
      const box = el.getBoundingClientRect();
      const link = el.parentElement!.getBoundingClientRect();
      return {
        text: el.textContent,
        lines:
          box.height /
          Number.parseFloat(
            (
              globalThis as unknown as { getComputedStyle(x: unknown): { lineHeight: string } }
            ).getComputedStyle(el).lineHeight,
          ),
        overflows: el.scrollWidth > el.clientWidth || box.left < link.left || box.right > link.right,
      };
    }),
  );
}

/**
 * The inbox views column's labels (views, teams, saved filters) and its "save these filters" button: each
 * whole, nothing of its text running past its box (scrollWidth against clientWidth) or past its link's sides.
 */
async function viewLabels(page: Page) {
  const links = page.locator('[data-testid^="view-"], [data-testid="save-filters"]');
  return links.evaluateAll((els) =>
    els
      .filter((el) => el.tagName === "A" || el.tagName === "BUTTON")
      .map((el) => {
        const label = el.querySelector(".mantine-NavLink-body, .mantine-Button-label")!;
        const box = label.getBoundingClientRect();
        const link = el.getBoundingClientRect();
        return {
          text: label.textContent,
          overflows: label.scrollWidth > label.clientWidth || box.left < link.left || box.right > link.right,
          sizes: `scroll ${label.scrollWidth}, client ${label.clientWidth}, box ${box.left}–${box.right}, link ${link.left}–${link.right}`,
        };
      }),
  );
}

/**
 * The compact header's status badge: its whole text on screen, under the name (never beside it, where it would
 * take the name's room), and inside the header.
 */
async function statusBadge(page: Page) {
  const badge = page.getByTestId("status-current");
  await badge.waitFor();
  const box = (await badge.boundingBox())!;
  const name = (await page.getByTestId("conversation-contact").boundingBox())!;
  const header = (await page.getByTestId("conversation-header").boundingBox())!;
  return {
    text: await badge.textContent(),
    cut: await badge.evaluate((el) => el.scrollWidth > el.clientWidth),
    belowName: box.y >= name.y + name.height - 1,
    inside: box.x >= header.x && box.x + box.width <= header.x + header.width,
  };
}

const ownerId = async (c: Client) => (await c.get("/api/auth/session")).body.user.id as string;

describe("header and navigation", () => {
  it("shows the contact's whole name beside the actions, and a rail reachable by keyboard, at every width in English and Russian", async () => {
    const t = await serverOnFreshDb();
    const { owner, id, conn } = await workspaceWithConversation(t);
    // An unassigned conversation waiting for a reply: "Unassigned" shows its counts beside its label.
    expect((await conn.post(inbound("kk-2", "Anyone there?"))).status).toBe(200);
    const page = await newPage();
    await signIn(page, t.url, owner.user!.email);
    // The side panel open: the hardest case for the header.
    await page.evaluate('localStorage.setItem("parley.sidePanel", "on")');
    for (const lang of ["en", "ru"]) {
      await useLanguage(t, page, await ownerId(owner), lang);
      for (const width of WIDTHS) {
        await page.setViewportSize({ width, height: 900 });
        await page.goto(`${t.url}/inbox/${id}?view=all`);
        await page.getByTestId("side-panel").waitFor();
        const fit = await nameFits(page);
        expect(fit.text).toBe("Konstantin Konstantinopolsky");
        expect(fit.scroll, `${lang} ${width}: name cut off`).toBeLessThanOrEqual(fit.client);
        expect(fit.scrollHeight, `${lang} ${width}: name cut off`).toBeLessThanOrEqual(fit.clientHeight);
        expect(fit.client, `${lang} ${width}: name too narrow`).toBeGreaterThanOrEqual(120);
        await expect(page.getByTestId("conversation-number").isVisible()).resolves.toBe(true);
        // The actions sit beside the name, never over it, and the header keeps to one block.
        const nameBox = (await page.getByTestId("conversation-contact").boundingBox())!;
        const menuBox = (await page.getByTestId("conversation-menu").boundingBox())!;
        expect(nameBox.x + nameBox.width).toBeLessThanOrEqual(menuBox.x);
        const header = (await page.getByTestId("conversation-header").boundingBox())!;
        expect(header.height, `${lang} ${width}: header wraps`).toBeLessThan(110);
        // The status is readable at every width: in the compact header, a badge under the name.
        if ((await page.getByTestId("conversation-header").getAttribute("data-compact")) === "true") {
          const badge = await statusBadge(page);
          expect(badge.text, `${lang} ${width}: status`).toBe(lang === "ru" ? "Открыт" : "Open");
          expect(badge.cut, `${lang} ${width}: status cut off`).toBe(false);
          expect(badge.belowName, `${lang} ${width}: status beside the name`).toBe(true);
          expect(badge.inside, `${lang} ${width}: status outside the header`).toBe(true);
        } else {
          expect(await page.getByTestId("status-action").isVisible()).toBe(true);
        }
        await screenshot(page, `header-${lang}-${width}`);

        if (width >= 768) {
          // The views column: every view's label and "save these filters" whole, counts and all.
          await page.getByTestId("view-unassigned-waiting").waitFor();
          const views = await viewLabels(page);
          expect(views.map((v) => v.text)).toContain(lang === "ru" ? "Без ответственного" : "Unassigned");
          expect(views.length).toBeGreaterThanOrEqual(7);
          for (const v of views)
            expect(v.overflows, `${lang} ${width}: "${v.text}" cut off (${v.sizes})`).toBe(false);
          // Every label of the rail on one line, inside its link.
          for (const label of await railLabels(page)) {
            expect(label.lines, `${lang} ${width}: "${label.text}" wraps`).toBeLessThan(1.5);
            expect(label.overflows, `${lang} ${width}: "${label.text}" overflows`).toBe(false);
          }
          // The rail: every destination visible, and Tab reaches it.
          for (const key of ["inbox", "contacts", "tasks", "log", "reports", "settings"])
            expect(await page.getByTestId(`rail-${key}`).isVisible(), `${lang} ${width} rail-${key}`).toBe(
              true,
            );
          await page.evaluate("document.activeElement?.blur()");
          let reached = false;
          for (let i = 0; i < 15 && !reached; i++) {
            await page.keyboard.press("Tab");
            reached =
              (await page.evaluate('document.activeElement?.getAttribute("data-testid") ?? ""')) ===
              "rail-log";
          }
          expect(reached, "Tab reaches the rail").toBe(true);
          await page.keyboard.press("Enter");
          await page.waitForURL(/\/log/);
          await eventually(() => page.getByTestId("rail-log").getAttribute("aria-current")).toBe("page");
        } else {
          // A phone: the rail is hidden; the burger's menu has the same destinations.
          expect(await page.getByTestId("rail-log").isVisible()).toBe(false);
          await page.getByTestId("back-to-list").click();
          await page.getByTestId("nav-burger").click();
          await page.getByTestId("mobile-log").click();
          await page.waitForURL(/\/log/);
          await page.getByTestId("nav-burger").click();
          await page.getByTestId("mobile-settings").click();
          await page.waitForURL(/\/settings\/profile/);
          // The menu closed on the way; opened again it lists the settings pages too.
          await page.getByTestId("nav-burger").click();
          await eventually(() =>
            page.getByTestId("mobile-nav").getByTestId("section-link-channels").isVisible(),
          ).toBe(true);
          await page.keyboard.press("Escape");
        }
      }
    }
    // Ukrainian has the longest words: the rail and the status badge at the laptop's width.
    await useLanguage(t, page, await ownerId(owner), "uk");
    await page.setViewportSize({ width: 1024, height: 900 });
    await page.goto(`${t.url}/inbox/${id}?view=all`);
    await page.getByTestId("side-panel").waitFor();
    const labels = await railLabels(page);
    expect(labels.map((l) => l.text)).toEqual([
      "Вхідні",
      "Контакти",
      "Завдання",
      "Журнал",
      "Звіти",
      "Параметри",
    ]);
    for (const label of labels) {
      expect(label.lines, `uk: "${label.text}" wraps`).toBeLessThan(1.5);
      expect(label.overflows, `uk: "${label.text}" overflows`).toBe(false);
    }
    const badge = await statusBadge(page);
    expect(badge.text).toBe("Відкрита");
    expect(badge.cut || !badge.belowName || !badge.inside, "uk: status badge").toBe(false);
    const fit = await nameFits(page);
    expect(fit.scroll).toBeLessThanOrEqual(fit.client);
    expect(fit.scrollHeight).toBeLessThanOrEqual(fit.clientHeight);
    await screenshot(page, "header-uk-1024");
  });

  it("groups settings in one area with its own side navigation, showing only what the person may open", async () => {
    const t = await serverOnFreshDb();
    const { owner, agent } = await workspaceWithConversation(t);
    const page = await newPage();
    await page.setViewportSize({ width: 1024, height: 900 });
    await signIn(page, t.url, owner.user!.email);
    await page.goto(`${t.url}/settings`);
    await page.waitForURL(/\/settings\/profile/);
    const nav = page.getByTestId("settings-nav");
    await nav.getByTestId("section-link-profile").waitFor();
    for (const p of [
      "profile",
      "notifications",
      "users",
      "roles",
      "channels",
      "widget",
      "receipts",
      "api",
      "webhooks",
      "audit",
      "alerts",
    ])
      expect(await nav.getByTestId(`section-link-${p}`).isVisible(), p).toBe(true);
    await nav.getByTestId("section-link-channels").click();
    await page.waitForURL(/\/settings\/channels/);
    await eventually(() => nav.getByTestId("section-link-channels").getAttribute("aria-current")).toBe(
      "page",
    );
    await screenshot(page, "settings-1024");
    // The old address of a page still opens it.
    await page.goto(`${t.url}/settings/webhooks`);
    await eventually(() => nav.getByTestId("section-link-webhooks").getAttribute("aria-current")).toBe(
      "page",
    );

    // An agent sees their own settings only, and no reports.
    // One browser profile: the owner signs out (its cookies go) before the agent signs in.
    await page.context().clearCookies();
    const agentPage = await newPage();
    await agentPage.setViewportSize({ width: 1024, height: 900 });
    await signIn(agentPage, t.url, `${agent.client.user!.email}`);
    await agentPage.goto(`${t.url}/settings/profile`);
    const agentNav = agentPage.getByTestId("settings-nav");
    await agentNav.getByTestId("section-link-notifications").waitFor();
    expect(await agentNav.getByTestId("section-link-channels").count()).toBe(0);
    expect(await agentPage.getByTestId("rail-reports").count()).toBe(0);
  });
});

describe("inbox views, saved filters and the first run", () => {
  it("shows counts that match the server and follow live messages; saves, renames and deletes a filter; leads a new workspace through its first steps", async () => {
    const t = await serverOnFreshDb();
    const { owner } = await newWorkspace(t, "Counts Shop");
    const page = await newPage();
    await page.setViewportSize({ width: 1440, height: 900 });
    await signIn(page, t.url, owner.user!.email);

    // A new workspace: the checklist leads to the channels, the widget and the team.
    const checklist = page.getByTestId("first-run");
    await checklist.waitFor();
    expect(await page.getByTestId("first-run-channel").getAttribute("data-done")).toBeNull();
    expect(
      await checklist.getByRole("link", { name: "Or add the web chat to your website" }).getAttribute("href"),
    ).toBe("/settings/widget");
    await screenshot(page, "first-run-1440");

    const conn = await apiConnection(t, owner);
    for (let i = 0; i < 3; i++) expect((await conn.post(inbound(unique("c"), "hi"))).status).toBe(200);
    await page.reload();
    await page.getByTestId("first-run-testMessage").waitFor();
    expect(await page.getByTestId("first-run-channel").getAttribute("data-done")).toBe("true");
    expect(await page.getByTestId("first-run-testMessage").getAttribute("data-done")).toBe("true");
    expect(
      (await owner.post("/api/invitations", { email: `${unique("x")}@example.com`, role: "agent" })).status,
    ).toBe(201);
    await page.reload();
    await eventually(() => page.getByTestId("first-run-team").getAttribute("data-done")).toBe("true");
    expect(await page.getByTestId("first-run-hours").getAttribute("data-done")).toBeNull();
    // Working hours set: every step is done, and the checklist goes away once the page knows it.
    const hours = await owner.put("/api/hours/workspace", {
      timeZone: "UTC",
      weekly: [{ day: 1, from: "09:00", to: "18:00" }],
    });
    expect(hours.status, JSON.stringify(hours.body)).toBe(200);
    const answered = page.waitForResponse(
      (r) => new URL(r.url()).pathname === "/api/first-run" && r.request().method() === "GET",
    );
    await page.reload();
    expect((await (await answered).json()).show).toBe(false);
    await page.getByTestId("view-all").waitFor();
    expect(await page.getByTestId("first-run").count()).toBe(0);

    // Counts: as the server has them; "My inbox" is empty and says where the conversations are.
    const server = (await owner.get("/api/inbox/views")).body;
    const all = server.views.find((v: { key: string }) => v.key === "all");
    expect(all.unread).toBe(3);
    await eventually(() => page.getByTestId("view-all-unread").getAttribute("data-count")).toBe(
      String(all.unread),
    );
    expect(await page.getByTestId("view-all-waiting").getAttribute("data-count")).toBe(String(all.waiting));
    expect(await page.getByTestId("view-mine-unread").count()).toBe(0);
    await page.getByTestId("empty-open-all").waitFor();
    await screenshot(page, "views-empty-mine-1440");
    // A new message: the count follows without a reload.
    expect((await conn.post(inbound(unique("c"), "one more"))).status).toBe(200);
    await eventually(() => page.getByTestId("view-all-unread").getAttribute("data-count")).toBe("4");

    // Saved filters: save the current filters, find them listed with counts, rename, delete.
    await page.goto(`${t.url}/inbox?view=all&channel=api`);
    await page.getByTestId("save-filters").click();
    await page.getByTestId("saved-filter-name").fill("API customers");
    await page.getByTestId("saved-filter-submit").click();
    const saved = async () =>
      (await owner.get("/api/inbox/views")).body.saved as { id: string; name: string; unread: number }[];
    await eventually(async () => (await saved()).map((s) => s.name)).toEqual(["API customers"]);
    const [filter] = await saved();
    await eventually(() =>
      page.getByTestId(`saved-view-${filter!.id}-unread`).getAttribute("data-count"),
    ).toBe("4");
    expect(await page.getByTestId(`saved-view-${filter!.id}`).getAttribute("aria-current")).toBe("page");
    await screenshot(page, "saved-filter-1440");
    await page.getByTestId(`saved-menu-${filter!.id}`).click();
    await page.getByTestId("saved-rename").click();
    await page.getByTestId("saved-rename-name").fill("API, all");
    await page.getByTestId("saved-rename-submit").click();
    await eventually(async () => (await saved()).map((s) => s.name)).toEqual(["API, all"]);
    await eventually(() => page.getByTestId(`saved-view-${filter!.id}`).textContent()).toContain("API, all");
    await page.getByTestId(`saved-menu-${filter!.id}`).click();
    await page.getByTestId("saved-delete").click();
    await eventually(async () => (await saved()).length).toBe(0);
    await eventually(() => page.getByTestId(`saved-view-${filter!.id}`).count()).toBe(0);
  });
});

describe("accessibility", () => {
  it("has no serious or critical axe-core violations on the inbox, a conversation, settings and the log", async () => {
    const t = await serverOnFreshDb();
    const { owner, id } = await workspaceWithConversation(t);
    const page = await newPage();
    await page.setViewportSize({ width: 1440, height: 900 });
    await signIn(page, t.url, owner.user!.email);
    for (const [path, ready] of [
      ["/inbox?view=all", "view-all"],
      [`/inbox/${id}?view=all`, "conversation-contact"],
      ["/settings/channels", "settings-nav"],
      ["/log", "rail-log"],
    ] as const) {
      await page.goto(`${t.url}${path}`);
      await page.getByTestId(ready).first().waitFor();
      await page.waitForLoadState("networkidle");
      expect(await axeViolations(page), path).toEqual([]);
    }
  });
});
