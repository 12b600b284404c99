import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SmsFake, startSmsFake } from "../testing/fakes/sms";
import { addUser, newWorkspace, unique } from "../testing/harness";
import { useTestServer } from "../testing/use-test-server";
import { eventually, openPage, screenshot, signIn, useBrowser } from "./browser";

/** SMS notifications in a real browser (R304): an agent confirms a number with the SMS code, then ticks SMS. */
let fake: SmsFake;
beforeAll(async () => {
  fake = await startSmsFake();
});
afterAll(async () => {
  await fake.close();
});
const t = useTestServer();
const e2e = useBrowser();

describe("SMS notifications in the browser", () => {
  it("verifies the agent's number with the code sent by SMS and switches the SMS column on", async () => {
    const { owner } = await newWorkspace(t);
    const number = "+15557650001";
    const account = fake.addAccount([number]);
    const conn = await owner.post("/api/connections", {
      type: "sms",
      name: unique("sms"),
      credentials: {
        accountSid: account.sid,
        authToken: account.token,
        fromNumber: number,
        baseUrl: fake.url,
      },
    });
    expect(conn.status).toBe(201);
    const agent = await addUser(t, owner, "agent", unique("sofia"));
    const { page, check } = await openPage(e2e.browser);
    await signIn(page, t.url, agent.client.user!.email);
    await page.goto(`${t.url}/settings/notifications`);

    const smsAssigned = page.getByTestId("matrix-assigned-sms");
    // No number yet: the SMS column cannot be ticked.
    await eventually(() => smsAssigned.isDisabled()).toBe(true);
    const to = "+15551239876";
    await page.getByTestId("sms-phone").fill("+1 555 123 9876");
    await page.getByTestId("sms-send-code").click();
    await eventually(() => fake.sentTo(to).length).toBe(1);
    const code = /\b(\d{6})\b/.exec(fake.sentTo(to)[0]!.body)![1]!;
    await page.getByTestId("sms-code").fill(code);
    await page.getByTestId("sms-verify").click();
    await eventually(() => page.getByTestId("sms-verified").textContent()).toBe(
      `Notifications by SMS go to ${to}.`,
    );
    await eventually(() => smsAssigned.isDisabled()).toBe(false);
    await smsAssigned.check();
    await page.getByTestId("notify-save").click();
    await eventually(() => page.getByText("Notification settings saved").count()).toBe(1);
    const saved = (await agent.client.get("/api/notifications/settings")).body;
    expect(saved.settings.matrix.assigned.sms).toBe(true);
    expect(saved.sms).toEqual({ available: true, phone: to, pendingPhone: null });
    await screenshot(page, "sms-notifications");
    await check();
  });
});
