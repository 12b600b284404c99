import { describe, expect, it } from "vitest";
import { apiConnection, inbound, newWorkspace } from "../testing/harness";
import { eventually, signIn, useBrowser } from "./browser";

/**
 * Tags where people expect them, in a real browser: a supervisor creates a tag by typing its name in the
 * contact panel, and manages tags in Settings → Tags (rename, colour, merge, delete); the counts follow.
 * The reassign menu offers teams' queues besides agents.
 */
const { newPage, serverOnFreshDb } = useBrowser();

describe("tags in the web app", () => {
  it("creates a tag from the contact panel and renames, recolours, merges and deletes tags in settings", async () => {
    const t = await serverOnFreshDb();
    const { owner } = await newWorkspace(t, "Tag Shop");
    const conn = await apiConnection(t, owner);
    const r = await conn.post(inbound("cust-tags", "Hello"));
    const conversationId = r.body.results[0].conversationId as string;
    const old = (await owner.post("/api/tags", { name: "vip-old", color: "#fa5252" })).body.tag;
    await owner.post("/api/tags", { name: "Unused" });

    const page = await newPage();
    await signIn(page, t.url, owner.user!.email);
    await page.goto(`${t.url}/inbox/${conversationId}?view=all`);
    await page.getByTestId("panel-toggle").click();
    // Typing a name no tag has offers to create it; choosing that creates the tag and puts it on the contact.
    const add = page.getByTestId("contact-add-tag");
    await add.click();
    await add.fill("VIP");
    await page.getByRole("option", { name: "Create tag “VIP”" }).click();
    await eventually(() => page.getByTestId("contact-tag").allTextContents()).toEqual(["VIP"]);
    const vip = (await owner.get("/api/tags")).body.tags.find((x: { name: string }) => x.name === "VIP");
    expect(vip).toMatchObject({ contactCount: 1 });
    // The old tag too, to merge it away below.
    await add.click();
    await add.fill("vip-o");
    await page.getByRole("option", { name: "vip-old" }).click();
    await eventually(() => page.getByTestId("contact-tag").count()).toBe(2);

    await page.goto(`${t.url}/settings/tags`);
    const row = (name: string) => page.locator(`[data-testid="tag-row"][data-tag-name="${name}"]`);
    await row("VIP").waitFor();
    expect(await row("VIP").getByTestId("tag-count").textContent()).toBe("1");

    // Rename and recolour.
    await row("VIP").getByTestId("tag-name").fill("Very important");
    await row("VIP").getByTestId("tag-name").press("Enter");
    await row("Very important").waitFor();
    await row("Very important").getByTestId("tag-color").fill("#12b886");
    await row("Very important").getByTestId("tag-color").blur();
    await eventually(async () => {
      const tags = (await owner.get("/api/tags")).body.tags as { name: string; color: string }[];
      return tags.find((x) => x.name === "Very important")?.color;
    }).toBe("#12b886");

    // Merge the old tag into it: one tag left on the contact, the old one gone.
    await row("vip-old").getByTestId("tag-merge-into").click();
    await page.getByRole("option", { name: "Very important" }).click();
    await row("vip-old").getByTestId("tag-merge").click();
    await eventually(() => row("vip-old").count()).toBe(0);
    const contactId = (await owner.get(`/api/conversations/${conversationId}`)).body.conversation.contact.id;
    const tags = (await owner.get(`/api/contacts/${contactId}`)).body.contact.tags;
    expect(tags.map((x: { name: string }) => x.name)).toEqual(["Very important"]);
    expect((await owner.get("/api/tags")).body.tags.some((x: { id: string }) => x.id === old.id)).toBe(false);

    // Delete asks once more, then deletes.
    await row("Unused").getByTestId("tag-delete").click();
    await row("Unused").getByTestId("tag-delete-confirm").click();
    await eventually(() => row("Unused").count()).toBe(0);
    expect((await owner.get("/api/tags")).body.tags.map((x: { name: string }) => x.name)).toEqual([
      "Very important",
    ]);
  });

  it("reassigns a conversation to a team's queue from the conversation menu", async () => {
    const t = await serverOnFreshDb();
    const { owner } = await newWorkspace(t, "Team Shop");
    const conn = await apiConnection(t, owner);
    const r = await conn.post(inbound("cust-team", "Refund please"));
    const conversationId = r.body.results[0].conversationId as string;
    const team = (await owner.post("/api/teams", { name: "Billing" })).body.team;
    expect(
      (await owner.post(`/api/conversations/${conversationId}/assign`, { assigneeId: owner.user!.id }))
        .status,
    ).toBe(200);

    const page = await newPage();
    await signIn(page, t.url, owner.user!.email);
    await page.goto(`${t.url}/inbox/${conversationId}?view=all`);
    await page.getByTestId("conversation-menu").click();
    await page.getByTestId("menu-reassign").click();
    await page.getByTestId("menu-user").click();
    await page.getByRole("option", { name: "Billing team's queue" }).click();
    await page.getByTestId("menu-confirm").click();
    await eventually(async () => {
      const c = (await owner.get(`/api/conversations/${conversationId}`)).body.conversation;
      return `${c.assigneeId}/${c.teamId}`;
    }).toBe(`null/${team.id}`);
  });
});
