import { afterAll, describe, expect, it } from "vitest";
import { MovableClock } from "../../lib/time";
import { eventually } from "../../testing/eventually";
import { addUser, apiConnection, type Client, inbound, newWorkspace, unique } from "../../testing/harness";
import { startReceiver } from "../../testing/outbound-receiver";
import { useTestServer } from "../../testing/use-test-server";
import { startWebhookReceiver } from "../../testing/webhook-receiver";
import { verifySignature } from "./sign";

const clock = new MovableClock();
const t = useTestServer({ clock, env: { WEBHOOK_TIMEOUT_MS: "1000" } });
const receivers: { close(): Promise<void> }[] = [];
afterAll(async () => {
  for (const r of receivers) await r.close();
});

const ALL = [
  "conversation.created",
  "conversation.assigned",
  "conversation.status_changed",
  "message.created",
  "message.status_changed",
];

async function receiver() {
  const r = await startWebhookReceiver();
  receivers.push(r);
  return r;
}

async function subscribe(owner: Client, url: string, events = ALL) {
  const r = await owner.post("/api/webhook-endpoints", { url, events, description: "CRM" });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return { id: r.body.endpoint.id as string, secret: r.body.secret as string };
}

async function setup(events = ALL) {
  const { owner, workspaceId } = await newWorkspace(t);
  const conn = await apiConnection(t, owner);
  const hooks = await receiver();
  const endpoint = await subscribe(owner, hooks.url, events);
  return { owner, workspaceId, conn, hooks, endpoint };
}

const deliveries = async (owner: Client, endpointId: string) => {
  const r = await owner.get(`/api/webhook-endpoints/${endpointId}/deliveries?limit=200`);
  expect(r.status).toBe(200);
  return r.body.deliveries as any[];
};
const texts = (hooks: Awaited<ReturnType<typeof receiver>>) =>
  hooks.ofType("message.created").map((r) => r.body.data.text as string);

describe("outgoing webhooks", () => {
  it("delivers each subscribed event with the public shape, signed with the endpoint's secret", async () => {
    const { owner, workspaceId, conn, hooks, endpoint } = await setup();
    const outbound = await startReceiver(() => "");
    receivers.push(outbound);
    await owner.patch(`/api/connections/${conn.id}`, { settings: { outboundUrl: outbound.url } });
    const sent = await conn.post(inbound(unique("c"), "hello there"));
    const { conversationId, messageId } = sent.body.results[0];
    const created = await eventually(() => hooks.ofType("message.created")[0], { what: "message.created" });
    const conversation = (await owner.get(`/api/conversations/${conversationId}`)).body.conversation;
    const message = (await owner.get(`/api/conversations/${conversationId}/messages`)).body.messages.find(
      (m: any) => m.id === messageId,
    );
    expect(created.body).toMatchObject({ type: "message.created", workspaceId, data: message });
    expect(Object.keys(created.body).sort()).toEqual(["createdAt", "data", "id", "type", "workspaceId"]);
    expect(created.headers["x-parley-event"]).toBe(created.body.id);
    expect(created.headers["x-parley-delivery"]).toMatch(/^[0-9a-f-]{36}$/);
    // The conversation's creation came first, with the conversation as the API shows it.
    expect(hooks.requests[0]!.body).toMatchObject({
      type: "conversation.created",
      data: { id: conversationId, contact: conversation.contact },
    });

    // The signature: over "<t>.<body>" with the secret; another body, another secret or an old t fail.
    const header = created.headers["x-parley-signature"] as string;
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    const t0 = Number(header.slice(2, header.indexOf(",")));
    expect(Math.abs(t0 - clock.now().getTime() / 1000)).toBeLessThan(60);
    expect(verifySignature(endpoint.secret, header, created.raw, t0)).toBe(true);
    expect(verifySignature(endpoint.secret, header, created.raw.replace("hello", "HELLO"), t0)).toBe(false);
    expect(verifySignature(`${endpoint.secret}x`, header, created.raw, t0)).toBe(false);
    expect(verifySignature(endpoint.secret, header, created.raw, t0 + 301)).toBe(false);
    const revealed = await owner.post(`/api/webhook-endpoints/${endpoint.id}/reveal`);
    expect(revealed.body.secret).toBe(endpoint.secret);

    // Assignment, status and an outgoing message's delivery report.
    await owner.post(`/api/conversations/${conversationId}/assign`, { assigneeId: owner.user!.id });
    await owner.post(`/api/conversations/${conversationId}/status`, { status: "closed" });
    const reply = await owner.post(`/api/conversations/${conversationId}/messages`, { text: "on it" });
    expect(reply.status).toBe(201);
    const assigned = await eventually(() => hooks.ofType("conversation.assigned")[0]);
    expect(assigned.body.data).toMatchObject({ id: conversationId, assigneeId: owner.user!.id });
    const closed = await eventually(() => hooks.ofType("conversation.status_changed")[0]);
    expect(closed.body.data).toMatchObject({ id: conversationId, status: "closed" });
    const status = await eventually(() =>
      hooks.ofType("message.status_changed").find((r) => r.body.data.delivery?.state === "sent"),
    );
    expect(status.body.data).toMatchObject({ id: reply.body.message.id, direction: "outbound" });
    // In the order they were committed.
    const order = hooks.requests.map((r) => r.body.type);
    expect(order.indexOf("conversation.assigned")).toBeLessThan(order.indexOf("conversation.status_changed"));

    const log = await deliveries(owner, endpoint.id);
    expect(log.every((d) => d.status === "succeeded" && d.responseStatus === 200)).toBe(true);
    expect(log[0]).toMatchObject({ attempts: 1, responseExcerpt: "ok" });
  });

  it("only sends the events an endpoint subscribed to", async () => {
    const { conn, hooks, owner } = await setup(["message.created"]);
    const all = await receiver();
    await subscribe(owner, all.url);
    await conn.post(inbound(unique("c"), "just the message"));
    await eventually(() => all.ofType("message.created").length === 1);
    await eventually(() => hooks.requests.length === 1);
    expect(hooks.requests.map((r) => r.body.type)).toEqual(["message.created"]);
    expect(all.requests.map((r) => r.body.type)).toEqual(["conversation.created", "message.created"]);
  });

  it("retries after a 5xx answer and after a timeout, with backoff", async () => {
    const { owner, conn, hooks, endpoint } = await setup(["message.created"]);
    hooks.respondWith((r) =>
      r.body.data.text === "slow" ? { status: 200, hang: true } : { status: 503, body: "busy" },
    );
    const contact = unique("c");
    await conn.post(inbound(contact, "first"));
    const [failed] = await eventually(async () => {
      const log = await deliveries(owner, endpoint.id);
      return log[0]?.attempts === 1 && log;
    });
    const now = clock.now().getTime();
    expect(failed).toMatchObject({ status: "pending", responseStatus: 503, responseExcerpt: "busy" });
    expect(failed.error).toContain("503");
    const wait = new Date(failed.nextAttemptAt).getTime() - new Date(failed.lastAttemptAt).getTime();
    expect(wait).toBeGreaterThanOrEqual(8_000);
    expect(wait).toBeLessThanOrEqual(12_000);
    expect(now).toBeLessThan(new Date(failed.nextAttemptAt).getTime());

    hooks.respondWith(() => ({ status: 200, body: "ok" }));
    clock.advance(13_000);
    await eventually(async () => (await deliveries(owner, endpoint.id))[0]?.status === "succeeded");
    const attempts = hooks.requests.filter((r) => r.body.data.text === "first");
    expect(attempts).toHaveLength(2);
    expect(attempts[0]!.headers["x-parley-delivery"]).toBe(attempts[1]!.headers["x-parley-delivery"]);

    // A receiver that does not answer in time: a timeout, retried later.
    hooks.respondWith((r) => (r.body.data.text === "slow" ? { status: 200, hang: true } : { status: 200 }));
    await conn.post(inbound(contact, "slow"));
    const timedOut = await eventually(async () => {
      const d = (await deliveries(owner, endpoint.id))[0];
      return d?.attempts === 1 && d;
    });
    expect(timedOut).toMatchObject({
      status: "pending",
      error: "the request timed out",
      responseStatus: null,
    });
    hooks.respondWith(() => ({ status: 200 }));
    clock.advance(13_000);
    await eventually(async () => (await deliveries(owner, endpoint.id))[0]?.status === "succeeded");
    expect((await deliveries(owner, endpoint.id))[0].attempts).toBe(2);
  });

  it("keeps order per conversation: a failing delivery holds its conversation only", async () => {
    const { owner, conn, hooks, endpoint } = await setup(["message.created"]);
    const other = await receiver();
    await subscribe(owner, other.url, ["message.created"]);
    hooks.respondWith((r) => (r.body.data.text.startsWith("A-") ? { status: 500 } : { status: 200 }));
    const a = unique("a");
    const b = unique("b");
    await conn.post(inbound(a, "A-1"));
    await eventually(() => texts(hooks).includes("A-1"));
    await conn.post(inbound(b, "B-1"));
    await conn.post(inbound(a, "A-2"));
    await conn.post(inbound(b, "B-2"));
    // B's conversation and the other endpoint go on past A's failure.
    await eventually(() => texts(hooks).includes("B-2"));
    await eventually(() => texts(other).length === 4);
    expect(texts(other)).toEqual(["A-1", "B-1", "A-2", "B-2"]);
    expect(texts(hooks)).toEqual(["A-1", "B-1", "B-2"]);
    const held = (await deliveries(owner, endpoint.id)).filter((d) => d.status === "pending");
    expect(held.map((d) => d.attempts).sort()).toEqual([0, 1]);

    hooks.respondWith(() => ({ status: 200 }));
    clock.advance(13_000);
    await eventually(() => texts(hooks).includes("A-2"));
    expect(texts(hooks)).toEqual(["A-1", "B-1", "B-2", "A-1", "A-2"]);
  });

  it("refuses a redirect to an internal address, records why, and goes on", async () => {
    const { owner, conn, hooks } = await setup(["message.created"]);
    const sneaky = await receiver();
    sneaky.respondWith(() => ({ status: 307, headers: { location: "http://10.0.0.1/admin" } }));
    const bad = await subscribe(owner, sneaky.url, ["message.created"]);
    const contact = unique("c");
    await conn.post(inbound(contact, "one"));
    await conn.post(inbound(contact, "two"));
    await eventually(() => texts(hooks).length === 2);
    const log = await eventually(async () => {
      const l = await deliveries(owner, bad.id);
      return l.length === 2 && l.every((d) => d.status === "failed") && l;
    });
    expect(log[0].error).toContain("egress refused");
    expect(sneaky.requests).toHaveLength(2);
  });

  it("turns off an endpoint failing for 24 hours, tells its admins, and resumes where it stopped", async () => {
    const { owner, workspaceId, conn, hooks, endpoint } = await setup(["message.created"]);
    const agent = await addUser(t, owner, "agent");
    hooks.respondWith(() => ({ status: 500 }));
    const contact = unique("c");
    await conn.post(inbound(contact, "m1"));
    await eventually(
      async () => (await owner.get(`/api/webhook-endpoints/${endpoint.id}`)).body.endpoint.failingSince,
    );
    // Retries back off up to an hour (and a fifth more, jittered): a step of 75 minutes makes the next one due.
    const active = async () =>
      (await owner.get(`/api/webhook-endpoints/${endpoint.id}`)).body.endpoint.active;
    for (let step = 0; step < 30; step++) {
      const before = hooks.requests.length;
      clock.advance(75 * 60_000);
      // The next retry came, or the one before it was the last (it turned the endpoint off).
      await eventually(async () => hooks.requests.length > before || !(await active()), {
        what: `the retry of step ${step}`,
      });
      if (!(await active())) break;
    }
    const ep = (await owner.get(`/api/webhook-endpoints/${endpoint.id}`)).body.endpoint;
    expect(ep).toMatchObject({ active: false, disabledReason: "failing" });
    const [audit] = await t.db.query<{ user_id: string | null; data: any }>(
      "select user_id, data from audit_log where workspace_id = $1 and action = 'webhook.disabled' and target_id = $2",
      [workspaceId, endpoint.id],
    );
    expect(audit).toMatchObject({ user_id: null, data: { reason: "failing" } });
    const notified = await t.db.query<{ user_id: string }>(
      "select user_id from notifications where workspace_id = $1 and kind = 'webhook_disabled'",
      [workspaceId],
    );
    expect(notified.map((n) => n.user_id)).toEqual([owner.user!.id]);
    expect(agent.id).not.toBe(owner.user!.id);

    // While off: nothing is sent; turned on, the waiting delivery and what came meanwhile go, in order.
    await conn.post(inbound(contact, "m2"));
    hooks.respondWith(() => ({ status: 200 }));
    const on = await owner.patch(`/api/webhook-endpoints/${endpoint.id}`, { active: true });
    expect(on.body.endpoint).toMatchObject({ active: true, disabledReason: null, failingSince: null });
    await eventually(() => texts(hooks).includes("m2"));
    expect(texts(hooks).slice(-2)).toEqual(["m1", "m2"]);
  });

  it("sends a delivery again, and a test event", async () => {
    const { owner, conn, hooks, endpoint } = await setup(["message.created"]);
    await conn.post(inbound(unique("c"), "again please"));
    const [first] = await eventually(async () => {
      const l = await deliveries(owner, endpoint.id);
      return l[0]?.status === "succeeded" && l;
    });
    const again = await owner.post(`/api/webhook-endpoints/${endpoint.id}/deliveries/${first.id}/send-again`);
    expect(again.status).toBe(201);
    expect(again.body.delivery).toMatchObject({
      resentFrom: first.id,
      eventId: first.eventId,
      status: "pending",
    });
    await eventually(() => hooks.requests.length === 2);
    const [one, two] = hooks.requests;
    expect(two!.raw).toBe(one!.raw);
    expect(two!.headers["x-parley-event"]).toBe(one!.headers["x-parley-event"]);
    expect(two!.headers["x-parley-delivery"]).toBe(again.body.delivery.id);

    const test = await owner.post(`/api/webhook-endpoints/${endpoint.id}/test`);
    expect(test.status).toBe(201);
    const got = await eventually(() => hooks.ofType("webhook.test")[0]);
    expect(got.body.data).toMatchObject({ endpointId: endpoint.id });
  });

  it("is for api.manage only, answers 404 across workspaces, and audits changes", async () => {
    const { owner, workspaceId, endpoint } = await setup();
    const agent = await addUser(t, owner, "agent");
    const denied = await agent.client.get("/api/webhook-endpoints");
    expect(denied.status).toBe(403);
    expect(denied.body.error.message).toContain("api.manage");
    const delivery = (await owner.post(`/api/webhook-endpoints/${endpoint.id}/test`)).body.delivery;
    const { owner: stranger } = await newWorkspace(t);
    const base = `/api/webhook-endpoints/${endpoint.id}`;
    for (const [method, path, body] of [
      ["GET", base],
      ["PATCH", base, { active: false }],
      ["POST", `${base}/reveal`],
      ["POST", `${base}/test`],
      ["GET", `${base}/deliveries`],
      ["POST", `${base}/deliveries/${delivery.id}/send-again`],
      ["DELETE", base],
    ] as const)
      expect(
        (await stranger.request(method, path, body ?? (method === "POST" ? {} : undefined))).status,
        `${method} ${path}`,
      ).toBe(404);
    expect((await stranger.get("/api/webhook-endpoints")).body.endpoints).toEqual([]);

    expect((await owner.patch(base, { description: "ERP", active: false })).status).toBe(200);
    expect((await owner.request("DELETE", base)).status).toBe(204);
    const actions = await t.db.query<{ action: string; ip: string | null }>(
      "select action, ip from audit_log where workspace_id = $1 and target_type = 'webhook' order by id",
      [workspaceId],
    );
    expect(actions.map((a) => a.action)).toEqual([
      "webhook.created",
      "webhook.disabled",
      "webhook.updated",
      "webhook.deleted",
    ]);
    expect(actions[0]!.ip).toBe("127.0.0.1");
  });
});
