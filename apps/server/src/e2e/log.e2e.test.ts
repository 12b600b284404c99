import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { WEB_DIST } from "../http/web-app";
import { addUser, apiConnection, inbound, newWorkspace } from "../testing/harness";
import { startReceiver } from "../testing/outbound-receiver";
import { eventually, screenshot, signIn, useBrowser } from "./browser";

/**
 * The message log, its CSV export and team analytics in a real browser (Debian's chromium through
 * playwright-core) against a real server on a real database; "Write" reaches a real HTTP receiver.
 */
const { cleanups, newPage, serverOnFreshDb } = useBrowser();

async function downloaded(page: Page, click: () => Promise<void>) {
  const [download] = await Promise.all([page.waitForEvent("download"), click()]);
  return { name: download.suggestedFilename(), bytes: fs.readFileSync((await download.path())!) };
}

describe("message log, export and analytics", () => {
  it("lists, filters, shows the history with internal notes, writes to the contact, exports and charts", async () => {
    const t = await serverOnFreshDb();
    const { owner } = await newWorkspace(t, "Log Shop");
    const agent = await addUser(t, owner, "agent", "log-agent");
    let secret = "";
    const receiver = await startReceiver(() => secret);
    cleanups.push(() => receiver.close());
    const conn = await apiConnection(t, owner, receiver.url);
    secret = conn.secret;

    // Two customers write; one conversation gets a note; both are assigned to the agent and closed.
    const ids: string[] = [];
    for (const [ext, name, text] of [
      ["anna-1", "Anna Archive", "My parcel is late"],
      ["boris-2", "Boris Other", "Do you ship to Riga?"],
    ] as const) {
      const r = await conn.post(inbound(ext, text, undefined, { contact: { id: ext, name } }));
      expect(r.status).toBe(200);
      ids.push(r.body.results[0].conversationId);
    }
    const [anna, boris] = ids as [string, string];
    expect(
      (await owner.post(`/api/conversations/${anna}/notes`, { text: "Refund approved by finance" })).status,
    ).toBe(201);
    for (const id of [anna, boris]) {
      expect((await owner.post(`/api/conversations/${id}/assign`, { assigneeId: agent.id })).status).toBe(
        200,
      );
      expect((await owner.post(`/api/conversations/${id}/status`, { status: "closed" })).status).toBe(200);
    }
    await t.server.ctx.db.query("update conversations set source = $2 where id = $1", [
      anna,
      JSON.stringify({ utm_source: "newsletter", referrer: "https://blog.example.com/post" }),
    ]);

    const page = await newPage();
    await signIn(page, t.url, owner.user!.email);
    // The log is in the user menu; the inbox's initial load did not fetch the log's or the charts' code.
    const scripts: string[] = [];
    page.on("request", (r) => {
      if (r.resourceType() === "script") scripts.push(r.url());
    });
    await page.getByTestId("user-menu").click();
    await page.getByTestId("menu-log").click();
    await page.waitForURL(/\/log$/);
    const rows = page.getByTestId("log-row");
    await eventually(() => rows.count()).toBe(2);
    expect(scripts.some((s) => /LogPage-.*\.js$/.test(s))).toBe(true);
    expect(scripts.some((s) => /AnalyticsPage-.*\.js$/.test(s))).toBe(false);
    const annaRow = rows.filter({ hasText: "Anna Archive" });
    expect(await annaRow.getByTestId("log-source").textContent()).toContain("newsletter");
    expect(await annaRow.textContent()).toContain("log-agent");
    await screenshot(page, "log-page");

    // Text search narrows the list and lands in the URL; the URL restores it after a reload.
    await page.getByTestId("log-search").fill("parcel");
    await page.waitForURL(/[?&]q=parcel/);
    await eventually(() => rows.count()).toBe(1);
    await page.reload();
    await eventually(() => page.getByTestId("log-search").inputValue()).toBe("parcel");
    await eventually(() => rows.count()).toBe(1);
    expect(await rows.first().getByTestId("log-contact").textContent()).toBe("Anna Archive");
    // Filters combine: an agent with no closed conversations empties it.
    await page.goto(`${t.url}/log?assignee=${owner.user!.id}`);
    await page.getByTestId("log-empty").waitFor();
    // The closing date range, as whole days of the agent's calendar (the browser's time zone).
    await page.goto(`${t.url}/log?from=2020-01-01&to=2020-01-31`);
    await page.getByTestId("log-empty").waitFor();
    // The days they were closed on, in the browser's calendar (not "today": the test may cross midnight).
    const [closed] = await t.server.ctx.db.query<{ first: Date; last: Date }>(
      "select min(closed_at) as first, max(closed_at) as last from conversations where id = any($1::uuid[])",
      [ids],
    );
    const day = (at: Date) =>
      page.evaluate((iso) => {
        const d = new Date(iso);
        return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
      }, new Date(at).toISOString());
    await page.goto(`${t.url}/log?from=${await day(closed!.first)}&to=${await day(closed!.last)}`);
    await eventually(() => rows.count()).toBe(2);
    await page.goto(`${t.url}/log?assignee=${agent.id}&sort=asc`);
    await eventually(() => rows.count()).toBe(2);
    expect(await rows.first().getByTestId("log-contact").textContent()).toBe("Anna Archive");

    // The export of the filtered log: one row per message, with notes, BOM first.
    await page.getByTestId("export-open").click();
    await page.getByText("Message", { exact: true }).click();
    await page.getByTestId("export-notes").check();
    const csv = await downloaded(page, () => page.getByTestId("export-start").click());
    expect(csv.name).toMatch(/^parley-messages-\d{4}-\d{2}-\d{2}\.csv$/);
    expect([...csv.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = csv.bytes.toString("utf8").slice(1).split("\r\n").filter(Boolean);
    expect(lines[0]).toBe(
      "conversation_number,conversation_id,message_id,created_at,direction,kind,author_type,author,contact_name,channel,connection,text,attachments",
    );
    // In commit order: both customers wrote before the note.
    expect(lines.slice(1).map((l) => l.split(",").slice(4, 6).join(" "))).toEqual([
      "inbound message",
      "inbound message",
      "internal note",
    ]);
    expect(lines[3]).toContain("Refund approved by finance");

    // The history modal: the customer's message, the note and the closing event marked internal.
    await rows.filter({ hasText: "Anna Archive" }).click();
    const modal = page.getByTestId("history-modal");
    await modal.getByText("My parcel is late").waitFor();
    const note = modal.locator('[data-testid="history-message"][data-kind="note"]');
    expect(await note.getByTestId("history-text").textContent()).toBe("Refund approved by finance");
    expect(await note.getByTestId("history-internal").textContent()).toBe("Internal note");
    const events = modal.locator('[data-testid="history-message"][data-kind="event"]');
    expect(await events.count()).toBeGreaterThan(0);
    expect(await events.first().getByTestId("history-internal").textContent()).toBe("Internal event");
    const customer = modal.locator('[data-testid="history-message"][data-direction="inbound"]');
    expect(await customer.getByTestId("history-internal").count()).toBe(0);
    await screenshot(page, "log-history");

    // "Write": the outbound message goes through the channel, the conversation reopens, assigned to the writer.
    await modal.getByTestId("history-write").click();
    await page.getByTestId("write-input").fill("Your refund is on its way.");
    await page.getByTestId("write-send").click();
    await page.waitForURL(new RegExp(`/inbox/${anna}`));
    await eventually(() => receiver.requests.length).toBe(1);
    expect(receiver.requests[0]!.signatureValid).toBe(true);
    expect(receiver.requests[0]!.body.text).toBe("Your refund is on its way.");
    const after = (await owner.get(`/api/conversations/${anna}`)).body.conversation;
    expect(after).toMatchObject({ status: "open", assigneeId: owner.user!.id });
    // It has left the log.
    await page.goto(`${t.url}/log`);
    await eventually(() => rows.count()).toBe(1);
    expect(await rows.first().getByTestId("log-contact").textContent()).toBe("Boris Other");

    // Team analytics: the charts render, and each downloads its table.
    await page.getByTestId("user-menu").click();
    await page.getByTestId("menu-analytics").click();
    await page.waitForURL(/\/analytics$/);
    await page.getByTestId("analytics").waitFor();
    await eventually(() => page.getByTestId("stat-opened").getByTestId("stat-value").textContent()).toBe("2");
    expect(await page.getByTestId("chart").count()).toBe(5);
    await eventually(() => page.locator('[data-testid="chart"] .recharts-surface').count()).toBe(5);
    await eventually(() =>
      page.locator('[data-metric="hours"] .recharts-bar-rectangle').count(),
    ).toBeGreaterThan(0);
    await screenshot(page, "analytics");
    const hours = await downloaded(page, () =>
      page.locator('[data-metric="hours"]').getByTestId("chart-csv").click(),
    );
    expect(hours.name).toMatch(/^parley-analytics-hours-\d{4}-\d{2}-\d{2}\.csv$/);
    const hourLines = hours.bytes.toString("utf8").split("\r\n").filter(Boolean);
    expect(hourLines[0]).toMatch(/^\uFEFFhour \(.+\),inbound_messages$/);
    expect(hourLines.slice(1).reduce((n, l) => n + Number(l.split(",")[1]), 0)).toBe(2);
  }, 90_000); // a long walk through four pages; the shared 2-core machines can be slow

  it("keeps the inbox's initial JavaScript under 350 KB gzipped: the log and the charts load on demand", () => {
    // What index.html loads before any route renders: its entry script and the chunks it preloads.
    const html = fs.readFileSync(path.join(WEB_DIST, "index.html"), "utf8");
    const initial = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]!);
    expect(initial.length).toBeGreaterThan(0);
    const gzipped = initial.reduce(
      (n, f) => n + zlib.gzipSync(fs.readFileSync(path.join(WEB_DIST, f)), { level: 9 }).length,
      0,
    );
    expect(gzipped).toBeLessThanOrEqual(350 * 1024);
    const assets = fs.readdirSync(path.join(WEB_DIST, "assets"));
    expect(assets.some((f) => /^LogPage-.*\.js$/.test(f))).toBe(true);
    expect(assets.some((f) => /^AnalyticsPage-.*\.js$/.test(f))).toBe(true);
    // The charts' library is not in the initial chunks.
    for (const f of initial)
      expect(fs.readFileSync(path.join(WEB_DIST, f), "utf8")).not.toContain("recharts-surface");
  });

  it("shows an agent the log page by page as they scroll, but neither analytics nor exports", async () => {
    const t = await serverOnFreshDb();
    const { owner } = await newWorkspace(t, "Agents Only");
    const agent = await addUser(t, owner, "agent", "only-agent");
    const conn = await apiConnection(t, owner);
    const r = await conn.post(
      inbound("c-1", "Thanks, all good", undefined, { contact: { id: "c-1", name: "Cleo" } }),
    );
    const id = r.body.results[0].conversationId as string;
    expect((await owner.post(`/api/conversations/${id}/assign`, { assigneeId: agent.id })).status).toBe(200);
    expect((await owner.post(`/api/conversations/${id}/status`, { status: "closed" })).status).toBe(200);
    // 55 more closed conversations in the queue (unassigned, no team: an agent may read them).
    for (let i = 0; i < 55; i++)
      expect((await conn.post(inbound(`q-${i}`, `Queue question ${i}`))).status).toBe(200);
    await t.server.ctx.db.query(
      `update conversations set status = 'closed', closed_at = created_at
       where connection_id = $1 and status <> 'closed'`,
      [conn.id],
    );
    const page = await newPage();
    await signIn(page, t.url, agent.client.user!.email);
    await page.getByTestId("user-menu").click();
    expect(await page.getByTestId("menu-analytics").count()).toBe(0);
    const pages: string[] = [];
    page.on("request", (req) => {
      if (req.url().includes("/api/log?")) pages.push(req.url());
    });
    await page.getByTestId("menu-log").click();
    const rows = page.getByTestId("log-row");
    await eventually(() => rows.count()).toBe(50);
    expect(await page.getByTestId("export-open").count()).toBe(0);
    // The first page alone, until the agent scrolls.
    expect(pages).toHaveLength(1);
    expect(pages[0]).not.toContain("cursor=");
    // Scrolling to the end of the table loads the next page by the API's cursor.
    await eventually(async () => {
      await page.mouse.wheel(0, 5000);
      return rows.count();
    }).toBe(56);
    expect(pages.some((u) => u.includes("cursor="))).toBe(true);
    expect(await rows.filter({ hasText: "Cleo" }).count()).toBe(1);
  }, 90_000);
});
