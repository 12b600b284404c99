import { describe, expect, it } from "vitest";
import { startSmsFake } from "../testing/fakes/sms";
import { newWorkspace } from "../testing/harness";
import { eventually, screenshot, signIn, useBrowser } from "./browser";

/**
 * The SMS channel in a real browser: an admin connects it through the Channels page (the form generated
 * from the adapter's schema), a customer's SMS arrives signed, the composer counts the parts and warns
 * before a long one, and a STOP shows the conversation as opted out.
 */
const { cleanups, newPage: page, serverOnFreshDb: server } = useBrowser();

describe("SMS in the web app", () => {
  it("connects an SMS number, counts parts in the composer and shows the STOP opt-out", async () => {
    const t = await server();
    const fake = await startSmsFake();
    cleanups.push(() => fake.close());
    const number = "+15557654321";
    const account = fake.addAccount([number]);
    const { owner } = await newWorkspace(t, "Acme SMS");

    const p = await page();
    await signIn(p, t.url, owner.user!.email);
    await p.goto(`${t.url}/settings/channels`);
    await p.getByTestId("connect-channel").click();
    await p.getByTestId("connect-type-sms").click();
    await p.getByTestId("field-name").fill("Support line");
    await p.getByTestId("field-accountSid").fill(account.sid);
    await p.getByTestId("field-authToken").fill(account.token);
    await p.getByTestId("field-fromNumber").fill(number);
    await p.getByTestId("field-baseUrl").fill(fake.url);
    // The form's labels come from the `sms` namespace.
    expect(await p.getByText("Account SID").count()).toBeGreaterThan(0);
    await p.getByTestId("connect-submit").click();
    const reveal = p.getByTestId("reveal");
    await reveal.waitFor();
    const webhookUrl = (await p.getByTestId("reveal-webhookUrl").textContent())!.trim();
    expect(webhookUrl).toMatch(new RegExp(`^${t.url}/api/webhooks/sms/[0-9a-f-]{36}$`));
    await p.getByTestId("reveal-done").click();
    const card = p.getByTestId("connection");
    await eventually(() => card.getByTestId("connection-name").textContent()).toBe("Support line");
    await screenshot(p, "sms-connected");

    // The admin pastes the webhook URL at the provider; a customer writes.
    fake.setInboundUrl(account, number, webhookUrl);
    const customer = "+15551230000";
    expect(
      (await fake.inbound(account, { from: customer, to: number, body: "Is my order ready?" })).status,
    ).toBe(200);
    const [conv] = (await owner.get("/api/conversations")).body.conversations;
    await p.goto(`${t.url}/inbox/${conv.id}?view=all`);
    const input = p.getByTestId("composer-input");
    await input.waitFor();

    // One GSM-7 part; Cyrillic makes it Unicode; past three parts the composer warns.
    await input.fill("Yes, it is ready.");
    const parts = p.getByTestId("sms-parts");
    await eventually(() => parts.getAttribute("data-segments")).toBe("1");
    expect(await parts.getAttribute("data-encoding")).toBe("gsm7");
    expect(await parts.textContent()).toContain("1 SMS part (GSM-7), 143 left in this part");
    expect(await p.getByTestId("sms-many-parts").count()).toBe(0);
    await input.fill("Готово. ".repeat(30));
    await eventually(() => parts.getAttribute("data-segments")).toBe("4");
    expect(await parts.getAttribute("data-encoding")).toBe("ucs2");
    await p.getByTestId("sms-many-parts").waitFor();
    expect(await p.getByTestId("sms-many-parts").textContent()).toContain("4 SMS parts");
    await screenshot(p, "sms-composer-parts");

    // A reply goes out through the provider.
    await input.fill("Yes, it is ready.");
    await p.getByTestId("composer-send").click();
    await eventually(() => fake.sentTo(customer).map((m) => m.body)).toEqual(["Yes, it is ready."]);

    // The customer replies STOP: the conversation shows the opt-out instead of allowing a reply.
    expect((await fake.inbound(account, { from: customer, to: number, body: "STOP" })).status).toBe(200);
    const notice = p.getByTestId("window-notice");
    await eventually(() => notice.getAttribute("data-state")).toBe("unsubscribed");
    expect(await notice.textContent()).toContain("Opted out of SMS");
    expect(await notice.textContent()).toContain("reply START");
    await screenshot(p, "sms-opted-out");
  });
});
