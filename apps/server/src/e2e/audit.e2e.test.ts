import { describe, expect, it } from "vitest";
import { recordAudit } from "../modules/audit/record";
import { apiConnection, newWorkspace } from "../testing/harness";
import { eventually, screenshot, signIn, useBrowser } from "./browser";

/** The audit log page in a real browser against a real server: labels, filters, a row's data, export. */
const { newPage, serverOnFreshDb } = useBrowser();

describe("audit log page", () => {
  it("lists entries with labels, filters by action, expands a row to its before/after", async () => {
    const t = await serverOnFreshDb();
    const { owner, workspaceId } = await newWorkspace(t, "Audit Shop");
    await apiConnection(t, owner);
    expect((await owner.patch("/api/workspace", { name: "Audit Shop Renamed" })).status).toBe(200);
    // An action this version has no label for shows its own name.
    await recordAudit(t.server.ctx.db, {
      workspaceId,
      userId: owner.user!.id,
      action: "alert.custom_rule_fired",
      targetType: "alert",
      at: t.server.ctx.clock.now(),
    });

    const page = await newPage();
    await signIn(page, t.url, owner.user!.email);
    await page.getByTestId("user-menu").click();
    await page.getByTestId("menu-audit").click();
    await page.waitForURL(/\/settings\/audit$/);
    const rows = page.getByTestId("audit-row");
    await eventually(() => rows.count()).toBeGreaterThanOrEqual(3);
    const actions = await page.getByTestId("audit-action").allTextContents();
    expect(actions).toContain("Channel connected");
    expect(actions).toContain("Workspace settings changed");
    expect(actions).toContain("alert.custom_rule_fired");
    await screenshot(page, "audit-page");

    await page.getByTestId("audit-filter-action").fill("workspace.");
    await eventually(() => rows.count()).toBe(1);
    await rows.first().click();
    const data = page.getByTestId("audit-data");
    await data.waitFor();
    const text = (await data.textContent()) ?? "";
    expect(text).toContain('"before"');
    expect(text).toContain("Audit Shop Renamed");

    await page.getByTestId("audit-filter-action").fill("nothing.like.this");
    await page.getByTestId("audit-empty").waitFor();
  });
});
