import type { BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addUser, newWorkspace } from "../testing/harness";
import { eventually, launchBrowser, openPage, screenshot, signIn, useBrowser } from "./browser";

/**
 * Roles and permissions in real browsers (R801): the owner unticks a right for agents in the matrix, and an
 * agent's page, open in another browser, hides the matching control without a reload (the server re-checks
 * the agent's socket and tells the page to fetch the new rights).
 */
const { cleanups, newPage, serverOnFreshDb } = useBrowser();
let agentBrowser: BrowserContext | undefined;
let closeAgentBrowser: (() => Promise<void>) | undefined;
beforeAll(async () => {
  ({ browser: agentBrowser, close: closeAgentBrowser } = await launchBrowser());
}, 120_000);
afterAll(async () => {
  await closeAgentBrowser?.();
});

describe("roles and permissions", () => {
  it("unticking Bulk actions for agents hides the agent's bulk selection at once; a custom role is created and given", async () => {
    const t = await serverOnFreshDb();
    const { owner } = await newWorkspace(t, "Roles Shop");
    const agent = await addUser(t, owner, "agent", "roles-agent");

    // The agent's inbox is open in its own browser: agents may act in bulk by default.
    const { page: agentPage, check } = await openPage(agentBrowser!);
    cleanups.push(check);
    await signIn(agentPage, t.url, agent.client.user!.email);
    await agentPage.getByTestId("select-mode").waitFor();
    // Agents cannot manage people: no roles link in their menu.
    await agentPage.getByTestId("user-menu").click();
    await agentPage.getByTestId("menu-profile").waitFor();
    expect(await agentPage.getByTestId("menu-roles").count()).toBe(0);
    await agentPage.keyboard.press("Escape");

    const page = await newPage();
    await signIn(page, t.url, owner.user!.email);
    await page.getByTestId("user-menu").click();
    await page.getByTestId("menu-roles").click();
    await page.waitForURL(/\/settings\/roles$/);
    await page.getByTestId("roles-matrix").waitFor();
    // Owners and admins: ticked and locked.
    const ownerBox = page.getByTestId("perm-owner-api.manage");
    expect(await ownerBox.isChecked()).toBe(true);
    expect(await ownerBox.isDisabled()).toBe(true);
    expect(await page.getByText("Act on many conversations at once from the inbox.").count()).toBe(1);

    const agentBulk = page.getByTestId("perm-agent-conversations.bulk");
    expect(await agentBulk.isChecked()).toBe(true);
    await agentBulk.click();
    await eventually(() => agentBulk.isChecked()).toBe(false);
    await screenshot(page, "roles-matrix");

    // The agent's open page hides bulk selection without a reload.
    await agentPage.getByTestId("select-mode").waitFor({ state: "detached" });
    const session = await agent.client.get("/api/auth/session");
    expect(session.body.permissions).toEqual(["conversations.reply"]);

    // A custom role based on agents starts with their rights; given to the agent in the People panel.
    await page.getByTestId("role-name").fill("Bulk helper");
    await page.getByTestId("role-create").click();
    const customBulk = page.getByTestId("perm-Bulk helper-conversations.bulk");
    await customBulk.waitFor();
    expect(await customBulk.isChecked()).toBe(false);
    await customBulk.click();
    await eventually(() => customBulk.isChecked()).toBe(true);

    await page.goto(`${t.url}/settings/users`);
    const row = page.getByTestId(`user-row-${agent.client.user!.email}`);
    await row.getByTestId("user-role").click();
    await page.getByRole("option", { name: "Bulk helper" }).click();
    await eventually(() => row.getByTestId("user-role").inputValue()).toBe("Bulk helper");
    // The agent's page shows bulk selection again, through the custom role.
    await agentPage.getByTestId("select-mode").waitFor();
  });
});
