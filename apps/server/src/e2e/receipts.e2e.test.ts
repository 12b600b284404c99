import { describe, expect, it } from "vitest";
import { addUser, apiConnection, inbound, newWorkspace } from "../testing/harness";
import { startReceiver } from "../testing/outbound-receiver";
import { eventually, signIn, socketOpen, useBrowser } from "./browser";

/**
 * Receipts in the browser: ticks moving live from queued to read with each step's time in the tooltip, a
 * failed reply sent again, "seen by" following the team's read cursors live, and peek mode.
 */
const { cleanups, newPage, serverOnFreshDb } = useBrowser();

describe("receipts in the inbox", () => {
  it("moves ticks live, retries a failed reply, and shows who of the team has seen each message", async () => {
    const t = await serverOnFreshDb();
    const { owner } = await newWorkspace(t, "Receipts Shop");
    const supervisor = await addUser(t, owner, "supervisor", "sveta");
    await t.server.ctx.db.query("update users set name = 'Sveta Supervisor' where id = $1", [supervisor.id]);
    let secret = "";
    const receiver = await startReceiver(() => secret);
    cleanups.push(() => receiver.close());
    const conn = await apiConnection(t, owner, receiver.url);
    secret = conn.secret;
    const first = await conn.post(inbound("cust-r", "Is my parcel on its way?"));
    const conversationId = first.body.results[0].conversationId as string;

    const page = await newPage();
    await signIn(page, t.url, owner.user!.email);
    await page.goto(`${t.url}/inbox/${conversationId}?view=all`);
    const pane = page.getByTestId("conversation-pane");
    const customer = pane.locator('[data-testid="message"][data-direction="inbound"]').first();
    await customer.waitFor();
    await socketOpen(page);

    // The owner opened it: "seen by" under the customer's message names them.
    await eventually(() => customer.getByTestId("seen-by").getAttribute("data-users")).toBe("Owner");
    // The supervisor reads it elsewhere: it appears live, without a reload.
    expect((await supervisor.client.post(`/api/conversations/${conversationId}/read`, {})).status).toBe(200);
    await eventually(() => customer.getByTestId("seen-by").getAttribute("data-users")).toMatch(
      /^(Owner,Sveta Supervisor|Sveta Supervisor,Owner)$/,
    );
    await customer.getByTestId("seen-by").hover();
    await eventually(() => page.getByText(/^Sveta Supervisor · /).count()).toBe(1);

    // A reply: clock → one tick → delivered → two ticks, live from the integrator's reports.
    receiver.respondWith((r) => ({ status: 200, body: { id: `ext-${r.body.id}` } }));
    const input = pane.getByTestId("composer-input");
    await input.fill("Yes, it left the warehouse.");
    await input.press("Enter");
    const reply = pane
      .locator('[data-testid="message"][data-direction="outbound"]')
      .filter({ hasText: "Yes, it left the warehouse." });
    await eventually(() => reply.getByTestId("delivery").getAttribute("data-state")).toBe("sent");
    const providerId = `ext-${receiver.requests.at(-1)!.body.id}`;
    await conn.post({ type: "status", messageId: providerId, status: "delivered" });
    await eventually(() => reply.getByTestId("delivery").getAttribute("data-state")).toBe("delivered");
    await conn.post({ type: "status", messageId: providerId, status: "read" });
    await eventually(() => reply.getByTestId("delivery").getAttribute("data-state")).toBe("read");
    await reply.getByTestId("delivery").hover();
    await page.getByTestId("delivery-step-readAt").waitFor();
    expect(await page.getByTestId("delivery-step-sentAt").count()).toBe(1);
    expect(await page.getByTestId("delivery-step-deliveredAt").count()).toBe(1);

    // A reply the receiver refuses: red cross with the reason; "send again" delivers it.
    receiver.respondWith(() => ({ status: 400, body: { error: "unknown contact" } }));
    await input.fill("Tracking number: 123");
    await input.press("Enter");
    const failed = pane
      .locator('[data-testid="message"][data-direction="outbound"]')
      .filter({ hasText: "Tracking number: 123" });
    await eventually(() => failed.getByTestId("delivery").getAttribute("data-state")).toBe("failed");
    expect(await failed.getByTestId("delivery").getAttribute("aria-label")).toMatch(/^Not delivered: /);
    receiver.respondWith((r) => ({ status: 200, body: { id: `ext-${r.body.id}` } }));
    await failed.getByTestId("retry").click();
    await eventually(() => failed.getByTestId("delivery").getAttribute("data-state")).toBe("sent");
    expect(await failed.getByTestId("retry").count()).toBe(0);

    // Read receipts off for this conversation: a read report leaves one tick, and the tooltip says why.
    await pane.getByTestId("receipt-controls").click();
    await page.getByTestId("receipts-override-off").click();
    await eventually(
      async () => (await owner.get(`/api/conversations/${conversationId}/seen-by`)).body.readTrackingOff,
    ).toBe("conversation");
    const trackingId = `ext-${receiver.requests.at(-1)!.body.id}`;
    await conn.post({ type: "status", messageId: trackingId, status: "read" });
    await eventually(() => failed.getByTestId("delivery").getAttribute("data-state")).toBe("delivered");
    await eventually(() => failed.getByTestId("delivery").getAttribute("data-no-read")).toBe("true");

    // Peek: a new customer message while peeking leaves the owner's read cursor where it was.
    await pane.getByTestId("receipt-controls").click();
    await page.getByTestId("peek-toggle").click();
    await eventually(() => pane.getByTestId("receipt-controls").getAttribute("data-peeking")).toBe("true");
    const before = (await owner.get(`/api/conversations/${conversationId}/seen-by`)).body.cursors.find(
      (c: { userId: string }) => c.userId === owner.user!.id,
    ).lastReadSeq;
    // Every read the page asks for, from here on.
    const reads: string[] = [];
    page.on("request", (r) => {
      if (r.method() === "POST" && r.url().endsWith(`/api/conversations/${conversationId}/read`))
        reads.push(r.url());
    });
    await conn.post(inbound("cust-r", "Thanks!"));
    const thanks = pane
      .locator('[data-testid="message"][data-direction="inbound"]')
      .filter({ hasText: "Thanks!" });
    await thanks.waitFor();
    // The page has drawn a frame with the message and run a task after it: the effect that marks a shown
    // customer message read (it asks synchronously) has had its turn.
    await page.evaluate("new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)))");
    expect(reads).toEqual([]);
    const after = (await owner.get(`/api/conversations/${conversationId}/seen-by`)).body.cursors.find(
      (c: { userId: string }) => c.userId === owner.user!.id,
    ).lastReadSeq;
    expect(after).toBe(before);
    expect(await thanks.getByTestId("seen-by").count()).toBe(0);
    // Peeking off: opening marks it read again and "seen by" follows.
    await pane.getByTestId("receipt-controls").click();
    await page.getByTestId("peek-toggle").click();
    await eventually(() => reads.length).toBe(1);
    await eventually(() => thanks.getByTestId("seen-by").getAttribute("data-users")).toBe("Owner");
  });

  it("diagnostics page: a test message's receipt trail fills in live; reports page: charts, table and CSV", async () => {
    const t = await serverOnFreshDb();
    const { owner } = await newWorkspace(t, "Diagnostics Shop");
    let secret = "";
    const receiver = await startReceiver(() => secret);
    cleanups.push(() => receiver.close());
    const conn = await apiConnection(t, owner, receiver.url);
    secret = conn.secret;
    await conn.post(inbound("cust-d", "Hello"));

    const page = await newPage();
    await signIn(page, t.url, owner.user!.email);
    await page.goto(`${t.url}/settings/receipts`);
    await page.getByTestId("tab-diagnostics").click();
    await eventually(() => page.getByTestId("diag-last-webhook").textContent()).not.toBe("Never");
    await socketOpen(page);
    // Nothing to send to until the admin names a test contact; a customer's address is refused.
    expect(await page.getByTestId("send-test").isDisabled()).toBe(true);
    await page.getByTestId("test-to").fill("cust-d");
    await page.getByTestId("send-test").click();
    await page.getByText("cust-d belongs to a customer").waitFor();
    expect(receiver.requests).toHaveLength(0);
    // The admin's own number, in Ukrainian: a labelled test to a test contact of its own.
    await page.getByTestId("test-to").fill("+380501112233");
    await page.getByTestId("test-language").click();
    await page.getByRole("option", { name: "Ukrainian" }).click();
    await page.getByTestId("send-test").click();
    const trail = page.getByTestId("test-trail");
    await eventually(() => trail.getAttribute("data-state")).toBe("sent");
    const providerId = `ext-${receiver.requests.at(-1)!.body.id}`;
    expect(receiver.requests.at(-1)!.body.contactId).toBe("+380501112233");
    expect(receiver.requests.at(-1)!.body.text).toMatch(
      /^\[Тест Parley\] Перевірочне повідомлення від Diagnostics Shop/,
    );
    await conn.post({ type: "status", messageId: providerId, status: "read" });
    await eventually(() => trail.getAttribute("data-state")).toBe("read");
    expect(await trail.getByTestId("trail-readAt").textContent()).not.toContain("Waiting");

    await page.goto(`${t.url}/reports/receipts`);
    const table = page.getByTestId("receipt-report-table");
    await table.waitFor();
    await eventually(() => page.getByTestId("receipt-kpi-readRate").textContent()).toBe("100%");
    expect(await table.locator("tbody tr").count()).toBe(1);
    const csv = await page.getByTestId("receipt-report-csv").getAttribute("href");
    const res = await page.request.get(`${t.url}${csv}`);
    expect(res.status()).toBe(200);
    expect(await res.text()).toContain("read_rate");
  });
});
