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
import { TAG_CONTACTS_BATCH } from "../tags/contacts-updated-job";

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

describe("erasing a contact", () => {
  it("sends contact.erased, with nothing of the person, to the live app and to webhooks", async () => {
    const { owner } = await newWorkspace(t);
    const agent = await addUser(t, owner, "agent");
    const conn = await apiConnection(t, owner);
    const hooks = await startWebhookReceiver();
    closers.push(hooks);
    const made = await owner.post("/api/webhook-endpoints", { url: hooks.url, events: ["contact.erased"] });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const watching = await socket(agent.client);

    const id = await arrive(owner, conn, "Ярослава Erasable");
    const contact = (await owner.get(`/api/contacts/${id}`)).body.contact;
    const erased = await owner.delete(`/api/contacts/${id}/data`);
    expect(erased.status).toBe(200);

    const live = await watching.waitForEvent("contact.erased", (e) => e.contactId === id);
    expect(live).toMatchObject({ type: "contact.erased", contactId: id, byUserId: owner.user!.id });
    expect(contact.name).toBe("Ярослава Erasable");
    expect(JSON.stringify(live)).not.toContain("Erasable");

    const hook = await eventually(() => hooks.ofType("contact.erased")[0], {
      what: "contact.erased webhook",
    });
    expect(hook.body.data).toEqual({ id });
    expect(JSON.stringify(hook.body)).not.toContain("Erasable");
    // Only what was subscribed went out.
    expect(hooks.requests.map((r) => r.body.type)).toEqual(["contact.erased"]);
  });
});

describe("renaming or recolouring a tag", () => {
  it("sends contact.updated for each contact carrying it, with the tag as it is now", async () => {
    const { owner } = await newWorkspace(t);
    const agent = await addUser(t, owner, "agent");
    const conn = await apiConnection(t, owner);
    const tag = (await owner.post("/api/tags", { name: unique("vip"), color: "#e03131" })).body.tag;
    const carrying = [await arrive(owner, conn, "A"), await arrive(owner, conn, "B")];
    const other = await arrive(owner, conn, "C");
    for (const id of carrying)
      expect((await owner.put(`/api/contacts/${id}/tags/${tag.id}`, {})).status).toBe(200);
    const watching = await socket(agent.client);

    const renamed = await owner.patch(`/api/tags/${tag.id}`, { name: "Gold" });
    expect(renamed.status).toBe(200);
    for (const id of carrying) {
      const e = await watching.waitForEvent(
        "contact.updated",
        (x) => x.contactId === id && x.contact.tags.some((g: { name: string }) => g.name === "Gold"),
        15_000,
      );
      expect(e.contact.tags).toEqual([
        expect.objectContaining({ id: tag.id, name: "Gold", color: "#e03131" }),
      ]);
    }
    const recoloured = await owner.patch(`/api/tags/${tag.id}`, { color: "#2f9e44" });
    expect(recoloured.status).toBe(200);
    for (const id of carrying)
      await watching.waitForEvent(
        "contact.updated",
        (x) => x.contactId === id && x.contact.tags.some((g: { color: string }) => g.color === "#2f9e44"),
        15_000,
      );
    // The contact without the tag was not touched.
    expect(
      watching.events().filter((e: any) => e.type === "contact.updated" && e.contactId === other),
    ).toEqual([]);
  });

  it("goes through many contacts in batches, each contact once", async () => {
    const { owner, workspaceId } = await newWorkspace(t);
    const tag = (await owner.post("/api/tags", { name: unique("bulk"), color: "#1c7ed6" })).body.tag;
    const n = TAG_CONTACTS_BATCH * 2 + 7;
    await t.db.query(
      `with made as (
         insert into contacts (workspace_id, name) select $1, 'Bulk ' || g from generate_series(1, $3::int) g returning id
       )
       insert into contact_tags (contact_id, tag_id, workspace_id) select id, $2, $1 from made`,
      [workspaceId, tag.id, n],
    );
    expect((await owner.patch(`/api/tags/${tag.id}`, { name: "Renamed in bulk" })).status).toBe(200);
    const counted = async () =>
      (
        await t.db.query<{ n: number; distinct_n: number; renamed: number }>(
          `select count(*)::int as n, count(distinct payload->>'contactId')::int as distinct_n,
             count(*) filter (where payload->'contact'->'tags'->0->>'name' = 'Renamed in bulk')::int as renamed
           from events where workspace_id = $1 and type = 'contact.updated'`,
          [workspaceId],
        )
      )[0]!;
    await eventually(async () => ((await counted()).n >= n ? true : undefined), {
      what: `${n} contact.updated events`,
      timeout: 120_000,
    });
    expect(await counted()).toEqual({ n, distinct_n: n, renamed: n });
    // One job per batch: three batches for two full ones and seven more.
    const [jobs] = await t.db.query<{ n: number }>(
      "select count(*)::int as n from jobs where type = 'tag.contacts_updated' and workspace_id = $1",
      [workspaceId],
    );
    expect(jobs!.n).toBe(3);
  });
});
