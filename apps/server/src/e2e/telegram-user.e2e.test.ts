import { describe, expect, it } from "vitest";
import { MovableClock } from "../lib/time";
import { FakeTelegramCloud } from "../testing/fakes/telegram-user";
import { newWorkspace } from "../testing/harness";
import { eventually, screenshot, signIn, useBrowser } from "./browser";

/**
 * Connecting a personal Telegram account in a real browser, against the local stand-in of Telegram's user API
 * (the test server is started with it; production never is): phone → a wrong code → the right code → the cloud
 * password step with its hint → a wrong password → the right one → connected; the dialog also says plainly that
 * a personal Viber number cannot be connected.
 */
const { newPage: page, serverOnFreshDb: server } = useBrowser();

describe("personal Telegram account in the web app", () => {
  it("signs in with phone, code and cloud password from the Channels page", async () => {
    const clock = new MovableClock();
    const cloud = new FakeTelegramCloud(clock);
    const t = await server({ clock, mtproto: cloud });
    const account = cloud.addAccount("+447700900123", { password: "sunflower-42", hint: "flower + number" });
    const { owner } = await newWorkspace(t, "Acme Telegram");

    const p = await page();
    await signIn(p, t.url, owner.user!.email);
    await p.goto(`${t.url}/settings/channels`);
    await p.getByTestId("connect-channel").click();
    expect(await p.getByTestId("viber-user-note").textContent()).toContain(
      "Viber has no public API for personal accounts",
    );
    await p.getByTestId("connect-type-telegram_user").click();
    await p.getByTestId("tg-user-name").fill("Olena's Telegram");
    await p.getByTestId("tg-user-api-id").fill("123456");
    await p.getByTestId("tg-user-api-hash").fill("0123456789abcdef0123456789abcdef");
    await p.getByTestId("tg-user-phone").fill("+44 7700 900123");
    await p.getByTestId("tg-user-submit").click();

    await p.getByTestId("tg-user-code").waitFor();
    await p.getByTestId("tg-user-code").fill("11111");
    await p.getByTestId("tg-user-submit").click();
    await eventually(() => p.getByTestId("tg-user-error").textContent()).toBe(
      "The code is wrong. Enter the latest code Telegram sent.",
    );
    await p.getByTestId("tg-user-code").fill(cloud.lastCode(account.phone));
    await p.getByTestId("tg-user-submit").click();

    await p.getByTestId("tg-user-password").waitFor();
    expect(await p.getByTestId("tg-user-hint").textContent()).toBe("Hint: flower + number");
    await p.getByTestId("tg-user-password").fill("tulip");
    await p.getByTestId("tg-user-submit").click();
    await eventually(() => p.getByTestId("tg-user-error").textContent()).toBe("The password is wrong.");
    await screenshot(p, "telegram-user-password");
    await p.getByTestId("tg-user-password").fill("sunflower-42");
    await p.getByTestId("tg-user-submit").click();

    await eventually(() => p.getByTestId("tg-user-connected").textContent()).toContain("Olena's Telegram");
    await p.getByTestId("tg-user-done").click();
    const card = p.locator('[data-testid="connection"][data-type="telegram_user"]');
    await eventually(() => card.getByTestId("connection-name").textContent()).toBe("Olena's Telegram");
    // The worker holds the new session.
    await eventually(() => cloud.listeners(account).length).toBe(1);
  });
});
