import { afterAll, describe, expect, it } from "vitest";
import { eventually } from "../../testing/eventually";
import {
  addUser,
  apiConnection,
  type Client,
  inbound,
  newWorkspace,
  SocketClient,
  unique,
} from "../../testing/harness";
import { useTestServer } from "../../testing/use-test-server";
import { startWebhookReceiver } from "../../testing/webhook-receiver";

const t = useTestServer();
const closers: { close(): unknown }[] = [];
afterAll(async () => {
  for (const c of closers) await c.close();
});

async function socket(c: Client) {
  const s = await SocketClient.open(`${t.wsUrl}/api/realtime`, c.cookie!);
  closers.push(s);
  return s;
}

/** A contact the way one arrives: a first message; answers its id. */
async function arrive(owner: Client, conn: Awaited<ReturnType<typeof apiConnection>>, name: string) {
  const external = unique("ext");
  const r = await conn.post(inbound(external, "hello", unique("m"), { contact: { id: external, name } }));
  expect(r.status).toBe(200);
  const conversation = await owner.get(`/api/conversations/${r.body.results[0].conversationId}`);
  return conversation.body.conversation.contact.id as string;
}

const apiContact = async (c: Client, id: string) => {
  const r = await c.get(`/api/contacts/${id}`);
  expect(r.status).toBe(200);
  return r.body.contact;
};

describe("contact events", () => {
  it("reach every agent of the workspace with the contact as the API answers it", async () => {
    const { owner } = await newWorkspace(t);
    const agent = await addUser(t, owner, "agent");
    const conn = await apiConnection(t, owner);
    const watching = await socket(agent.client);

    // A customer's first message creates the contact: contact.created, before anyone handles them.
    const id = await arrive(owner, conn, "Olena");
    const created = await watching.waitForEvent("contact.created", (e) => e.contactId === id);
    expect(created.contact).toEqual(await apiContact(agent.client, id));
    expect(created.contact).toMatchObject({ name: "Olena", blocked: false, tags: [] });

    // The owner edits, tags, blocks: the agent, who is not handling the contact, sees each change.
    const edit = await owner.patch(`/api/contacts/${id}`, { company: "Acme", email: "olena@example.com" });
    expect(edit.status).toBe(200);
    const edited = await watching.waitForEvent("contact.updated", (e) => e.contact.company === "Acme");
    expect(edited.contact).toEqual(edit.body.contact);

    const tag = await owner.post("/api/tags", { name: unique("vip"), color: "#e03131" });
    expect(tag.status).toBe(201);
    const tagged = await owner.put(`/api/contacts/${id}/tags/${tag.body.tag.id}`, { pinned: true });
    expect(tagged.status).toBe(200);
    const withTag = await watching.waitForEvent("contact.updated", (e) => e.contact.tags.length === 1);
    expect(withTag.contact.tags[0]).toMatchObject({ id: tag.body.tag.id, pinned: true });

    expect((await owner.delete(`/api/contacts/${id}/tags/${tag.body.tag.id}`)).status).toBe(204);
    await watching.waitForEvent("contact.updated", (e) => e.seq > withTag.seq && e.contact.tags.length === 0);

    expect((await owner.post(`/api/contacts/${id}/block`)).status).toBe(200);
    const blocked = await watching.waitForEvent("contact.updated", (e) => e.contact.blocked === true);
    expect(blocked.contact).toEqual(await apiContact(owner, id));

    // A failed change (unknown contact) writes no event: the next event the agent gets is a later change.
    const missing = await owner.patch(`/api/contacts/${crypto.randomUUID()}`, { name: "Nobody" });
    expect(missing.status).toBe(404);
    await owner.post(`/api/contacts/${id}/unblock`);
    const unblocked = await watching.waitForEvent(
      "contact.updated",
      (e) => e.seq > blocked.seq && e.contact.blocked === false,
    );
    const after = watching.events().filter((e) => e.type.startsWith("contact.") && e.seq > blocked.seq);
    expect(after.map((e) => e.seq)).toEqual([unblocked.seq]);
  });

  it("are written in the change's transaction, in the workspace's log", async () => {
    const { owner, workspaceId } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    const id = await arrive(owner, conn, "Ivan");
    await owner.patch(`/api/contacts/${id}`, { name: "Ivan Franko" });
    const rows = await t.db.query<{ type: string; conversation_id: string | null; payload: any }>(
      "select type, conversation_id, payload from events where workspace_id = $1 and type like 'contact.%' order by seq",
      [workspaceId],
    );
    expect(rows.map((r) => r.type)).toEqual(["contact.created", "contact.updated"]);
    expect(rows[1]!.payload.contact).toEqual(await apiContact(owner, id));
    expect(rows.every((r) => r.conversation_id === null)).toBe(true);
  });

  it("go out as contact.created and contact.updated webhooks, ordered by contact", async () => {
    const { owner } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    const hooks = await startWebhookReceiver();
    closers.push(hooks);
    const made = await owner.post("/api/webhook-endpoints", {
      url: hooks.url,
      events: ["contact.created", "contact.updated"],
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const choices = await owner.get("/api/webhook-endpoints");
    expect(choices.body.eventTypes).toEqual(expect.arrayContaining(["contact.created", "contact.updated"]));

    const id = await arrive(owner, conn, "Maria");
    await owner.patch(`/api/contacts/${id}`, { phone: "+34911222333" });
    const updated = await eventually(() => hooks.ofType("contact.updated")[0], { what: "contact.updated" });
    const contact = await apiContact(owner, id);
    expect(updated.body.data).toEqual(contact);
    const created = hooks.ofType("contact.created")[0]!;
    expect(created.body.data).toMatchObject({ id, name: "Maria", phone: null });
    // Only contact events were subscribed: the conversation and its message were not sent.
    expect(hooks.requests.map((r) => r.body.type)).toEqual(["contact.created", "contact.updated"]);
    const [row] = await t.db.query<{ ordering_key: string }>(
      "select ordering_key from webhook_deliveries where event_id = $1",
      [updated.body.id],
    );
    expect(row?.ordering_key).toBe(id);
  });
});
