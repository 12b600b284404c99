import { describe, expect, it } from "vitest";
import { metaWebhook, startMetaFake } from "../testing/fakes/meta";
import { newWorkspace, unique } from "../testing/harness";
import { eventually, screenshot, signIn, socketOpen, useBrowser } from "./browser";

/**
 * Messenger in a real browser: a new sender is named from their profile while the inbox is open, and a
 * customer's reaction appears under the agent's message bubble (and goes again on "unreact") without a reload.
 */
const { cleanups, newPage, serverOnFreshDb } = useBrowser();

describe("Messenger profiles and reactions in the web app", () => {
  it("names the sender live and shows the customer's reaction under the message", async () => {
    const fake = await startMetaFake();
    cleanups.push(() => fake.close());
    const t = await serverOnFreshDb({
      env: {
        GRAPH_API_BASE: fake.graphUrl,
        GRAPH_API_VERSION: "v21.0",
        INSTAGRAM_API_BASE: fake.instagramUrl,
      },
    });
    const { owner } = await newWorkspace(t, "Acme Messenger");
    const pageId = "1029384756";
    const token = unique("page-token");
    const appSecret = unique("app-secret");
    fake.addAccount(token, { platform: "messenger", accountId: pageId, host: "graph" });
    const c = await owner.post("/api/connections", {
      type: "messenger",
      name: "Acme page",
      credentials: { pageId, pageAccessToken: token, appSecret },
    });
    expect(c.status).toBe(201);
    const url = `${t.url}/api/webhooks/messenger/${c.body.connection.id}`;
    const psid = "5550001112223334";
    fake.setProfile(psid, { first_name: "Olena", last_name: "Kovalenko" });
    const post = (messaging: unknown) =>
      fake.webhook(url, metaWebhook.page(pageId, [messaging]), { appSecret });

    const p = await newPage();
    await signIn(p, t.url, owner.user!.email);
    await p.goto(`${t.url}/inbox?view=all`);
    await socketOpen(p);

    const r = await post({
      sender: { id: psid },
      recipient: { id: pageId },
      timestamp: Date.now(),
      message: { mid: "m_in_1", text: "Is the blue one in stock?" },
    });
    expect(r.status).toBe(200);
    const row = p.getByTestId("conversation-row").filter({ hasText: "Is the blue one in stock?" });
    await row.waitFor();
    await eventually(() => row.getByTestId("row-name").textContent()).toBe("Olena Kovalenko");
    await row.click();

    const [conv] = (await owner.get("/api/conversations")).body.conversations;
    const sent = await owner.post(`/api/conversations/${conv.id}/messages`, { text: "Yes, size M too." });
    expect(sent.status).toBe(201);
    let providerMessageId = "";
    await eventually(async () => {
      const list = (await owner.get(`/api/conversations/${conv.id}/messages`)).body.messages;
      providerMessageId = list.find((m: any) => m.id === sent.body.message.id)?.providerMessageId ?? "";
      return providerMessageId;
    }).not.toBe("");

    const pane = p.getByTestId("conversation-pane");
    const bubble = pane.locator(`[data-testid="message"][data-message-id="${sent.body.message.id}"]`);
    await bubble.waitFor();
    expect(await bubble.getByTestId("message-reaction").count()).toBe(0);

    const react = (action: string) =>
      post({
        sender: { id: psid },
        recipient: { id: pageId },
        timestamp: Date.now(),
        reaction: { mid: providerMessageId, action, reaction: "love", emoji: "❤️" },
      });
    expect((await react("react")).status).toBe(200);
    const reaction = bubble.getByTestId("message-reaction");
    await eventually(() => reaction.textContent()).toBe("❤️");
    expect(await reaction.getAttribute("aria-label")).toMatch(/^The customer reacted with ❤️ · /);
    await screenshot(p, "messenger-reaction");

    expect((await react("unreact")).status).toBe(200);
    await eventually(() => bubble.getByTestId("message-reaction").count()).toBe(0);
  }, 90_000);
});
