import { Secret, TOTP } from "otpauth";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { MovableClock } from "../lib/time";
import { newWorkspace, PASSWORD } from "../testing/harness";
import { useTestServer } from "../testing/use-test-server";
import { eventually, signIn, useBrowser } from "./browser";

/** Two-factor sign-in in a real browser: set up from the profile, signed out, signed in again with a code. */
const clock = new MovableClock();
const t = useTestServer({ clock });
const e2e = useBrowser();

const codeOf = (secret: string) =>
  new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: "SHA1" }).generate({
    timestamp: clock.now().getTime(),
  });
/** The next 30-second window: a code is accepted once, so each step needs a new one. */
const nextWindow = () => clock.advance(30_000 - (clock.now().getTime() % 30_000) + 1_000);

async function newPage(): Promise<Page> {
  await e2e.browser.clearCookies();
  return e2e.newPage();
}

describe("two-factor sign-in", () => {
  it("is set up from the profile with the typed secret, then asked for at sign-in and before a dangerous action", async () => {
    const { owner } = await newWorkspace(t);
    const email = owner.user!.email;
    const page = await newPage();
    await signIn(page, t.url, email);
    await page.getByTestId("user-menu").click();
    await page.getByTestId("menu-profile").click();
    await page.waitForURL(/\/settings\/profile$/);
    await expect.poll(() => page.getByTestId("two-factor-state").textContent()).toBe("Off");

    await page.getByTestId("two-factor-enable").click();
    const secret = (await page.getByTestId("totp-secret").textContent())!.trim();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    await expect.poll(() => page.getByRole("img", { name: /QR code/ }).count()).toBe(1);
    await page.getByTestId("totp-confirm-code").fill("000000");
    await page.getByTestId("totp-confirm").click();
    // The profile may show other notices (e.g. that email changes need SMTP): look for this one.
    await eventually(() => page.getByRole("alert").filter({ hasText: "not right" }).count()).toBe(1);
    await page.getByTestId("totp-confirm-code").fill(codeOf(secret));
    await page.getByTestId("totp-confirm").click();
    await eventually(() => page.getByTestId("recovery-code").count()).toBe(10);
    const recovery = await page.getByTestId("recovery-code").allTextContents();
    await page.getByTestId("recovery-done").click();
    await eventually(() => page.getByTestId("two-factor-state").textContent()).toBe("On");
    await eventually(() => page.getByTestId("recovery-left").textContent()).toContain("10");

    // Signed out, the password alone no longer opens the app: the code does.
    await page.evaluate(() => fetch("/api/auth/sign-out", { method: "POST" }));
    await e2e.browser.clearCookies();
    await page.goto(`${t.url}/sign-in`);
    await page.getByLabel("Email").fill(email);
    await page.locator(`input[name="password"]`).fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByTestId("sign-in-code").waitFor();
    nextWindow();
    await page.getByTestId("sign-in-code").fill(codeOf(secret));
    await page.getByTestId("sign-in-code-submit").click();
    await page.waitForURL(/\/inbox/);

    // Twelve minutes later new recovery codes need a fresh proof: the shared dialog asks, then the request goes again.
    clock.advance(12 * 60_000);
    nextWindow();
    await page.goto(`${t.url}/settings/profile`);
    await page.getByRole("button", { name: "New recovery codes" }).click();
    await page.getByTestId("step-up-password").waitFor();
    await page.getByRole("button", { name: "Use a code from the app instead" }).click();
    await page.getByTestId("step-up-code").fill(codeOf(secret));
    await page.getByTestId("step-up-submit").click();
    await eventually(() => page.getByTestId("recovery-code").count()).toBe(10);
    const fresh = await page.getByTestId("recovery-code").allTextContents();
    expect(fresh).not.toContain(recovery[0]);
    const [stepUp] = await t.db.query<{ n: number }>(
      "select count(*)::int as n from audit_log where user_id = $1 and action = 'auth.step_up'",
      [owner.user!.id],
    );
    expect(stepUp!.n).toBe(1);
  });
});
