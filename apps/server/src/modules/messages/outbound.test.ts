import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { messageInState } from "../../testing/delivery";
import { apiConnection, type Client, inbound, newWorkspace, unique } from "../../testing/harness";
import { startReceiver } from "../../testing/outbound-receiver";
import { useTestServer } from "../../testing/use-test-server";

let receiver: Awaited<ReturnType<typeof startReceiver>>;
const secrets: string[] = [];

/**
 * The job runner never polls here: a send runs only when a commit wakes the runner, or when a test makes a
 * waiting job due and wakes it. So a message sent without the test's help was sent because of the wake.
 */
const t = useTestServer({ env: { JOB_POLL_MS: "3600000" } });

beforeAll(async () => {
  // The receiver checks signatures against whichever connection secret it was last given.
  receiver = await startReceiver(() => secrets.at(-1) ?? "");
});
afterAll(async () => {
  await receiver.close();
});

async function setup() {
  const { owner } = await newWorkspace(t);
  const conn = await apiConnection(t, owner, receiver.url);
  secrets.push(conn.secret);
  const contact = unique("c");
  await conn.post(inbound(contact, "hello"));
  const [conv] = (await owner.get("/api/conversations")).body.conversations;
  return { owner, conn, contact, conv };
}

const waitForState = (owner: Client, convId: string, messageId: string, state: string, timeout?: number) =>
  messageInState(owner, convId, messageId, state, { timeout, hurry: t.server });

describe("outgoing messages through the API channel", () => {
  it("sends at once (no polling wait), signed, and records the provider id and each receipt step", async () => {
    receiver.respondWith((r) => ({ status: 200, body: { id: `ext-${r.body.id}` } }));
    const { owner, conn, contact, conv } = await setup();
    const socket = await owner.socket(t.wsUrl);
    const sent = await owner.post(`/api/conversations/${conv.id}/messages`, {
      text: "Добрый день! Чем помочь?",
    });
    expect(sent.status).toBe(201);
    expect(sent.body.message.delivery.state).toBe("queued");
    const id = sent.body.message.id;
    const update = await socket.waitForEvent(
      "message.updated",
      (e) => e.message.id === id && e.message.delivery.state === "sent",
    );
    // The runner does not poll in this file: the commit woke it.
    expect(update.message.providerMessageId).toBe(`ext-${id}`);
    const req = receiver.requests.find((r) => r.body.id === id)!;
    expect(req.signatureValid).toBe(true);
    expect(req.body).toMatchObject({
      type: "message",
      contactId: contact,
      text: "Добрый день! Чем помочь?",
      conversationId: conv.id,
    });

    // Receipts arrive out of order and duplicated: the state only moves forward.
    await conn.post({
      type: "status",
      messageId: `ext-${id}`,
      status: "read",
      timestamp: "2026-01-01T10:00:05Z",
    });
    await conn.post({
      type: "status",
      messageId: `ext-${id}`,
      status: "delivered",
      timestamp: "2026-01-01T10:00:03Z",
    });
    const dup = await conn.post({
      type: "status",
      messageId: `ext-${id}`,
      status: "read",
      timestamp: "2026-01-01T10:00:06Z",
    });
    expect(dup.body.results[0].status).toBe("unchanged");
    const m = await waitForState(owner, conv.id, id, "read");
    expect(m.delivery.readAt).toBe("2026-01-01T10:00:05.000Z");
    expect(m.delivery.deliveredAt).toBe("2026-01-01T10:00:05.000Z");
    const list = await owner.get("/api/conversations");
    expect(list.body.conversations[0].lastMessage.deliveryState).toBe("read");
    socket.close();
  });

  it("records an unknown message's status report and changes nothing", async () => {
    const { conn } = await setup();
    const r = await conn.post({ type: "status", messageId: "nobody-knows", status: "delivered" });
    expect(r.status).toBe(200);
    expect(r.body.results[0]).toMatchObject({ kind: "status", status: "unknown_message" });
  });

  it("advances every earlier message with a read watermark", async () => {
    receiver.respondWith((r) => ({ status: 200, body: { id: `w-${r.body.id}` } }));
    const { owner, conn, contact, conv } = await setup();
    const ids: string[] = [];
    for (const text of ["a", "b", "c"])
      ids.push((await owner.post(`/api/conversations/${conv.id}/messages`, { text })).body.message.id);
    for (const id of ids) await waitForState(owner, conv.id, id, "sent");
    const r = await conn.post({
      type: "read",
      contactId: contact,
      watermark: new Date(Date.now() + 1000).toISOString(),
    });
    expect(r.body.results[0]).toMatchObject({ kind: "read_watermark", count: 3 });
    for (const id of ids) await waitForState(owner, conv.id, id, "read");
  });

  it("fails at once with the receiver's words when it refuses the message (4xx)", async () => {
    receiver.respondWith(() => ({ status: 400, body: { error: "unknown contact" } }));
    const { owner, conv } = await setup();
    const id = (await owner.post(`/api/conversations/${conv.id}/messages`, { text: "x" })).body.message.id;
    const m = await waitForState(owner, conv.id, id, "failed");
    expect(m.delivery.failureReason).toBe("provider_error");
    expect(m.delivery.failureDetail).toMatch(/400.*unknown contact/);
  });

  it("retries a rate-limited (429 Retry-After) or failing (5xx) receiver and then delivers", async () => {
    let calls = 0;
    receiver.respondWith((r) => {
      calls++;
      if (calls === 1) return { status: 429, headers: { "retry-after": "1" } };
      if (calls === 2) return { status: 503 };
      return { status: 200, body: { id: `late-${r.body.id}` } };
    });
    const { owner, conv, conn } = await setup();
    const id = (await owner.post(`/api/conversations/${conv.id}/messages`, { text: "retry me" })).body.message
      .id;
    const m = await waitForState(owner, conv.id, id, "sent", 15_000);
    expect(m.providerMessageId).toBe(`late-${id}`);
    expect(receiver.requests.filter((r) => r.body.id === id)).toHaveLength(3);
    const health = await owner.get(`/api/connections/${conn.id}`);
    expect(health.body.connection.health.errorCount).toBe(2);
    expect(health.body.connection.health.lastError).toMatch(/503|rate/);
  });

  it("gives up after the last attempt and marks the message failed (dead job visible in the jobs table)", async () => {
    receiver.respondWith(() => ({ status: 500, body: { error: "down" } }));
    const { owner, conv } = await setup();
    const id = (await owner.post(`/api/conversations/${conv.id}/messages`, { text: "doomed" })).body.message
      .id;
    // Compress the backoff: make the job due again right away after each failure.
    await messageInState(owner, conv.id, id, "failed", { timeout: 20_000, hurry: t.server });
    const [job] = await t.server.ctx.db.query<{ status: string; attempts: number; last_error: string }>(
      "select status, attempts, last_error from jobs where payload->>'messageId' = $1",
      [id],
    );
    expect(job).toMatchObject({ status: "dead", attempts: 8 });
    expect(job!.last_error).toMatch(/500/);
  });

  it("keeps a receipt that arrives before the send is recorded and applies it then", async () => {
    const { owner, conn, conv } = await setup();
    // The receiver reports "delivered" for its id before it even answers the send.
    receiver.respondWith(async (r) => {
      const early = await conn.post({ type: "status", messageId: `early-${r.body.id}`, status: "delivered" });
      expect(early.body.results[0].status).toBe("unknown_message");
      return { status: 200, body: { id: `early-${r.body.id}` } };
    });
    const id = (await owner.post(`/api/conversations/${conv.id}/messages`, { text: "fast receipt" })).body
      .message.id;
    const m = await waitForState(owner, conv.id, id, "delivered");
    expect(m.providerMessageId).toBe(`early-${id}`);
    const left = await t.server.ctx.db.query("select 1 from early_receipts where provider_message_id = $1", [
      `early-${id}`,
    ]);
    expect(left).toHaveLength(0);
  });
});
