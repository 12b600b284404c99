import { describe, expect, it } from "vitest";
import { withToken } from "../modules/api-tokens/test-helpers";
import { newWorkspace } from "../testing/harness";
import { eventually, screenshot, signIn, useBrowser } from "./browser";

/** Settings → API in a real browser: create a token (its secret shown once), use it, revoke it (R806). */
const { newPage, serverOnFreshDb } = useBrowser();

describe("API tokens page", () => {
  it("creates a token with chosen permissions, shows its secret once, and revokes it after a confirmation", async () => {
    const t = await serverOnFreshDb();
    const { owner } = await newWorkspace(t, "Token Shop");
    const page = await newPage();
    await signIn(page, t.url, owner.user!.email);
    await page.getByTestId("user-menu").click();
    await page.getByTestId("menu-api").click();
    await page.waitForURL(/\/settings\/api$/);

    await page.getByTestId("token-create").click();
    await page.getByTestId("token-name").fill("Nightly export");
    await page.getByTestId("token-permission-reports.view").click();
    await page.getByTestId("token-permission-content.manage").click();
    await page.getByTestId("token-create-submit").click();
    const secretBox = page.getByTestId("token-secret");
    await eventually(() => secretBox.count()).toBe(1);
    const secret = (await secretBox.textContent())!.trim();
    expect(secret).toMatch(/^prl_/);
    expect(await page.getByTestId("token-curl").textContent()).toContain(`Authorization: Bearer ${secret}`);
    await screenshot(page, "api-token-secret");

    // The secret works, with the chosen permissions only.
    expect((await withToken(t.url, secret, "POST", "/api/tags", { name: "from-script" })).status).toBe(201);
    expect((await withToken(t.url, secret, "GET", "/api/invitations")).status).toBe(403);

    // Closed, the secret is gone from the page for good: the list shows only its start.
    await page.getByTestId("token-secret-done").click();
    const rows = page.getByTestId("token-row");
    await eventually(() => rows.count()).toBe(1);
    const row = rows.first();
    expect(await row.textContent()).toContain("Nightly export");
    expect(await row.textContent()).toContain(secret.slice(0, 12));
    // Permissions by their human names.
    expect(await row.textContent()).toContain("See reports");
    expect(await row.textContent()).toContain("Manage canned replies and tags");
    expect(await page.content()).not.toContain(secret);
    await eventually(() => row.getByTestId("token-status").textContent()).toBe("Active");

    await row.getByTestId("token-revoke").click();
    await page.getByTestId("token-revoke-confirm").click();
    await eventually(() => row.getByTestId("token-status").textContent()).toBe("Revoked");
    expect((await withToken(t.url, secret, "GET", "/api/tags")).status).toBe(401);
    await screenshot(page, "api-tokens-page");
  });
});
