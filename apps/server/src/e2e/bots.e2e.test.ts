import { describe, expect, it } from "vitest";
import { withToken } from "../modules/api-tokens/test-helpers";
import { apiConnection, inbound, newWorkspace, unique } from "../testing/harness";
import { startWebhookReceiver } from "../testing/webhook-receiver";
import { eventually, screenshot, signIn, useBrowser } from "./browser";

/** A bot's hand-off and a linked record, as an agent sees them in the conversation (R702, R703). */
const { newPage, serverOnFreshDb } = useBrowser();

describe("bots and linked records in the conversation", () => {
  it("shows the bot's reply and its hand-off in the feed, and the linked record in the header", async () => {
    const t = await serverOnFreshDb();
    const { owner } = await newWorkspace(t, "Bot Shop");
    const conn = await apiConnection(t, owner);
    const bot = await startWebhookReceiver();
    const crm = await startWebhookReceiver();
    crm.respondWith(() => ({
      status: 201,
      body: JSON.stringify({ id: "L-77", url: "https://crm.example/leads/77" }),
    }));
    try {
      const created = await owner.post("/api/bots", { name: "Helper", webhookUrl: bot.url });
      expect(created.status).toBe(201);
      const config = {
        url: crm.url,
        bodyTemplate: '{"name": "{{contact.name}}"}',
        idPath: "id",
        urlPath: "url",
      };
      expect((await owner.put(`/api/connections/${conn.id}/linked-record-config`, config)).status).toBe(200);
      const r = await conn.post(inbound(unique("c"), "Where is my order?"));
      const id = r.body.results[0].conversationId as string;
      expect((await owner.put(`/api/conversations/${id}/bot`, { botId: created.body.bot.id })).status).toBe(
        200,
      );
      await eventually(() => bot.requests.length).toBe(1);
      const token = created.body.token as string;
      expect(
        (
          await withToken(t.url, token, "POST", `/api/conversations/${id}/messages`, {
            text: "Let me check.",
          })
        ).status,
      ).toBe(201);
      expect(
        (
          await withToken(t.url, token, "POST", `/api/conversations/${id}/handover`, {
            reason: "needs a person",
          })
        ).status,
      ).toBe(200);

      const page = await newPage();
      await signIn(page, t.url, owner.user!.email);
      await page.goto(`${t.url}/inbox/${id}?view=all`);
      const events = page.getByTestId("system-event");
      await eventually(() => events.allTextContents()).toEqual([
        expect.stringContaining("handed the conversation to the bot Helper"),
        expect.stringContaining("The bot Helper handed the conversation over (by the bot)"),
      ]);
      await eventually(() =>
        page.getByTestId("message").filter({ hasText: "Let me check." }).textContent(),
      ).toContain("Helper");
      const record = page.getByTestId("conversation-header").getByTestId("linked-record");
      await eventually(() => record.textContent()).toBe("Record L-77");
      expect(await record.getAttribute("href")).toBe("https://crm.example/leads/77");
      await screenshot(page, "bot-handover-and-linked-record");
    } finally {
      await bot.close();
      await crm.close();
    }
  });
});
