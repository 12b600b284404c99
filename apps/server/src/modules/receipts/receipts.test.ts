import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MovableClock } from "../../lib/time";
import { eventually } from "../../testing/eventually";
import { blobExists, uploadFile } from "../../testing/files";
import { addUser, apiConnection, type Client, inbound, newWorkspace, unique } from "../../testing/harness";
import { startReceiver } from "../../testing/outbound-receiver";
import { useTestServer } from "../../testing/use-test-server";
import { purgeReadTracking } from "./privacy";

let receiver: Awaited<ReturnType<typeof startReceiver>>;
const secrets: string[] = [];

const clock = new MovableClock();
const t = useTestServer({ clock });

beforeAll(async () => {
  receiver = await startReceiver(() => secrets.at(-1) ?? "");
  receiver.respondWith((r) => ({ status: 200, body: { id: `ext-${r.body.id}` } }));
});
afterAll(async () => {
  await receiver.close();
});

async function setup() {
  const { owner, workspaceId } = await newWorkspace(t);
  const conn = await apiConnection(t, owner, receiver.url);
  secrets.push(conn.secret);
  const contact = unique("c");
  const first = await conn.post(inbound(contact, "hello"));
  const { conversationId, messageId } = first.body.results[0];
  return {
    owner,
    workspaceId,
    conn,
    contact,
    conversationId: conversationId as string,
    inboundId: messageId,
  };
}

const waitFor = <T>(fn: () => Promise<T | undefined | null | false>, what: string) =>
  eventually(fn, { what });

async function reply(owner: Client, conversationId: string, text: string) {
  const id = (await owner.post(`/api/conversations/${conversationId}/messages`, { text })).body.message.id;
  return waitFor(async () => {
    const feed = await owner.get(`/api/conversations/${conversationId}/messages`);
    const m = feed.body.messages.find((x: { id: string }) => x.id === id);
    return m?.delivery?.state === "sent" ? m : null;
  }, `message ${id} sent`);
}

const state = async (owner: Client, conversationId: string, id: string) =>
  (await owner.get(`/api/conversations/${conversationId}/messages`)).body.messages.find(
    (m: { id: string }) => m.id === id,
  ).delivery;

describe("read-receipt policy (R305, R306)", () => {
  it("keeps read times by default, and counts a read report only as delivered where receipts are off", async () => {
    const { owner, conn, conversationId } = await setup();
    const a = await reply(owner, conversationId, "a");
    await conn.post({
      type: "status",
      messageId: `ext-${a.id}`,
      status: "read",
      timestamp: "2026-01-01T10:00:05Z",
    });
    expect((await state(owner, conversationId, a.id)).state).toBe("read");

    // Workspace off.
    const off = await owner.patch("/api/receipts/settings", { readReceipts: false });
    expect(off.status).toBe(200);
    expect(off.body.settings.readReceipts).toBe(false);
    const b = await reply(owner, conversationId, "b");
    await conn.post({
      type: "status",
      messageId: `ext-${b.id}`,
      status: "read",
      timestamp: "2026-01-01T10:01:00Z",
    });
    const db = await state(owner, conversationId, b.id);
    expect(db).toMatchObject({ state: "delivered", readAt: null, deliveredAt: "2026-01-01T10:01:00.000Z" });
    const seen = await owner.get(`/api/conversations/${conversationId}/seen-by`);
    expect(seen.body.readTrackingOff).toBe("workspace");

    // The connection turns it back on for itself; the conversation turns it off again for itself.
    expect(
      (await owner.put(`/api/connections/${conn.id}/receipt-policy`, { readReceipts: true })).status,
    ).toBe(200);
    const c = await reply(owner, conversationId, "c");
    await conn.post({
      type: "read",
      contactId: (await contactOf(owner, conversationId)) ?? "",
      watermark: new Date(Date.now() + 1000).toISOString(),
    });
    expect((await state(owner, conversationId, c.id)).state).toBe("read");
    expect(
      (await owner.put(`/api/conversations/${conversationId}/receipt-policy`, { readReceipts: false }))
        .status,
    ).toBe(200);
    const d = await reply(owner, conversationId, "d");
    await conn.post({ type: "status", messageId: `ext-${d.id}`, status: "read" });
    expect((await state(owner, conversationId, d.id)).state).toBe("delivered");
    expect((await owner.get(`/api/conversations/${conversationId}/seen-by`)).body).toMatchObject({
      readTrackingOff: "conversation",
      override: false,
    });
    const settings = await owner.get("/api/receipts/settings");
    expect(settings.body.connections.find((x: { id: string }) => x.id === conn.id)).toMatchObject({
      readReceipts: true,
      reportsRead: true,
    });
    const audit = await t.server.ctx.db.query<{ action: string }>(
      "select action from audit_log where workspace_id = $1 and action like 'receipts.%' order by id",
      [owner.workspaceId],
    );
    expect(audit.map((r) => r.action)).toEqual([
      "receipts.settings_updated",
      "receipts.connection_policy",
      "receipts.conversation_policy",
    ]);
  });

  it("lets only admins change the policy and refuses bad values with the error shape", async () => {
    const { owner, conversationId } = await setup();
    const agent = await addUser(t, owner, "agent");
    const r = await agent.client.patch("/api/receipts/settings", { readReceipts: false });
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe("forbidden");
    const bad = await owner.patch("/api/receipts/settings", { retentionDays: 0 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBeTruthy();
    const conv = await agent.client.put(`/api/conversations/${conversationId}/receipt-policy`, {
      readReceipts: false,
    });
    expect(conv.status).toBe(403);
    expect(conv.body.error.code).toBe("forbidden");
  });
});

async function contactIdOf(conversationId: string) {
  const [row] = await t.server.ctx.db.query<{ contact_id: string }>(
    "select contact_id from conversations where id = $1",
    [conversationId],
  );
  return row!.contact_id;
}

async function contactOf(owner: Client, conversationId: string) {
  const rows = await t.server.ctx.db.query<{ external_id: string }>(
    "select i.external_id from conversations c join contact_identities i on i.id = c.identity_id where c.id = $1 and c.workspace_id = $2",
    [conversationId, owner.workspaceId],
  );
  return rows[0]?.external_id;
}

describe("delivery reports through webhooks (properties, R302)", () => {
  it("ends each message in the furthest state reported, whatever the order, duplication and batching", async () => {
    const RANK = { sent: 1, delivered: 2, read: 3 } as const;
    const { owner, conn, contact, conversationId } = await setup();
    let round = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({ m: fc.integer({ min: 0, max: 2 }), state: fc.constantFrom("delivered", "read") }),
          {
            minLength: 1,
            maxLength: 12,
          },
        ),
        fc.boolean(),
        async (reports, watermark) => {
          // Fresh messages per run: earlier runs' states must not leak into this one's expectation.
          round++;
          const run: string[] = [];
          for (let k = 0; k < 3; k++) run.push((await reply(owner, conversationId, `r${round}-${k}`)).id);
          const cut = new Date().toISOString();
          // Concurrent webhooks: the server groups them into shared transactions.
          await Promise.all([
            ...reports.map((r) =>
              conn.post({ type: "status", messageId: `ext-${run[r.m]}`, status: r.state }),
            ),
            ...(watermark ? [conn.post({ type: "read", contactId: contact, watermark: cut })] : []),
          ]);
          const feed = (await owner.get(`/api/conversations/${conversationId}/messages?limit=100`)).body
            .messages;
          run.forEach((id, k) => {
            const furthest = Math.max(
              RANK.sent,
              ...reports.filter((r) => r.m === k).map((r) => RANK[r.state as keyof typeof RANK]),
              watermark ? RANK.read : 0,
            );
            const m = feed.find((x: { id: string }) => x.id === id);
            expect(RANK[m.delivery.state as keyof typeof RANK]).toBe(furthest);
          });
        },
      ),
      { numRuns: 6 },
    );
  });
});

describe("staff-side receipts: seen by (R303)", () => {
  it("records who read up to where and when, pushes it live, and keeps mark unread per agent", async () => {
    const { owner, conn, contact, conversationId, inboundId } = await setup();
    const supervisor = await addUser(t, owner, "supervisor", unique("Supervisor"));
    const socket = await owner.socket(t.wsUrl);
    const second = (await conn.post(inbound(contact, "second"))).body.results[0].messageId;

    // The supervisor reads up to the first message only, then everything.
    const r1 = await supervisor.client.post(`/api/conversations/${conversationId}/read`, {
      upToMessageId: inboundId,
    });
    expect(r1.status).toBe(200);
    const live = await socket.waitForEvent(
      "read_cursor.updated",
      (e) => e.cursor.userId === supervisor.id && e.conversationId === conversationId,
    );
    expect(live.cursor.lastReadSeq).toBeGreaterThan(0);
    clock.advance(1_000); // the second read happens a second later
    await supervisor.client.post(`/api/conversations/${conversationId}/read`, {});

    const seen = await owner.get(`/api/conversations/${conversationId}/seen-by`);
    expect(seen.status).toBe(200);
    const feed = (await owner.get(`/api/conversations/${conversationId}/messages`)).body.messages;
    const seqOf = (id: string) => feed.find((m: { id: string }) => m.id === id).seq;
    const cursor = seen.body.cursors.find((c: { userId: string }) => c.userId === supervisor.id);
    expect(cursor.name).toMatch(/^Supervisor/);
    expect(cursor.lastReadSeq).toBe(seqOf(second));
    const marks = seen.body.marks.filter((m: { userId: string }) => m.userId === supervisor.id);
    expect(marks.map((m: { seq: number }) => m.seq)).toEqual([seqOf(inboundId), seqOf(second)]);
    expect(Date.parse(marks[1].at) - Date.parse(marks[0].at)).toBeGreaterThanOrEqual(1_000);
    // The owner never opened it: no cursor of theirs (a "peek" leaves no trace).
    expect(seen.body.cursors.some((c: { userId: string }) => c.userId === owner.user!.id)).toBe(false);

    // Mark unread affects only the supervisor.
    await supervisor.client.post(`/api/conversations/${conversationId}/unread`, {});
    const mine = await supervisor.client.get(`/api/conversations/${conversationId}`);
    expect(mine.body.conversation.unreadCount).toBeGreaterThan(0);
    const after = await owner.get(`/api/conversations/${conversationId}/seen-by`);
    expect(after.body.cursors.find((c: { userId: string }) => c.userId === supervisor.id).markedUnread).toBe(
      true,
    );
    // Marking unread does not move the cursor back: "seen by" still says the supervisor saw both.
    expect(after.body.cursors.find((c: { userId: string }) => c.userId === supervisor.id).lastReadSeq).toBe(
      seqOf(second),
    );
    socket.close();
  });
});

describe("retry of a failed reply (R301)", () => {
  it("sends a failed message again in place and moves it through the states live", async () => {
    const { owner, conversationId } = await setup();
    receiver.respondWith(() => ({ status: 400, body: { error: "unknown contact" } }));
    const id = (await owner.post(`/api/conversations/${conversationId}/messages`, { text: "x" })).body.message
      .id;
    const failed = await waitFor(async () => {
      const d = await state(owner, conversationId, id);
      return d.state === "failed" ? d : null;
    }, "failed");
    expect(failed.failureReason).toBeTruthy();
    receiver.respondWith((r) => ({ status: 200, body: { id: `ext-${r.body.id}` } }));
    const socket = await owner.socket(t.wsUrl);
    const r = await owner.post(`/api/conversations/${conversationId}/messages/${id}/retry`);
    expect(r.status).toBe(200);
    expect(r.body.message.delivery).toMatchObject({ state: "queued", failureReason: null, failedAt: null });
    await socket.waitForEvent(
      "message.updated",
      (e) => e.message.id === id && e.message.delivery.state === "sent",
    );
    const [retried] = await sourcesOf(id, "message.retried");
    expect(retried).toMatchObject({
      ip: expect.any(String),
      user_agent: expect.any(String),
      api_token_id: null,
    });
    const again = await owner.post(`/api/conversations/${conversationId}/messages/${id}/retry`);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("conflict");
    socket.close();
  });
});

/** The request source of a target's audit entries of one action. */
const sourcesOf = (targetId: string, action: string) =>
  t.server.ctx.db.query<{ ip: string | null; user_agent: string | null; api_token_id: string | null }>(
    "select ip, user_agent, api_token_id from audit_log where target_id = $1 and action = $2 order by id",
    [targetId, action],
  );

describe("privacy (R307)", () => {
  it("keeps read times only with consent in consent mode, and records consent through the API", async () => {
    const { owner, conn, conversationId } = await setup();
    await owner.patch("/api/receipts/settings", { consentMode: true });
    const a = await reply(owner, conversationId, "a");
    await conn.post({ type: "status", messageId: `ext-${a.id}`, status: "read" });
    expect((await state(owner, conversationId, a.id)).state).toBe("delivered");
    const contact_id = await contactIdOf(conversationId);
    const given = await owner.put(`/api/contacts/${contact_id}/read-tracking-consent`, {
      granted: true,
      source: "widget",
    });
    expect(given.status).toBe(200);
    expect(given.body.consent).toMatchObject({ granted: true, source: "widget" });
    const b = await reply(owner, conversationId, "b");
    await conn.post({ type: "status", messageId: `ext-${b.id}`, status: "read" });
    expect((await state(owner, conversationId, b.id)).state).toBe("read");
    // Withdrawing consent forgets the read times kept.
    await owner.put(`/api/contacts/${contact_id}/read-tracking-consent`, { granted: false });
    expect((await state(owner, conversationId, b.id)).readAt).toBeNull();
    // Each change is audited with the request's address and browser, like the newer entries.
    const consents = await sourcesOf(contact_id, "contact.read_tracking_consent");
    expect(consents).toHaveLength(2);
    for (const c of consents)
      expect(c).toMatchObject({ ip: expect.any(String), user_agent: expect.any(String) });
  });

  it("purges read times and read-cursor history after the retention period", async () => {
    const { owner, conn, conversationId, workspaceId } = await setup();
    const a = await reply(owner, conversationId, "a");
    await conn.post({ type: "status", messageId: `ext-${a.id}`, status: "read" });
    await owner.post(`/api/conversations/${conversationId}/read`, {});
    await owner.patch("/api/receipts/settings", { retentionDays: 30 });
    const soon = await purgeReadTracking(t.server.ctx.db, new Date(Date.now() + 29 * 86400_000));
    expect((await state(owner, conversationId, a.id)).readAt).not.toBeNull();
    expect(soon.messages).toBe(0);
    const later = await purgeReadTracking(t.server.ctx.db, new Date(Date.now() + 31 * 86400_000));
    expect(later.messages).toBeGreaterThanOrEqual(1);
    expect(await state(owner, conversationId, a.id)).toMatchObject({ state: "read", readAt: null });
    const marks = await t.server.ctx.db.query("select 1 from read_marks where workspace_id = $1", [
      workspaceId,
    ]);
    expect(marks).toHaveLength(0);
  });

  it("exports a contact's data as JSON and erases it, both audited and admins only", async () => {
    const { owner, conversationId, workspaceId } = await setup();
    await reply(owner, conversationId, "our answer");
    const contact_id = await contactIdOf(conversationId);
    const agent = await addUser(t, owner, "agent");
    expect((await agent.client.get(`/api/contacts/${contact_id}/export`)).status).toBe(403);
    const exp = await owner.get(`/api/contacts/${contact_id}/export`);
    expect(exp.status).toBe(200);
    expect(exp.headers.get("content-disposition")).toContain("attachment");
    expect(exp.body.contact.id).toBe(contact_id);
    expect(exp.body.conversations[0].messages.map((m: { text: string }) => m.text)).toEqual([
      "hello",
      "our answer",
    ]);
    const socket = await owner.socket(t.wsUrl);
    const erased = await owner.delete(`/api/contacts/${contact_id}/data`);
    expect(erased.status).toBe(200);
    // The customer's message, the "assigned" line and the reply.
    expect(erased.body.erased).toEqual({ conversations: 1, messages: 3 });
    await socket.waitForEvent("conversation.deleted", (e) => e.conversationId === conversationId);
    expect((await owner.get(`/api/conversations/${conversationId}`)).status).toBe(404);
    expect((await owner.get(`/api/contacts/${contact_id}/export`)).status).toBe(404);
    const audit = await t.server.ctx.db.query<{ action: string; data: Record<string, unknown> }>(
      "select action, data from audit_log where workspace_id = $1 and target_id = $2 order by id",
      [workspaceId, contact_id],
    );
    expect(audit.map((r) => r.action)).toEqual(["contact.exported", "contact.erased"]);
    for (const action of ["contact.exported", "contact.erased"]) {
      const [entry] = await sourcesOf(contact_id, action);
      expect(entry, action).toMatchObject({ ip: expect.any(String), user_agent: expect.any(String) });
    }
    expect(JSON.stringify(audit)).not.toContain("our answer");
    socket.close();
  });

  it("erasing a contact removes the files their messages carried, but not a file another conversation still uses", async () => {
    const { owner, conn, conversationId, workspaceId } = await setup();
    const otherConversation = (await conn.post(inbound(unique("c"), "me too"))).body.results[0]
      .conversationId as string;
    const own = await uploadFile(t.url, owner, conversationId, "passport.txt", "scan of a passport");
    const shared = await uploadFile(t.url, owner, conversationId, "prices.txt", "price list");
    const send = async (conv: string, file: typeof own) => {
      const r = await owner.post(`/api/conversations/${conv}/messages`, {
        attachments: [{ name: file.name, mimeType: file.mimeType, size: file.size, url: file.url }],
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    };
    await send(conversationId, own);
    await send(conversationId, shared);
    await send(otherConversation, shared);
    const blobs = t.server.ctx.blobs;
    const key = (f: typeof own) => `${workspaceId}/${f.id}`;
    expect(await blobExists(blobs, key(own))).toBe(true);

    const contactId = await contactIdOf(conversationId);
    expect((await owner.delete(`/api/contacts/${contactId}/data`)).status).toBe(200);
    // The bytes go by a job enqueued with the erasure; the file's row at once.
    expect((await owner.get(`/api/files/${own.id}`)).status).toBe(404);
    await waitFor(async () => !(await blobExists(blobs, key(own))), "the erased file's bytes removed");
    // The file another customer's conversation still carries stays.
    expect(await blobExists(blobs, key(shared))).toBe(true);
    expect((await owner.get(`/api/files/${shared.id}`)).status).toBe(200);
  });
});

describe("diagnostics (R308) and reports (R309)", () => {
  it("shows a connection's webhooks, reports and failures, and sends a test message with a live trail", async () => {
    const { owner, conn, conversationId, contact } = await setup();
    const a = await reply(owner, conversationId, "ok");
    await conn.post({ type: "status", messageId: `ext-${a.id}`, status: "delivered" });
    receiver.respondWith(() => ({ status: 400, body: { error: "nope" } }));
    const bad = (await owner.post(`/api/conversations/${conversationId}/messages`, { text: "bad" })).body
      .message.id;
    await waitFor(async () => (await state(owner, conversationId, bad)).state === "failed", "failed");
    receiver.respondWith((r) => ({ status: 200, body: { id: `ext-${r.body.id}` } }));
    const d = await owner.get(`/api/connections/${conn.id}/diagnostics`);
    expect(d.status).toBe(200);
    expect(d.body.lastWebhookAt).not.toBeNull();
    expect(d.body.lastStatusAt).not.toBeNull();
    expect(d.body.errorCount).toBe(1);
    expect(d.body.last24h).toMatchObject({ delivered: 1, failed: 1 });
    expect(d.body.recentFailures[0]).toMatchObject({ messageId: bad, text: "bad" });
    expect(d.body.testContacts).toEqual([]);
    expect(d.body.language).toBe("en");

    const socket = await owner.socket(t.wsUrl);
    const test = await owner.post(`/api/connections/${conn.id}/test-message`, { to: "admin-phone" });
    expect(test.status).toBe(201);
    const id = test.body.message.id;
    // A conversation of its own with a test contact, never the customer's; the text says it is a test.
    expect(test.body.conversationId).not.toBe(conversationId);
    expect(test.body.message.text).toMatch(/^\[Parley test\] /);
    await socket.waitForEvent(
      "message.updated",
      (e) => e.message.id === id && e.message.delivery.state === "sent",
    );
    expect(receiver.requests.find((r) => r.body.id === id)!.body).toMatchObject({ contactId: "admin-phone" });
    await conn.post({
      type: "status",
      messageId: `ext-${id}`,
      status: "read",
      timestamp: new Date().toISOString(),
    });
    const read = await socket.waitForEvent(
      "message.updated",
      (e) => e.message.id === id && e.message.delivery.state === "read",
    );
    expect(read.message.delivery.sentAt).not.toBeNull();
    expect(read.message.delivery.readAt).not.toBeNull();
    const again = await owner.get(`/api/connections/${conn.id}/diagnostics`);
    expect(again.body.testContacts).toEqual([
      { externalId: "admin-phone", conversationId: test.body.conversationId },
    ]);

    // In the workspace's language; the same test contact's conversation is used again.
    expect((await owner.patch("/api/workspace", { settings: { language: "ru" } })).status).toBe(200);
    const ru = await owner.post(`/api/connections/${conn.id}/test-message`, { to: "admin-phone" });
    expect(ru.status).toBe(201);
    expect(ru.body).toMatchObject({ conversationId: test.body.conversationId, language: "ru" });
    expect(ru.body.message.text).toMatch(/^\[Тест Parley\] Проверочное сообщение от /);
    const uk = await owner.post(`/api/connections/${conn.id}/test-message`, {
      to: "admin-phone",
      language: "uk",
    });
    expect(uk.body.message.text).toMatch(/^\[Тест Parley\] Перевірочне повідомлення/);

    // A customer's address is refused, and nothing is written into the customer's conversation.
    const before = (await owner.get(`/api/conversations/${conversationId}/messages`)).body.messages.length;
    const customer = await owner.post(`/api/connections/${conn.id}/test-message`, { to: contact });
    expect(customer.status).toBe(409);
    expect(customer.body.error.message).toContain("belongs to a customer");
    expect((await owner.get(`/api/conversations/${conversationId}/messages`)).body.messages).toHaveLength(
      before,
    );
    const empty = await owner.post(`/api/connections/${conn.id}/test-message`, { to: "  " });
    expect(empty.status).toBe(400);
    expect(empty.body.error.message).toContain("your own number");
    const wrong = await owner.post(`/api/connections/${crypto.randomUUID()}/test-message`, { to: "x" });
    expect(wrong.status).toBe(404);
    socket.close();
  });

  it("reports read rate, times and replies after read by channel, agent and day, anonymised and as CSV", async () => {
    const { owner, conn, contact, conversationId } = await setup();
    const a = await reply(owner, conversationId, "a");
    const b = await reply(owner, conversationId, "b");
    const sentAt = Date.parse(a.delivery.queuedAt);
    await conn.post({
      type: "status",
      messageId: `ext-${a.id}`,
      status: "delivered",
      timestamp: new Date(sentAt + 2000).toISOString(),
    });
    await conn.post({
      type: "status",
      messageId: `ext-${a.id}`,
      status: "read",
      timestamp: new Date(sentAt + 10_000).toISOString(),
    });
    await conn.post({
      type: "status",
      messageId: `ext-${b.id}`,
      status: "delivered",
      timestamp: new Date(sentAt + 4000).toISOString(),
    });
    await conn.post(inbound(contact, "thanks"));
    const r = await owner.get("/api/receipts/report?groupBy=channel");
    expect(r.status).toBe(200);
    const row = r.body.rows.find((x: { key: string }) => x.key === conn.id);
    expect(row).toMatchObject({
      replies: 2,
      delivered: 2,
      read: 1,
      readRate: 0.5,
      repliedAfterRead: 1,
      unansweredAfterRead: 0,
    });
    expect(row.avgReadSeconds).toBeGreaterThan(row.avgDeliverSeconds);
    expect(r.body.total.replies).toBe(2);
    const byAgent = await owner.get("/api/receipts/report?groupBy=agent");
    expect(byAgent.status, JSON.stringify(byAgent.body)).toBe(200);
    expect(byAgent.body.rows[0]).toMatchObject({ key: owner.user!.id, label: "Owner", replies: 2 });
    const anon = await owner.get("/api/receipts/report?groupBy=agent&anonymise=true");
    expect(anon.body.rows[0].label).toMatch(/^Agent [0-9a-f]{6}$/);
    expect(JSON.stringify(anon.body)).not.toContain(owner.user!.id);
    // Team analytics can be anonymised too, on request or always by the workspace's setting.
    const plain = await owner.get("/api/analytics");
    expect(plain.body.agents.map((a: { name: string }) => a.name)).toContain("Owner");
    const team = await owner.get("/api/analytics?anonymise=true");
    expect(team.body.agents.length).toBeGreaterThan(0);
    for (const a of team.body.agents) expect(a.name).toMatch(/^Agent [0-9a-f]{6}$/);
    await owner.patch("/api/receipts/settings", { anonymiseReports: true });
    const forced = await owner.get("/api/analytics.csv?metric=agents");
    expect(String(forced.body)).not.toContain("Owner");
    expect((await owner.get("/api/receipts/report?groupBy=agent")).body.anonymised).toBe(true);
    await owner.patch("/api/receipts/settings", { anonymiseReports: false });
    const day = await owner.get("/api/receipts/report?groupBy=day&tz=Europe/Kyiv");
    expect(day.body.rows).toHaveLength(1);
    const csv = await owner.get("/api/receipts/report.csv?groupBy=channel");
    expect(csv.headers.get("content-type")).toContain("text/csv");
    expect(String(csv.body)).toContain("read_rate");
    expect(String(csv.body)).toContain(conn.id);
    const agent = await addUser(t, owner, "agent");
    expect((await agent.client.get("/api/receipts/report")).status).toBe(403);
    expect((await owner.get("/api/receipts/report?tz=Mars/Base")).status).toBe(400);
  });
});
