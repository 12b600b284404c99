import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { addUser, apiConnection, inbound, newWorkspace, type TestServer } from "../testing/harness";
import { eventually, signIn, useBrowser } from "./browser";

/**
 * The conversation list's tools in a real browser (R102–R107): filters kept in the URL, search with
 * highlighted matches, time-limit labels and a bulk close — once with the English UI, once in Russian.
 */
const b = useBrowser();

const UI = {
  en: {
    filtersTitle: "Filter the list",
    noTags: "No tags",
    any: "Any",
    selected2: "2 selected",
    you: "You: ",
    all3: "All 3 of this filter",
    delete3: "3 conversations and their messages will be deleted for good.",
    close: "Close",
    oneOfOne: "1 of 1",
  },
  ru: {
    filtersTitle: "Фильтры списка",
    noTags: "Без тегов",
    any: "Любые",
    selected2: "Выбрано 2",
    you: "Вы: ",
    all3: "Все по фильтру: 3",
    delete3: "3 диалога и их сообщения будут удалены навсегда.",
    close: "Закрыть",
    oneOfOne: "1 из 1",
  },
} as const;

const rowNames = async (page: Page) =>
  (await page.getByTestId("row-name").allTextContents()).map((s) => s.trim()).sort();

describe.each(["en", "ru"] as const)("inbox list tools (%s)", (lang) => {
  const ui = UI[lang];
  let t: TestServer;

  it("filters (in the URL), searches with highlighted matches, shows waiting labels and bulk-closes", async () => {
    t = await b.serverOnFreshDb();
    const { owner } = await newWorkspace(t, "Tools Shop");
    const conn = await apiConnection(t, owner);
    const say = async (id: string, name: string, text: string) => {
      const r = await conn.post(inbound(id, text, undefined, { contact: { id, name } }));
      expect(r.status).toBe(200);
      return r.body.results[0].conversationId as string;
    };
    const maria = await say("maria", "Мария Иванова", "Где моя доставка? Заказ 1542");
    const john = await say("john", "John Smith", "Where is my order?");
    const oleg = await say("oleg", "Олег Петренко", '<img src=x onerror="window.__xss=1">оплата не прошла');
    const vip = (await owner.post("/api/tags", { name: "VIP", color: "#e03131" })).body.tag.id as string;
    const [contact] = await t.server.ctx.db.query<{ contact_id: string }>(
      "select contact_id from conversations where id = $1",
      [maria],
    );
    expect(
      (await owner.put(`/api/contacts/${contact!.contact_id}/tags/${vip}`, { pinned: true })).status,
    ).toBe(200);
    // Time limits: waiting customers get labels, and the processing order is offered.
    expect(
      (await owner.patch("/api/workspace", { settings: { slaYellowMinutes: 1, slaRedMinutes: 60 } })).status,
    ).toBe(200);
    await t.server.ctx.db.query(
      "update conversations set first_unanswered_at = now() - interval '5 minutes' where id = $1",
      [john],
    );

    const page = await b.newPage();
    await signIn(page, t.url, owner.user!.email);
    if (lang === "ru") {
      await page.getByTestId("language-switch").click();
      await page.getByTestId("language-ru").click();
      // The view's name (its counts sit beside it).
      await eventually(() =>
        page.getByTestId("view-all").locator(".mantine-NavLink-label").textContent(),
      ).toBe("Все");
    }
    await page.getByTestId("view-all").click();
    await eventually(() => rowNames(page)).toEqual(["John Smith", "Мария Иванова", "Олег Петренко"].sort());

    // Waiting labels: John has waited 5 minutes (past yellow), the others under a minute.
    const johnRow = page.locator(`[data-conversation-id="${john}"]`);
    await eventually(() => johnRow.getByTestId("sla-badge").getAttribute("data-level")).toBe("yellow");
    expect(
      await page
        .locator(`[data-conversation-id="${maria}"]`)
        .getByTestId("sla-badge")
        .getAttribute("data-level"),
    ).toBe("green");
    // Pinned tags show on the row.
    expect(await page.locator(`[data-conversation-id="${maria}"]`).getByTestId("row-tag").textContent()).toBe(
      "VIP",
    );
    // The processing order puts the longest wait first.
    await page.getByTestId("sort-select").click();
    await page
      .getByRole("option", { name: lang === "en" ? "Processing order" : "По очереди обработки" })
      .click();
    await eventually(() => page.getByTestId("row-name").first().textContent()).toBe("John Smith");
    expect(page.url()).toContain("sort=waiting");

    // Filters: contacts without tags, then only the VIP tag; the URL keeps them across a reload.
    await page.getByTestId("filters-button").click();
    const panel = page.getByTestId("filter-panel");
    await panel.waitFor();
    await page.getByRole("dialog").getByText(ui.filtersTitle).waitFor();
    await page.getByTestId("filter-tag-mode").getByText(ui.noTags).click();
    await eventually(() => rowNames(page)).toEqual(["John Smith", "Олег Петренко"].sort());
    expect(page.url()).toContain("tagMode=none");
    await page.getByTestId("filter-tag-mode").getByText(ui.any).click();
    await page.getByTestId("filter-tags").click();
    await page.getByRole("option", { name: /VIP/ }).click();
    await eventually(() => rowNames(page)).toEqual(["Мария Иванова"]);
    expect(page.url()).toContain(`tag=${vip}`);
    await page.keyboard.press("Escape");
    await page.keyboard.press("Escape");
    await page.reload();
    await eventually(() => rowNames(page)).toEqual(["Мария Иванова"]);
    await page.getByTestId("filters-button").click();
    await page.getByTestId("filter-reset").click();
    await eventually(() => rowNames(page)).toEqual(["John Smith", "Мария Иванова", "Олег Петренко"].sort());
    await page.keyboard.press("Escape");

    // Search: a contact by name with a typo-free part, and message text (Cyrillic, any case), highlighted.
    const search = page.getByTestId("inbox-search");
    await search.fill("иванова");
    await eventually(() => page.getByTestId("search-contact").count()).toBe(1);
    expect(await page.getByTestId("search-contact").getAttribute("data-conversation-id")).toBe(maria);
    expect(await page.getByTestId("search-contact").locator("mark").first().textContent()).toBe("Иванова");
    await search.fill("ОПЛАТА");
    await eventually(() => page.getByTestId("search-message").count()).toBe(1);
    const snippet = page.getByTestId("search-snippet");
    expect(await snippet.locator("mark").first().textContent()).toBe("оплата");
    // The message's markup is shown as text, never run.
    expect(await snippet.textContent()).toContain('<img src=x onerror="window.__xss=1">');
    expect(await page.getByTestId("search-results").locator("img").count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as { __xss?: number }).__xss)).toBeUndefined();
    // Opening the result searches inside the conversation with the same words.
    await page.getByTestId("search-message").click();
    await page.waitForURL(new RegExp(`/inbox/${oleg}`));
    await eventually(() => page.getByTestId("conv-search-input").inputValue()).toBe("ОПЛАТА");
    await eventually(() => page.getByTestId("conv-search-position").textContent()).toBe(ui.oneOfOne);
    await eventually(() => page.locator('[data-search-match="true"]').count()).toBe(1);
    await search.fill("");
    await eventually(() => page.getByTestId("conversation-row").count()).toBe(3);

    // The list names who wrote the last reply: "You" only for one's own, a colleague by name.
    const colleague = await addUser(t, owner, "supervisor");
    await t.server.ctx.db.query("update users set name = 'Ирина Коваль' where id = $1", [colleague.id]);
    expect(
      (await colleague.client.post(`/api/conversations/${maria}/messages`, { text: "Уже едет" })).status,
    ).toBe(201);
    expect((await owner.post(`/api/conversations/${john}/messages`, { text: "On its way" })).status).toBe(
      201,
    );
    const authorIn = (id: string) => page.locator(`[data-conversation-id="${id}"]`).getByTestId("row-author");
    await eventually(() => authorIn(maria).textContent()).toBe("Ирина Коваль: ");
    await eventually(() => authorIn(john).textContent()).toBe(ui.you);

    // Bulk: "select all" says how many the filter holds, and so does the delete confirmation.
    await page.getByTestId("select-mode").click();
    await page.getByTestId("bulk-select-all").click();
    await eventually(() => page.getByTestId("bulk-count").textContent()).toBe(ui.all3);
    await page.getByTestId("bulk-delete").click();
    await eventually(() => page.getByTestId("bulk-delete-text").textContent()).toBe(ui.delete3);
    await page.keyboard.press("Escape");
    await page.getByTestId("bulk-delete-text").waitFor({ state: "hidden" });
    await page.getByTestId("bulk-clear").click();
    // Select two conversations and close them; they leave the open list live.
    await page.locator(`[data-conversation-id="${john}"]`).click();
    await page.locator(`[data-conversation-id="${oleg}"]`).click();
    await eventually(() => page.getByTestId("bulk-count").textContent()).toBe(ui.selected2);
    expect(await page.getByTestId("bulk-close").textContent()).toBe(ui.close);
    await page.getByTestId("bulk-close").click();
    await eventually(() => rowNames(page)).toEqual(["Мария Иванова"]);
    const statuses = await t.server.ctx.db.query<{ id: string; status: string }>(
      "select id, status from conversations where id = any($1::uuid[]) order by status",
      [[john, oleg, maria]],
    );
    expect(Object.fromEntries(statuses.map((r) => [r.id, r.status]))).toEqual({
      [john]: "closed",
      [oleg]: "closed",
      [maria]: "open",
    });
    const [audit] = await t.server.ctx.db.query<{ action: string }>(
      "select action from audit_log where action = 'conversations.bulk_close' and workspace_id = $1",
      [owner.workspaceId],
    );
    expect(audit?.action).toBe("conversations.bulk_close");
  }, 120_000);
});

describe("opening a conversation from a date-filtered list", () => {
  it("scrolls the feed to the first message of the date, loading older pages", async () => {
    const t = await b.serverOnFreshDb();
    const { owner } = await newWorkspace(t, "Dates Shop");
    const conn = await apiConnection(t, owner);
    let conversationId = "";
    for (let i = 1; i <= 80; i++) {
      const r = await conn.post(
        inbound("dana", `line ${i}`, undefined, { contact: { id: "dana", name: "Dana" } }),
      );
      expect(r.status).toBe(200);
      conversationId = r.body.results[0].conversationId;
    }
    // Lines 1–3 were written on 5 January, 4–8 on 10 January, the rest (two feed pages) on 1 February.
    await t.server.ctx.db.query(
      `update messages set created_at = case
         when seq <= 3 then timestamptz '2026-01-05T10:00:00Z' + seq * interval '1 minute'
         when seq <= 8 then timestamptz '2026-01-10T10:00:00Z' + seq * interval '1 minute'
         else timestamptz '2026-02-01T10:00:00Z' + seq * interval '1 minute' end
       where conversation_id = $1`,
      [conversationId],
    );
    await t.server.ctx.db.query(
      "update conversations set created_at = '2026-01-05T09:00:00Z' where id = $1",
      [conversationId],
    );
    const [first] = await t.server.ctx.db.query<{ id: string; text: string }>(
      "select id, text from messages where conversation_id = $1 and created_at >= '2026-01-10' order by seq limit 1",
      [conversationId],
    );
    expect(first?.text).toBe("line 4");

    const page = await b.newPage();
    await signIn(page, t.url, owner.user!.email);
    await page.goto(`${t.url}/inbox?view=all&from=2026-01-10&to=2026-01-10`);
    const row = page.locator(`[data-conversation-id="${conversationId}"]`);
    await row.click();
    await page.waitForURL(new RegExp(`/inbox/${conversationId}\\?.*from=2026-01-10`));
    const target = page.locator(`[data-testid="feed"] [data-message-id="${first!.id}"]`);
    await eventually(() => target.getAttribute("data-date-match")).toBe("true");
    // Only the date's first message is marked, and the feed shows it (it was two pages back).
    expect(await page.locator('[data-date-match="true"]').count()).toBe(1);
    await eventually(async () => {
      const feed = await page.getByTestId("feed").boundingBox();
      const box = await target.boundingBox();
      return !!feed && !!box && box.y >= feed.y - 1 && box.y + box.height <= feed.y + feed.height + 1;
    }).toBe(true);
    expect(await target.getByTestId("message-text").textContent()).toBe("line 4");
  }, 120_000);
});
