import { afterAll, describe, expect, it } from "vitest";
import { MovableClock } from "../../lib/time";
import { eventually } from "../../testing/eventually";
import { addUser, apiConnection, inbound, newWorkspace, unique } from "../../testing/harness";
import { useTestServer } from "../../testing/use-test-server";
import { startWebhookReceiver } from "../../testing/webhook-receiver";

const clock = new MovableClock();
// Long enough that a loaded machine does not time the local CRM out (a timeout is retried 30 s later).
const t = useTestServer({ clock, env: { WEBHOOK_TIMEOUT_MS: "5000" } });
const receivers: { close(): Promise<void> }[] = [];
afterAll(async () => {
  for (const r of receivers) await r.close();
});

const TEMPLATE = JSON.stringify({
  lead: {
    name: "{{contact.name}}",
    phone: "{{contact.phone}}",
    channel: "{{channel.type}}",
    first: "{{message.text}}",
    utm: "{{source.utm_source}}",
  },
});

/** A local CRM: answers `{ data: { id, link } }` with a new id per request. */
async function crm() {
  const r = await startWebhookReceiver();
  receivers.push(r);
  let n = 0;
  r.respondWith(() => ({
    status: 201,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ data: { id: `L-${++n}`, link: `https://crm.example/leads/L-${n}` } }),
  }));
  return r;
}

async function setup() {
  const { owner, workspaceId } = await newWorkspace(t);
  const conn = await apiConnection(t, owner);
  const receiver = await crm();
  const config = {
    method: "POST",
    url: receiver.url,
    headers: { Authorization: "Bearer crm-secret-123" },
    bodyTemplate: TEMPLATE,
    idPath: "data.id",
    urlPath: "data.link",
  };
  return { owner, workspaceId, conn, receiver, config };
}

const recordsOf = async (owner: Awaited<ReturnType<typeof setup>>["owner"], conversationId: string) => {
  const r = await owner.get(`/api/conversations/${conversationId}/linked-records`);
  expect(r.status).toBe(200);
  return r.body as { records: any[]; configured: boolean };
};

describe("linked records (R703)", () => {
  it("validates templates, keeps header values secret and audits changes", async () => {
    const { owner, workspaceId, conn, config } = await setup();
    const unknown = await owner.put(`/api/connections/${conn.id}/linked-record-config`, {
      ...config,
      bodyTemplate: '{"x": "{{contact.age}}"}',
    });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body)).toContain("{{contact.age}}");
    const outside = await owner.put(`/api/connections/${conn.id}/linked-record-config`, {
      ...config,
      bodyTemplate: '{"x": {{contact.name}}}',
    });
    expect(outside.status).toBe(400);
    expect(JSON.stringify(outside.body)).toContain("inside a string");
    const badPath = await owner.put(`/api/connections/${conn.id}/linked-record-config`, {
      ...config,
      idPath: "a..b",
    });
    expect(badPath.status).toBe(400);

    const saved = await owner.put(`/api/connections/${conn.id}/linked-record-config`, config);
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect(saved.body.config).toMatchObject({
      connectionId: conn.id,
      headerNames: ["Authorization"],
      idPath: "data.id",
    });
    const list = await owner.get("/api/linked-record-configs");
    expect(list.body.configs).toHaveLength(1);
    expect(JSON.stringify(list.body)).not.toContain("crm-secret-123");
    const [stored] = await t.db.query<{ headers_enc: string }>(
      "select headers_enc from linked_record_configs where connection_id = $1",
      [conn.id],
    );
    expect(stored!.headers_enc).not.toContain("crm-secret-123");

    const agent = await addUser(t, owner, "agent");
    expect((await agent.client.put(`/api/connections/${conn.id}/linked-record-config`, config)).status).toBe(
      403,
    );
    const other = await newWorkspace(t);
    expect((await other.owner.put(`/api/connections/${conn.id}/linked-record-config`, config)).status).toBe(
      404,
    );

    expect((await owner.delete(`/api/connections/${conn.id}/linked-record-config`)).status).toBe(204);
    const audit = await t.db.query<{ action: string; data: string }>(
      "select action, data::text from audit_log where workspace_id = $1 and target_type = 'linked_record_config' order by id",
      [workspaceId],
    );
    expect(audit.map((a) => a.action)).toEqual([
      "linked_record_config.saved",
      "linked_record_config.deleted",
    ]);
    expect(audit.map((a) => a.data).join()).not.toContain("crm-secret-123");
  });

  it("creates a record when a conversation starts, with the placeholders JSON-escaped, shown on the conversation and contact", async () => {
    const { owner, conn, receiver, config } = await setup();
    expect((await owner.put(`/api/connections/${conn.id}/linked-record-config`, config)).status).toBe(200);
    const contact = unique("c");
    const r = await conn.post(
      inbound(contact, 'Hello "CRM"\\ line\nnext', unique("m"), {
        contact: { id: contact, name: 'Ann "Quote" O\'Neil', phone: "+15550001" },
      }),
    );
    expect(r.status).toBe(200);
    const conversationId = r.body.results[0].conversationId as string;
    await eventually(async () => (await recordsOf(owner, conversationId)).records[0]?.status === "created");
    const { records, configured } = await recordsOf(owner, conversationId);
    expect(configured).toBe(true);
    expect(records).toEqual([
      expect.objectContaining({
        status: "created",
        externalId: "L-1",
        externalUrl: "https://crm.example/leads/L-1",
        lastError: null,
      }),
    ]);
    expect(receiver.requests).toHaveLength(1);
    const sent = receiver.requests[0]!;
    expect(sent.headers.authorization).toBe("Bearer crm-secret-123");
    expect(sent.headers["content-type"]).toBe("application/json");
    expect(sent.body).toEqual({
      lead: {
        name: 'Ann "Quote" O\'Neil',
        phone: "+15550001",
        channel: "api",
        first: 'Hello "CRM"\\ line\nnext',
        utm: "",
      },
    });
    const contactId = records[0].contactId as string;
    const byContact = await owner.get(`/api/contacts/${contactId}/linked-records`);
    expect(byContact.status).toBe(200);
    expect(byContact.body.records.map((x: any) => x.externalId)).toEqual(["L-1"]);

    // A second message of the same conversation creates nothing more.
    await conn.post(inbound(contact, "again"));
    const later = await conn.post(inbound(unique("c"), "a new customer"));
    await eventually(
      async () =>
        (await recordsOf(owner, later.body.results[0].conversationId)).records[0]?.status === "created",
    );
    expect((await recordsOf(owner, conversationId)).records).toHaveLength(1);
    expect(receiver.requests).toHaveLength(2);
  });

  it("keeps a failure visible and retries it with backoff until the CRM answers", async () => {
    const { owner, conn, receiver, config } = await setup();
    expect((await owner.put(`/api/connections/${conn.id}/linked-record-config`, config)).status).toBe(200);
    receiver.respondWith(() => ({ status: 500, body: "boom" }));
    const r = await conn.post(inbound(unique("c"), "hi"));
    const id = r.body.results[0].conversationId as string;
    await eventually(
      async () => (await recordsOf(owner, id)).records[0]?.lastError === "the CRM answered 500",
    );
    expect((await recordsOf(owner, id)).records[0]).toMatchObject({ status: "pending", attempts: 1 });
    receiver.respondWith(() => ({ status: 200, body: JSON.stringify({ data: { id: 42 } }) }));
    clock.advance(31_000);
    t.server.ctx.jobs.wake();
    await eventually(async () => (await recordsOf(owner, id)).records[0]?.status === "created");
    expect((await recordsOf(owner, id)).records[0]).toMatchObject({
      externalId: "42",
      externalUrl: null,
      lastError: null,
    });
  });

  it("creates now for a conversation that started before the template; twice or without a template is refused", async () => {
    const { owner, conn, receiver, config } = await setup();
    const r = await conn.post(inbound(unique("c"), "before any template"));
    const id = r.body.results[0].conversationId as string;
    const none = await owner.post(`/api/conversations/${id}/linked-records`);
    expect(none.status).toBe(409);
    expect(none.body.error.message).toContain("Settings → Linked records");
    expect((await owner.put(`/api/connections/${conn.id}/linked-record-config`, config)).status).toBe(200);
    expect((await recordsOf(owner, id)).records).toEqual([]);
    const now = await owner.post(`/api/conversations/${id}/linked-records`);
    expect(now.status, JSON.stringify(now.body)).toBe(202);
    await eventually(async () => (await recordsOf(owner, id)).records[0]?.status === "created");
    expect(receiver.requests[0]!.body.lead.first).toBe("before any template");
    expect((await owner.post(`/api/conversations/${id}/linked-records`)).status).toBe(409);
  });
});
