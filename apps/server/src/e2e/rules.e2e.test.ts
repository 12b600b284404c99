import { describe, expect, it } from "vitest";
import { apiConnection, inbound, newWorkspace, unique } from "../testing/harness";
import { eventually, screenshot, signIn, useBrowser } from "./browser";

/** The rules editor in the browser: a dry run over recent conversations, saving, ordering and the run log. */
const { newPage, serverOnFreshDb } = useBrowser();

describe("rules editor", () => {
  it("dry-runs a new rule on recent conversations, saves it, reorders, and shows its run log", async () => {
    const t = await serverOnFreshDb();
    const { owner } = await newWorkspace(t, "Rules Shop");
    const conn = await apiConnection(t, owner);
    expect((await conn.post(inbound(unique("c"), "I want a refund for my order"))).status).toBe(200);
    expect((await conn.post(inbound(unique("c"), "hello there"))).status).toBe(200);
    const existing = await owner.post("/api/rules", {
      name: "Greeting note",
      trigger: "conversation_created",
      actions: [{ type: "note", text: "New conversation" }],
    });
    expect(existing.status).toBe(201);

    const page = await newPage();
    await signIn(page, t.url, owner.user!.email);
    await page.goto(`${t.url}/settings/rules`);
    await page.getByTestId("rule-new").click({ timeout: 60_000 });
    const editor = page.getByTestId("rule-editor");
    await editor.getByTestId("rule-name").fill("Refunds close");
    await editor.getByTestId("cond-text-contains").fill("refund");

    // The dry run lists the one recent conversation that mentions a refund, and changes nothing.
    await page.getByRole("button", { name: "Try on recent conversations" }).click();
    await eventually(() => page.getByTestId("dry-run-summary").textContent()).toBe(
      "Matches 1 of 2 recent conversations.",
    );
    await eventually(() => page.getByTestId("dry-run").locator("tbody tr").count()).toBe(1);
    await eventually(() =>
      page.getByTestId("dry-run").getByText("I want a refund for my order").count(),
    ).toBe(1);
    await screenshot(page, "rules-editor-dry-run");

    await editor.getByTestId("rule-save").click();
    const rows = page.getByTestId("rules-list").locator("tbody tr");
    await eventually(() => rows.count()).toBe(2);
    await eventually(() => rows.nth(1).getAttribute("data-testid")).toBe("rule-row-Refunds close");

    // Moved to the top: the server keeps the new order.
    await page.getByRole("button", { name: "Move “Refunds close” up" }).click();
    await eventually(() => rows.nth(0).getAttribute("data-testid")).toBe("rule-row-Refunds close");
    const order = (await owner.get("/api/rules")).body.rules.map((r: { name: string }) => r.name);
    expect(order).toEqual(["Refunds close", "Greeting note"]);

    // A customer asks for a refund: the rule closes the conversation and its run log says it matched.
    const r = await conn.post(inbound(unique("c"), "refund please"));
    const id = r.body.results[0].conversationId as string;
    await eventually(async () => (await owner.get(`/api/conversations/${id}`)).body.conversation.status).toBe(
      "closed",
    );
    await page.getByRole("button", { name: "Refunds close", exact: true }).click();
    const log = page.getByTestId("run-log");
    await eventually(() => log.getByText("Matched").count()).toBe(1);
    await screenshot(page, "rules-run-log");
  });

  it("hands Russian-speaking customers to a bot with a language condition, and the analytics page reports the bot", async () => {
    const t = await serverOnFreshDb();
    const { owner } = await newWorkspace(t, "Bot Shop");
    const conn = await apiConnection(t, owner);
    const bot = await owner.post("/api/bots", { name: "Helper", webhookUrl: "http://127.0.0.1:9/hook" });
    expect(bot.status, JSON.stringify(bot.body)).toBe(201);
    const botId = bot.body.bot.id as string;
    const write = (text: string, language: string) =>
      conn.post(inbound(unique("c"), text, unique("m"), { source: { language } }));
    expect((await write("привет", "ru-RU")).status).toBe(200);
    expect((await write("hello", "en-US")).status).toBe(200);

    const page = await newPage();
    await signIn(page, t.url, owner.user!.email);
    await page.goto(`${t.url}/settings/rules`);
    await page.getByTestId("rule-new").click({ timeout: 60_000 });
    const editor = page.getByTestId("rule-editor");
    await editor.getByTestId("rule-name").fill("Russian to the bot");
    await editor.getByTestId("cond-languages").fill("ru");
    await editor.getByTestId("cond-languages").press("Enter");
    await page.getByRole("button", { name: "Try on recent conversations" }).click();
    await eventually(() => page.getByTestId("dry-run-summary").textContent()).toBe(
      "Matches 1 of 2 recent conversations.",
    );
    await eventually(() => page.getByTestId("dry-run").getByText("привет").count()).toBe(1);

    // The action: hand to a bot, the bot chosen from the workspace's bots.
    await editor.getByTestId("action-0").getByLabel("Action", { exact: true }).click();
    await page.getByRole("option", { name: "Hand to a bot" }).click();
    await editor.getByTestId("action-bot").click();
    await page.getByRole("option", { name: "Helper" }).click();
    await screenshot(page, "rules-editor-bot");
    await editor.getByTestId("rule-save").click();
    await eventually(() => page.getByTestId("rule-row-Russian to the bot").count()).toBe(1);
    const [saved] = (await owner.get("/api/rules")).body.rules;
    expect(saved).toMatchObject({
      conditions: { languages: ["ru"] },
      actions: [{ type: "assign_bot", botId }],
    });

    const r = await conn.post(
      inbound(unique("c"), "здравствуйте", unique("m"), { source: { language: "ru" } }),
    );
    const id = r.body.results[0].conversationId as string;
    await eventually(async () => (await owner.get(`/api/conversations/${id}`)).body.conversation.botId).toBe(
      botId,
    );

    // The analytics page's bot section counts the conversation handed to the bot.
    await page.goto(`${t.url}/analytics`);
    const row = page.getByTestId(`bot-report-${botId}`);
    await eventually(() => row.getByTestId("bot-assigned").textContent()).toBe("1");
    expect(await row.getByTestId("bot-resolved").textContent()).toBe("0");
    await screenshot(page, "analytics-bots");
  });
});
