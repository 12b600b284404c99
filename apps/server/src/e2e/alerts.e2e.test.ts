import { describe, expect, it } from "vitest";
import { recordAudit } from "../modules/audit/record";
import { newWorkspace } from "../testing/harness";
import { eventually, screenshot, signIn, useBrowser } from "./browser";

/** Security alerts in the browser (R804): the bell leads to the page, a threshold is edited, an alert acknowledged. */
const { newPage, serverOnFreshDb } = useBrowser();

describe("security alerts page", () => {
  it("shows a raised alert from the bell, acknowledges it, and saves a rule's threshold", async () => {
    const t = await serverOnFreshDb();
    const { owner, workspaceId } = await newWorkspace(t, "Alerts Shop");
    const page = await newPage();
    await signIn(page, t.url, owner.user!.email);

    await t.server.ctx.db.tx((q) =>
      recordAudit(q, {
        workspaceId,
        userId: null,
        action: "api_token.new_address",
        targetType: "api_token",
        data: { tokenId: "tok-1", name: "CRM sync", ip: "203.0.113.44" },
        ip: "203.0.113.44",
        at: t.server.ctx.clock.now(),
      }),
    );
    // The bell shows it like any other notification, and opens the alerts page.
    const bell = page.getByTestId("notification-bell");
    await eventually(() => bell.getAttribute("data-count")).toBe("1");
    await bell.click();
    await page.getByTestId("notification-list").getByText("Security alert: CRM sync (203.0.113.44)").click();
    await page.waitForURL(/\/settings\/alerts$/);

    const row = page.locator('[data-testid^="alert-"]').filter({ hasText: "CRM sync (203.0.113.44)" });
    await row.getByText("API token used from a new address").waitFor();
    await screenshot(page, "security-alerts");
    await row.getByTestId("acknowledge").click();
    // Acknowledged: it leaves the open list; the acknowledged list names who did it.
    await eventually(() => row.count()).toBe(0);
    await page.getByTestId("alerts-status").getByText("Acknowledged").click();
    await eventually(() => page.getByTestId("acknowledged-by").first().textContent()).toMatch(
      /^Acknowledged by Owner/,
    );

    const threshold = page.getByTestId("rule-mass_deletion-threshold");
    await threshold.fill("25");
    await page.getByTestId("rule-mass_deletion-save").click();
    await eventually(async () => {
      const r = await owner.get("/api/alerts/rules");
      return r.body.rules.find((x: { rule: string }) => x.rule === "mass_deletion").threshold;
    }).toBe(25);
    await page.getByTestId("rule-new_device-enabled").click({ force: true });
    await eventually(async () => {
      const r = await owner.get("/api/alerts/rules");
      return r.body.rules.find((x: { rule: string }) => x.rule === "new_device").enabled;
    }).toBe(false);

    // The page is live: an alert raised while it is open shows up without a reload.
    await page.getByTestId("alerts-status").getByText("Open").click();
    await t.server.ctx.db.tx((q) =>
      recordAudit(q, {
        workspaceId,
        userId: null,
        action: "api_token.new_address",
        targetType: "api_token",
        data: { tokenId: "tok-2", name: "Billing export", ip: "198.51.100.7" },
        ip: "198.51.100.7",
        at: t.server.ctx.clock.now(),
      }),
    );
    await page
      .locator('[data-testid^="alert-"]')
      .filter({ hasText: "Billing export (198.51.100.7)" })
      .getByText("API token used from a new address")
      .waitFor();

    const acks = await t.server.ctx.db.query<{ user_id: string }>(
      "select user_id from audit_log where workspace_id = $1 and action = 'alert.acknowledged'",
      [workspaceId],
    );
    expect(acks).toEqual([{ user_id: owner.user!.id }]);
  });
});
