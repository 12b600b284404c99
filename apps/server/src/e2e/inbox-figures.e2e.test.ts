import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { apiConnection, newWorkspace, type TestServer } from "../testing/harness";
import { eventually, signIn, useBrowser } from "./browser";

/**
 * Figures of the inbox in Chromium, measured with the Performance API and printed with their labels:
 * - the first meaningful paint of the inbox over 100,000 conversations with a cold cache: from the
 *   navigation's start to the `parley:list-rows` mark the list takes after the frame that drew its first rows
 *   (and the largest contentful paint beside it);
 * - switching conversations with the keyboard (`j`/`k`) to one already in the cache: from the keydown to the
 *   `parley:feed:<id>` mark of the new conversation's feed.
 * The conversations are loaded set-based (INSERT … SELECT generate_series, as the benchmarks do); only the list's
 * first page is ever fetched. Asserted: what was measured happened (the rows and the right feeds were on
 * screen) and generous bounds; the figures themselves are printed (docs/features/web-app.md).
 */
const b = useBrowser();
const CONVERSATIONS = 100_000;
const WITH_FEED = 60;
const SWITCHES = 20;

async function seed(t: TestServer, workspaceId: string, connectionId: string) {
  const db = t.server.ctx.db;
  await db.query(
    `insert into contacts (workspace_id, name, nickname, email, phone, created_at)
     select $1, 'Customer ' || g, 'nick' || g, 'client' || g || '@mail.example', '+7900' || lpad(g::text, 7, '0'),
       now() - interval '120 days'
     from generate_series(1, $2::int) g`,
    [workspaceId, CONVERSATIONS],
  );
  await db.query(
    `insert into contact_identities (workspace_id, contact_id, connection_id, external_id)
     select $1, id, $2, 'figures-' || id from contacts where workspace_id = $1`,
    [workspaceId, connectionId],
  );
  // Open, in the queue, spread over 90 days; a third answered by us, the others waiting.
  await db.query(
    `insert into conversations (workspace_id, number, connection_id, contact_id, identity_id, status,
       created_at, last_activity_at, first_unanswered_at, last_customer_message_at,
       last_message_preview, last_message_author, last_message_direction)
     select $1, 1000 + n, $2, contact_id, id, 'open', at - interval '2 days', at,
       case when n % 3 <> 0 then at end, at, 'Question number ' || n,
       case when n % 3 <> 0 then 'contact' else 'user' end, case when n % 3 <> 0 then 'inbound' else 'outbound' end
     from (select i.id, i.contact_id, row_number() over (order by i.id) as n from contact_identities i
           where i.workspace_id = $1) s
       cross join lateral (select now() - s.n * interval '1 minute' as at) a`,
    [workspaceId, connectionId],
  );
  // The newest conversations (the list's first page and more) get a feed of eight messages each.
  await db.query(
    `insert into messages (workspace_id, conversation_id, connection_id, direction, kind, author_type, text, created_at)
     select $1, c.id, $2, case when g % 2 = 0 then 'inbound' else 'outbound' end, 'message',
       case when g % 2 = 0 then 'contact' else 'user' end,
       'Message ' || g || ' of conversation ' || c.number, c.last_activity_at - (8 - g) * interval '1 minute'
     from (select id, number, last_activity_at from conversations where workspace_id = $1
           order by last_activity_at desc limit $3) c, generate_series(1, 8) g`,
    [workspaceId, connectionId, WITH_FEED],
  );
  await db.query("analyze contacts");
  await db.query("analyze contact_identities");
  await db.query("analyze conversations");
  await db.query("analyze messages");
  const [n] = await db.query<{ n: string }>(
    "select count(*) as n from conversations where workspace_id = $1",
    [workspaceId],
  );
  expect(Number(n!.n)).toBe(CONVERSATIONS);
  const [newest] = await db.query<{ name: string }>(
    `select ct.name from conversations c join contacts ct on ct.id = c.contact_id
     where c.workspace_id = $1 order by c.last_activity_at desc limit 1`,
    [workspaceId],
  );
  return { newest: newest!.name };
}

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, c) => a - c);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
const ms = (x: number) => `${x.toFixed(1)} ms`;

/** The marks and paint entries of the page, from its navigation's start (performance.now()'s origin). */
const markTime = (page: Page, name: string) =>
  page.evaluate((n) => performance.getEntriesByName(n).at(-1)?.startTime ?? null, name) as Promise<
    number | null
  >;

describe("inbox figures", () => {
  it("paints the first rows of 100,000 conversations from a cold cache, and switches cached conversations by keyboard", async () => {
    const t = await b.serverOnFreshDb();
    const { owner, workspaceId } = await newWorkspace(t, "Figures Shop");
    const conn = await apiConnection(t, owner);
    // A colleague invited, as in a workspace in use (the first-run checklist keeps only its working-hours step).
    expect(
      (await owner.post("/api/invitations", { email: "colleague@example.com", role: "agent" })).status,
    ).toBe(201);
    const seeded = performance.now();
    const { newest } = await seed(t, workspaceId, conn.id);
    console.log(
      `[figures] seeded ${CONVERSATIONS} conversations in ${((performance.now() - seeded) / 1000).toFixed(1)} s`,
    );

    const page = await b.newPage();
    await page.setViewportSize({ width: 1440, height: 900 });
    await signIn(page, t.url, owner.user!.email);
    // Largest contentful paint, observed from the start of every navigation of this tab.
    await page.addInitScript(`
        globalThis.__lcp = 0;
        new PerformanceObserver((list) => {
          for (const e of list.getEntries()) globalThis.__lcp = Math.max(globalThis.__lcp, e.startTime);
        }).observe({ type: "largest-contentful-paint", buffered: true });
      `);

    // Cold: the browser's cache emptied before each load, then the inbox opened by its address.
    const cdp = await page.context().newCDPSession(page);
    const paints: number[] = [];
    const lcps: number[] = [];
    const ROUNDS = 3;
    for (let i = 0; i < ROUNDS; i++) {
      await cdp.send("Network.clearBrowserCache");
      await page.goto(`${t.url}/inbox?view=all`);
      await page.getByTestId("conversation-row").first().waitFor({ timeout: 30_000 });
      await eventually(() => markTime(page, "parley:list-rows")).not.toBeNull();
      const at = (await markTime(page, "parley:list-rows"))!;
      // What was measured: the newest conversation is the first row, and only the first page was fetched.
      expect(await page.getByTestId("row-name").first().textContent()).toBe(newest);
      paints.push(at);
      lcps.push((await page.evaluate("globalThis.__lcp")) as number);
    }
    const rows = await page.getByTestId("conversation-row").count();
    expect(rows).toBeGreaterThan(0);
    expect(rows).toBeLessThanOrEqual(50);
    console.log(
      `[figures] inbox first meaningful paint, ${CONVERSATIONS} conversations, cold cache, ${ROUNDS} loads: ` +
        `first rows ${paints.map(ms).join(", ")} (median ${ms(percentile(paints, 50))}); ` +
        `largest contentful paint ${lcps.map(ms).join(", ")}`,
    );
    // A generous bound: a first screen that never came in 10 s would be a failure whatever the machine.
    expect(percentile(paints, 50)).toBeLessThan(10_000);

    // Keyboard: the first conversation opened, every one of the first SWITCHES+1 visited once (cached),
    // then back to the first; each measured switch goes to a conversation already in the cache.
    await page.getByTestId("conversation-row").first().click();
    await page.getByTestId("feed").getByText("Message 8 of conversation", { exact: false }).first().waitFor();
    const idOf = () => page.url().match(/\/inbox\/([^/?]+)/)?.[1] ?? null;
    const visited: string[] = [idOf()!];
    for (let i = 0; i < SWITCHES; i++) {
      const before = idOf();
      await page.keyboard.press("j");
      await eventually(idOf).not.toBe(before);
      const id = idOf()!;
      await eventually(() => markTime(page, `parley:feed:${id}`)).not.toBeNull();
      visited.push(id);
    }
    for (let i = 0; i < SWITCHES; i++) {
      const before = idOf();
      await page.keyboard.press("k");
      await eventually(idOf).not.toBe(before);
    }
    expect(idOf()).toBe(visited[0]);
    await page.evaluate(
      'addEventListener("keydown", () => performance.mark("test:keydown"), { capture: true })',
    );
    const switches: number[] = [];
    for (let i = 1; i <= SWITCHES; i++) {
      const id = visited[i]!;
      await page.evaluate((n) => performance.clearMarks(n), `parley:feed:${id}`);
      await page.keyboard.press("j");
      await eventually(() => markTime(page, `parley:feed:${id}`)).not.toBeNull();
      const [down, feed] = [
        (await markTime(page, "test:keydown"))!,
        (await markTime(page, `parley:feed:${id}`))!,
      ];
      // What was measured: this key led to this conversation's feed, on screen.
      expect(idOf()).toBe(id);
      expect(feed).toBeGreaterThan(down);
      const number = await page.getByTestId("conversation-number").textContent();
      expect(await page.getByTestId("feed").textContent()).toContain(
        `of conversation ${number!.replace(/\D/g, "")}`,
      );
      switches.push(feed - down);
    }
    const p50 = percentile(switches, 50);
    const p95 = percentile(switches, 95);
    // Baseline in the same run: one frame and a task of this page (what a mark's own timing waits for).
    const frames: number[] = [];
    for (let i = 0; i < SWITCHES; i++)
      frames.push(
        (await page.evaluate(
          "new Promise((r) => { const s = performance.now(); requestAnimationFrame(() => setTimeout(() => r(performance.now() - s), 0)); })",
        )) as number,
      );
    const f50 = percentile(frames, 50);
    console.log(
      `[figures] keyboard switch to a cached conversation (keydown → feed on screen), ${SWITCHES} switches: ` +
        `p50 ${ms(p50)}, p95 ${ms(p95)}, max ${ms(Math.max(...switches))}; ` +
        `baseline frame + task: p50 ${ms(f50)}, p95 ${ms(percentile(frames, 95))}; ` +
        `ratio p50 ${(p50 / Math.max(f50, 0.1)).toFixed(1)}x`,
    );
    // A generous bound; the target (100 ms) is reported against, not asserted (docs/features/web-app.md).
    expect(p95).toBeLessThan(5_000);
  }, 600_000);
});
