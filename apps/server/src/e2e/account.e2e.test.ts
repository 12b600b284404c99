import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { addUser, apiConnection, inbound, newWorkspace, PASSWORD, unique } from "../testing/harness";
import { useTestServer } from "../testing/use-test-server";
import { eventually, signIn, useBrowser } from "./browser";

/** A real 1×1 PNG. */
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
  "base64",
);

/**
 * The account side of the agent app in a real browser: invitations, the profile's language, keyboard
 * navigation of the inbox and the narrow (phone) layout.
 */
const t = useTestServer();
const e2e = useBrowser();
const { cleanups } = e2e;

/** A new tab with no one signed in. */
async function newPage(): Promise<Page> {
  await e2e.browser.clearCookies();
  const page = await e2e.browser.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  cleanups.push(async () => {
    await page.close().catch(() => undefined);
    expect(errors, "errors thrown in the page").toEqual([]);
  });
  return page;
}

describe("account", () => {
  it("signs out from the user menu: back to the sign-in page, and a reload stays signed out", async () => {
    const { owner } = await newWorkspace(t);
    const page = await newPage();
    await signIn(page, t.url, owner.user!.email);
    await page.getByTestId("user-menu").click();
    await page.getByTestId("menu-sign-out").click();
    await page.waitForURL(/\/sign-in$/);
    await page.reload();
    await page.waitForURL(/\/sign-in$/);
    expect(await page.getByTestId("user-menu").count()).toBe(0);
  });

  it("invites a person by link; they sign up from it, and sign in again later", async () => {
    const { owner } = await newWorkspace(t);
    const page = await newPage();
    await signIn(page, t.url, owner.user!.email);
    await page.getByTestId("user-menu").click();
    await page.getByTestId("menu-users").click();
    await page.waitForURL(/\/settings\/users$/);
    const email = `${unique("invitee")}@example.com`;
    await page.getByTestId("invite-email").fill(email);
    await page.getByTestId("invite-submit").click();
    const link = await page.getByTestId("invite-link").inputValue();
    expect(link).toMatch(/\/invite\/[\w-]+$/);

    // The invitee opens the link signed out.
    await page.evaluate(() => fetch("/api/auth/sign-out", { method: "POST" }));
    await e2e.browser.clearCookies();
    await page.goto(link);
    await eventually(() => page.getByText(email).count()).toBeGreaterThan(0);
    await page.getByLabel("Your name").fill("Ivan Invitee");
    await page.locator('input[name="password"]').fill(PASSWORD);
    await page.getByRole("button", { name: "Create my account" }).click();
    await page.waitForURL(/\/inbox/);
    await eventually(() => page.getByTestId("user-menu").textContent()).toContain("Ivan Invitee");
    // A used link is refused.
    await e2e.browser.clearCookies();
    await page.goto(link);
    await page.getByTestId("invite-invalid").waitFor();

    await signIn(page, t.url, email);
    await eventually(() => page.getByTestId("user-menu").textContent()).toContain("Ivan Invitee");
    // The owner sees the new person in the list.
    const users = await owner.get("/api/users");
    expect(users.body.users).toContainEqual(expect.objectContaining({ email, name: "Ivan Invitee" }));
  });

  it("shows presence live, switches to away from the header, and deactivates a person from the users page", async () => {
    const { owner } = await newWorkspace(t);
    const agent = await addUser(t, owner, "agent", unique("Petro"));
    const page = await newPage();
    await signIn(page, t.url, owner.user!.email);
    await page.getByTestId("presence-control").waitFor();
    await eventually(() =>
      page.getByTestId(`presence-${owner.user!.id}`).first().getAttribute("data-presence"),
    ).toBe("online");
    await page.getByTestId("presence-control").click();
    await page.getByTestId("presence-away").click();
    await eventually(
      async () => (await agent.client.get("/api/presence")).body.presence[owner.user!.id],
    ).toBe("away");
    await eventually(() =>
      page.getByTestId(`presence-${owner.user!.id}`).first().getAttribute("data-presence"),
    ).toBe("away");

    // The agent comes online elsewhere: the owner's users page shows it live.
    await page.getByTestId("user-menu").click();
    await page.getByTestId("menu-users").click();
    const row = page.getByTestId(`user-row-${agent.client.user!.email}`);
    await row.waitFor();
    expect(await row.getByTestId(`presence-${agent.id}`).getAttribute("data-presence")).toBe("offline");
    const socket = await agent.client.socket(t.wsUrl);
    await eventually(() => row.getByTestId(`presence-${agent.id}`).getAttribute("data-presence")).toBe(
      "online",
    );
    page.once("dialog", (d) => void d.accept());
    await row.getByTestId("user-deactivate").click();
    await eventually(() => row.textContent()).toContain("Deactivated");
    await eventually(() => row.getByTestId(`presence-${agent.id}`).getAttribute("data-presence")).toBe(
      "offline",
    );
    expect((await agent.client.get("/api/auth/session")).status).toBe(401);
    socket.close();
    await page.getByTestId("presence-control").click();
    await page.getByTestId("presence-auto").click();
  });

  it("switches the UI to Russian from the profile, and signs in in Russian on another device", async () => {
    const { owner } = await newWorkspace(t);
    const page = await newPage();
    await signIn(page, t.url, owner.user!.email);
    await page.getByTestId("user-menu").click();
    await page.getByTestId("menu-profile").click();
    await page.waitForURL(/\/settings\/profile$/);
    // An avatar: a real picture is taken and shown; a file that only claims to be one is refused.
    await page.locator('input[type="file"]').setInputFiles({
      name: "me.png",
      mimeType: "image/png",
      buffer: PNG,
    });
    await eventually(() => page.locator('img[src^="/api/files/"]').count()).toBeGreaterThan(0);
    await page.locator('input[type="file"]').setInputFiles({
      name: "fake.png",
      mimeType: "image/png",
      buffer: Buffer.from("<svg onload=alert(1)>"),
    });
    await eventually(() => page.getByRole("alert").first().textContent()).toContain("not a picture");
    await page.getByTestId("profile-language").click();
    await page.getByRole("option", { name: "Русский" }).click();
    // The profile is one page of the settings area: its own heading is in the main region, the side
    // navigation's (Settings) beside it; both follow the language at once.
    await eventually(() =>
      page.getByRole("main").getByRole("heading", { level: 2 }).first().textContent(),
    ).toBe("Профиль");
    expect(await page.getByRole("heading", { level: 2 }).first().textContent()).toBe("Настройки");
    await eventually(async () => (await owner.get("/api/auth/session")).body.user.locale).toBe("ru");

    // Another device: no language stored in the browser, an English browser: the user's language wins.
    await page.evaluate("localStorage.clear()");
    await e2e.browser.clearCookies();
    await page.goto(`${t.url}/sign-in`);
    await eventually(() => page.locator("html").getAttribute("lang")).toBe("en");
    await signIn(page, t.url, owner.user!.email);
    await eventually(() => page.getByTestId("view-mine").textContent()).toBe("Мои");
    expect(await page.locator("html").getAttribute("lang")).toBe("ru");
    // Back to English through the header, kept on the user as well.
    await page.getByTestId("language-switch").click();
    await page.getByTestId("language-en").click();
    await eventually(() => page.getByTestId("view-mine").textContent()).toBe("My inbox");
    await eventually(async () => (await owner.get("/api/auth/session")).body.user.locale).toBe("en");
  });

  it("moves between conversations with j/k, replies with r, and lists the shortcuts with ?", async () => {
    const { owner } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    for (const n of [1, 2, 3]) {
      const r = await conn.post(inbound(unique(`kb-${n}`), `Question ${n}`));
      expect(r.status).toBe(200);
    }
    const page = await newPage();
    await signIn(page, t.url, owner.user!.email);
    await page.getByTestId("view-all").click();
    await eventually(() => page.getByTestId("conversation-row").count()).toBe(3);
    const ids = await page
      .getByTestId("conversation-row")
      .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-conversation-id")));
    // The list is a list of links, the open one marked current; the feed is a log.
    expect(await page.getByRole("list", { name: "Conversations" }).getByRole("listitem").count()).toBe(3);

    await page.keyboard.press("j");
    await eventually(() => page.url()).toContain(`/inbox/${ids[0]}?view=all`);
    await page.getByRole("log").waitFor();
    await page.keyboard.press("j");
    await eventually(() => page.url()).toContain(`/inbox/${ids[1]}?view=all`);
    await eventually(() =>
      page.locator(`[data-conversation-id="${ids[1]}"]`).getAttribute("aria-current"),
    ).toBe("page");
    await page.keyboard.press("ArrowDown");
    await eventually(() => page.url()).toContain(`/inbox/${ids[2]}?view=all`);
    await page.keyboard.press("k");
    await eventually(() => page.url()).toContain(`/inbox/${ids[1]}?view=all`);
    await page.getByRole("log").waitFor();
    // r focuses the composer: wait until the opened conversation's composer is there to take it.
    await page.getByTestId("composer-input").waitFor();

    await page.keyboard.press("r");
    await eventually(() => page.evaluate('document.activeElement?.getAttribute("data-testid") ?? null')).toBe(
      "composer-input",
    );
    // Keys typed into the composer are text, not shortcuts.
    await page.keyboard.type("jk");
    expect(page.url()).toContain(ids[1]!);
    await page.getByTestId("composer-input").fill("");
    await page.getByTestId("composer-input").blur();

    await page.keyboard.press("Shift+?");
    await eventually(() => page.getByRole("dialog").textContent()).toContain("Next conversation");
    await page.keyboard.press("Escape");
    await eventually(() => page.getByRole("dialog").count()).toBe(0);
    // Arrows inside an open menu move through the menu, not between conversations.
    const at = page.url();
    await page.getByTestId("user-menu").click();
    await page.getByRole("menu").waitFor();
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowDown");
    expect(page.url()).toBe(at);
    await page.keyboard.press("Escape");
  });

  it("on a narrow screen shows the list, then the conversation alone, then the list again", async () => {
    const { owner } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    await conn.post(inbound(unique("phone"), "From a phone"));
    const page = await newPage();
    await page.setViewportSize({ width: 390, height: 800 });
    await signIn(page, t.url, owner.user!.email);
    await page.getByTestId("nav-burger").click();
    await page.getByTestId("view-all").click();
    await page.waitForURL(/view=all/);
    const row = page.getByTestId("conversation-row").first();
    await row.waitFor();
    expect(await page.getByTestId("conversation-pane").count()).toBe(0);
    await row.click();
    await page.getByTestId("conversation-pane").waitFor();
    await eventually(() => page.getByTestId("conversation-list").isVisible()).toBe(false);
    await page.getByTestId("back-to-list").click();
    await eventually(() => page.getByTestId("conversation-list").isVisible()).toBe(true);
    expect(await page.getByTestId("conversation-pane").count()).toBe(0);
    // The header still offers the presence switch and the menu.
    expect(await page.getByTestId("presence-control").isVisible()).toBe(true);
    expect(await page.getByTestId("user-menu").isVisible()).toBe(true);
  });
});
