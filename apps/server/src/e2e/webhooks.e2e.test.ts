import { describe, expect, it } from "vitest";
import { apiConnection, inbound, newWorkspace } from "../testing/harness";
import { startWebhookReceiver } from "../testing/webhook-receiver";
import { eventually, screenshot, signIn, useBrowser } from "./browser";

/**
 * Outgoing webhooks in a real browser (R806): an admin adds an endpoint on Settings → Webhooks, gets its
 * secret, sees a delivery in its log, and sends it again.
 */
const { cleanups, newPage: page, serverOnFreshDb: server } = useBrowser();

describe("the webhooks settings page", () => {
  it("creates an endpoint, shows its delivery, and sends it again", async () => {
    const t = await server();
    const { owner } = await newWorkspace(t, "Acme Hooks");
    const conn = await apiConnection(t, owner);
    const hooks = await startWebhookReceiver();
    cleanups.push(() => hooks.close());

    const p = await page();
    await signIn(p, t.url, owner.user!.email);
    await p.getByTestId("user-menu").click();
    await p.getByTestId("menu-webhooks").click();
    await p.waitForURL(/\/settings\/webhooks$/);
    await p.getByTestId("webhooks-empty").waitFor();

    await p.getByTestId("webhook-add").click();
    await p.getByTestId("webhook-url").fill(hooks.url);
    await p.getByTestId("webhook-description").fill("CRM sync");
    // Only new messages.
    for (const type of [
      "conversation.created",
      "conversation.assigned",
      "conversation.status_changed",
      "message.status_changed",
      "contact.created",
      "contact.updated",
    ])
      await p.getByTestId(`webhook-event-${type}`).click();
    await p.getByTestId("webhook-save").click();
    const secret = (await p.getByTestId("webhook-secret").textContent())!.trim();
    expect(secret).toMatch(/^whsec_\S{20,}$/);
    await p.getByRole("button", { name: "Done" }).click();
    await eventually(() => p.getByTestId("webhook-endpoint-url").textContent()).toBe(hooks.url);

    await conn.post(inbound("buyer-1", "Where is my order?"));
    await eventually(() => hooks.ofType("message.created").length).toBe(1);
    await p.getByTestId("webhook-log").click();
    const row = p.getByTestId("delivery-row");
    await eventually(() => row.first().getAttribute("data-status")).toBe("succeeded");
    expect(await row.first().textContent()).toContain("message.created");
    await screenshot(p, "webhooks-page");

    await row.first().getByTestId("send-again").click();
    await eventually(() => hooks.ofType("message.created").length).toBe(2);
    const [first, again] = hooks.ofType("message.created");
    expect(again!.raw).toBe(first!.raw);
    await eventually(() => row.count()).toBe(2);
    expect(hooks.requests.map((r) => r.body.type)).toEqual(["message.created", "message.created"]);
  });
});
