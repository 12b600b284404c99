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
});
