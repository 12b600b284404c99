import { describe, expect, it } from "vitest";
import { apiConnection, inbound, newWorkspace } from "../testing/harness";
import { startReceiver } from "../testing/outbound-receiver";
import { eventually, signIn, socketOpen, useBrowser } from "./browser";

/** A reply the channel keeps rate-limiting: the clock's tooltip says it waits, and until when. */
const { cleanups, newPage, serverOnFreshDb } = useBrowser();

describe("a rate-limited reply in the inbox", () => {
  it("shows that the channel is rate-limiting and until when, live", async () => {
    const t = await serverOnFreshDb();
    const { owner } = await newWorkspace(t, "Throttled Shop");
    let secret = "";
    const receiver = await startReceiver(() => secret);
    cleanups.push(() => receiver.close());
    const conn = await apiConnection(t, owner, receiver.url);
    secret = conn.secret;
    const first = await conn.post(inbound("cust-429", "Hello?"));
    const conversationId = first.body.results[0].conversationId as string;
    receiver.respondWith(() => ({ status: 429, headers: { "retry-after": "600" }, body: {} }));

    const page = await newPage();
    await signIn(page, t.url, owner.user!.email);
    await page.goto(`${t.url}/inbox/${conversationId}?view=all`);
    const pane = page.getByTestId("conversation-pane");
    await pane.locator('[data-testid="message"][data-direction="inbound"]').first().waitFor();
    await socketOpen(page);

    const input = pane.getByTestId("composer-input");
    await input.fill("One moment, please.");
    await input.press("Enter");
    const reply = pane
      .locator('[data-testid="message"][data-direction="outbound"]')
      .filter({ hasText: "One moment, please." });
    const tick = reply.getByTestId("delivery");
    await eventually(() => tick.getAttribute("data-waiting")).toBe("rate_limited");
    expect(await tick.getAttribute("data-state")).toBe("queued");
    expect(await tick.getAttribute("aria-label")).toMatch(
      /^Waiting: the channel is rate-limiting until .+\d/,
    );
    // The time shown is the time the send job will try again.
    const [row] = await t.server.ctx.db.query<{ retry_at: Date; run_at: Date }>(
      `select m.retry_at, j.run_at from messages m join jobs j on j.payload->>'messageId' = m.id::text
       where m.text = 'One moment, please.'`,
    );
    expect(row!.retry_at).toEqual(row!.run_at);
    await tick.hover();
    await page.getByText(/^Waiting: the channel is rate-limiting until /).waitFor();
  });
});
