import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually as waitFor } from "../testing/eventually";
import { linkIn, Mailbox } from "../testing/fakes/mailbox";
import { newWorkspace, type TestServer } from "../testing/harness";
import { eventually, useBrowser } from "./browser";

/** Forgotten password in a real browser: the sign-in page's link, the email, the reset page, signing in. */
const e2e = useBrowser();
const mailbox = new Mailbox();
let t: TestServer;

beforeAll(async () => {
  await mailbox.start();
  t = await e2e.serverOnFreshDb({ env: mailbox.env() });
});
afterAll(() => mailbox.stop());

describe("forgot password", () => {
  it("asks for a link on the sign-in page, resets the password from the email, and signs in with it", async () => {
    const { owner } = await newWorkspace(t);
    const email = owner.user!.email;
    const page = await e2e.newPage();
    await page.goto(`${t.url}/sign-in`);
    await page.getByTestId("forgot-password").click();
    await page.waitForURL(/\/forgot-password$/);
    await page.getByLabel("Email").fill(email);
    await page.getByRole("button", { name: "Send the link" }).click();
    await eventually(() => page.getByTestId("forgot-sent").textContent()).toContain(email);

    const mail = await waitFor(() => mailbox.to(email)[0], { timeout: 20_000, what: "the reset mail" });
    const link = linkIn(mail, "/reset-password/");
    await page.goto(link);
    const password = "a new passphrase from the mail";
    await page.getByLabel("New password").fill(password);
    await page.getByRole("button", { name: "Set the password" }).click();
    await eventually(() => page.getByTestId("reset-done").isVisible()).toBe(true);
    await page.getByTestId("reset-sign-in").click();
    await page.waitForURL(/\/sign-in$/);
    await page.getByLabel("Email").fill(email);
    await page.locator('input[name="password"]').fill(password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/inbox/);

    // The profile lists this browser as this device; the used link is refused with its reason.
    await page.goto(`${t.url}/settings/profile`);
    await eventually(() => page.getByTestId("sessions-list").textContent()).toContain("This device");
    await page.goto(link);
    await page.getByLabel("New password").fill("one more passphrase here");
    await page.getByRole("button", { name: "Set the password" }).click();
    await eventually(() => page.getByTestId("reset-error").textContent()).toContain("already been used");
    expect(mailbox.to(email)).toHaveLength(1);
  });
});
