import { describe, expect, it } from "vitest";
import { addUser, apiConnection, type Client, inbound, newWorkspace, unique } from "../../testing/harness";
import { useTestServer } from "../../testing/use-test-server";

const t = useTestServer();

interface ContactIn {
  name?: string;
  email?: string;
  phone?: string;
  nickname?: string;
}

/** Creates contacts the way they arrive: an inbound message each. Returns their ids in order. */
async function seedContacts(owner: Client, people: ContactIn[]) {
  const conn = await apiConnection(t, owner);
  const ids: string[] = [];
  for (const p of people) {
    const external = unique("ext");
    const r = await conn.post(inbound(external, "hello", unique("m"), { contact: { id: external, ...p } }));
    expect(r.status).toBe(200);
    const [row] = await t.db.query<{ contact_id: string }>(
      "select contact_id from contact_identities where connection_id = $1 and external_id = $2",
      [conn.id, external],
    );
    ids.push(row!.contact_id);
    // Distinct creation times, so "newest first" is well defined.
    await new Promise((resolve) => setTimeout(resolve, 3));
  }
  return { conn, ids };
}

const search = async (c: Client, q: string) => {
  const r = await c.get(`/api/contacts?q=${encodeURIComponent(q)}`);
  expect(r.status).toBe(200);
  return r.body.contacts.map((x: { id: string }) => x.id) as string[];
};

describe("contact search", () => {
  it("finds contacts by substring of name, email or phone, and lists the newest without a query", async () => {
    const { owner } = await newWorkspace(t);
    const {
      ids: [olena, john, maria],
    } = await seedContacts(owner, [
      { name: "Olena Petrenko", email: "olena.p@example.com", phone: "+380671234567" },
      { name: "John Smith", email: "jsmith@corp.example", phone: "+15551230000" },
      { name: "Maria Garcia", email: "maria@example.org", phone: "+34911222333" },
    ]);
    expect(await search(owner, "petren")).toEqual([olena]);
    expect(await search(owner, "SMITH")).toEqual([john]);
    // Substring matches come before fuzzy ones (other addresses at an "example" domain).
    expect((await search(owner, "corp.example"))[0]).toBe(john);
    expect(await search(owner, "671234")).toEqual([olena]);
    expect(await search(owner, "+3491")).toEqual([maria]);
    // LIKE wildcards in the query are literal characters.
    expect(await search(owner, "%")).toEqual([]);
    expect(await search(owner, "_")).toEqual([]);
    expect(await search(owner, "zzzzqqq")).toEqual([]);

    const all = await owner.get("/api/contacts");
    expect(all.body.contacts.map((c: { id: string }) => c.id)).toEqual([maria, john, olena]);
    const limited = await owner.get("/api/contacts?limit=2");
    expect(limited.body.contacts).toHaveLength(2);
    expect((await owner.get("/api/contacts?limit=0")).status).toBe(400);
  });

  it("tolerates typos (trigram similarity) even for contacts with an email and a phone", async () => {
    const { owner } = await newWorkspace(t);
    const {
      ids: [jonathan, olena, maria],
    } = await seedContacts(owner, [
      { name: "Jonathan Smith", email: "jon@example.com", phone: "+15551234567" },
      { name: "Олена Петренко", email: "olena@example.com", phone: "+380671234567" },
      { name: "Maria Garcia", email: "maria@example.org", phone: "+34911222333" },
    ]);
    expect(await search(owner, "jonathon")).toEqual([jonathan]);
    expect(await search(owner, "Mariah")).toEqual([maria]);
    expect(await search(owner, "Петренка")).toEqual([olena]);
  });

  it("finds Cyrillic names case-insensitively", async () => {
    const { owner } = await newWorkspace(t);
    const {
      ids: [olena, oleh],
    } = await seedContacts(owner, [{ name: "Олена Шевченко" }, { name: "Олег Коваль" }, { name: "Ivan" }]);
    expect(await search(owner, "шевченко")).toEqual([olena]);
    expect(await search(owner, "ШЕВЧ")).toEqual([olena]);
    expect((await search(owner, "оле")).sort()).toEqual([olena, oleh].sort());
    expect(await search(owner, "коваль")).toEqual([oleh]);
  });

  it("never finds another workspace's contacts", async () => {
    const { owner } = await newWorkspace(t);
    const { owner: other } = await newWorkspace(t);
    const name = unique("Zebedee");
    const {
      ids: [mine],
    } = await seedContacts(owner, [{ name }]);
    expect(await search(owner, name)).toEqual([mine]);
    expect(await search(other, name)).toEqual([]);
    expect((await other.get(`/api/contacts/${mine}`)).status).toBe(404);
  });
});

describe("one contact", () => {
  it("gets and patches a contact; the search follows the change", async () => {
    const { owner } = await newWorkspace(t);
    const agent = await addUser(t, owner, "agent");
    const {
      ids: [id],
    } = await seedContacts(owner, [{ name: "Old Name", email: "old@example.com" }]);
    const got = await agent.client.get(`/api/contacts/${id}`);
    expect(got.status).toBe(200);
    expect(got.body.contact).toMatchObject({
      id,
      name: "Old Name",
      email: "old@example.com",
      phone: null,
      company: null,
      blocked: false,
      tags: [],
    });

    const patched = await agent.client.patch(`/api/contacts/${id}`, {
      name: "  New Name  ",
      company: "Acme",
      phone: "+44 20 7946 0000",
      email: null,
    });
    expect(patched.status).toBe(200);
    expect(patched.body.contact).toMatchObject({
      name: "New Name",
      company: "Acme",
      phone: "+44 20 7946 0000",
      email: null,
    });
    expect((await owner.get(`/api/contacts/${id}`)).body.contact).toMatchObject({
      name: "New Name",
      email: null,
    });
    expect(await search(owner, "new name")).toEqual([id]);
    expect(await search(owner, "old@example")).toEqual([]);
    // An empty patch changes nothing.
    const empty = await owner.patch(`/api/contacts/${id}`, {});
    expect(empty.status).toBe(200);
    expect(empty.body.contact.name).toBe("New Name");

    const bad = await owner.patch(`/api/contacts/${id}`, { email: "not an email" });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("validation_failed");
    expect((await owner.get(`/api/contacts/${id}`)).body.contact.email).toBeNull();

    const missing = "00000000-0000-4000-8000-000000000000";
    expect((await owner.get(`/api/contacts/${missing}`)).status).toBe(404);
    expect((await owner.patch(`/api/contacts/${missing}`, { name: "x" })).status).toBe(404);
    expect((await owner.get("/api/contacts/not-a-uuid")).status).toBe(400);
  });
});

describe("blocking", () => {
  it("lets a supervisor and the handling agent block; other agents get 403; unknown contacts 404", async () => {
    const { owner } = await newWorkspace(t);
    const handling = await addUser(t, owner, "agent");
    const bystander = await addUser(t, owner, "agent");
    const supervisor = await addUser(t, owner, "supervisor");
    const conn = await apiConnection(t, owner);
    const external = unique("ext");
    await conn.post(inbound(external, "hi"));
    const [conv] = (await owner.get("/api/conversations")).body.conversations;
    const contactId = conv.contact.id as string;
    expect(
      (await owner.post(`/api/conversations/${conv.id}/assign`, { assigneeId: handling.id })).status,
    ).toBe(200);

    const refused = await bystander.client.post(`/api/contacts/${contactId}/block`);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe("forbidden");
    expect((await owner.get(`/api/contacts/${contactId}`)).body.contact.blocked).toBe(false);

    const blocked = await handling.client.post(`/api/contacts/${contactId}/block`);
    expect(blocked.status).toBe(200);
    expect(blocked.body.contact.blocked).toBe(true);
    expect((await bystander.client.post(`/api/contacts/${contactId}/unblock`)).status).toBe(403);
    const unblocked = await supervisor.client.post(`/api/contacts/${contactId}/unblock`);
    expect(unblocked.status).toBe(200);
    expect(unblocked.body.contact.blocked).toBe(false);

    const audit = await t.db.query<{ action: string }>(
      "select action from audit_log where target_id = $1 order by id",
      [contactId],
    );
    expect(audit.map((a) => a.action)).toEqual(["contact.blocked", "contact.unblocked"]);

    const missing = "00000000-0000-4000-8000-000000000000";
    expect((await bystander.client.post(`/api/contacts/${missing}/block`)).status).toBe(404);
    expect((await owner.post(`/api/contacts/${missing}/block`)).status).toBe(404);
  });

  it("drops a blocked contact's inbound messages and refuses replies with 422 contact_blocked", async () => {
    const { owner } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    const external = unique("ext");
    await conn.post(inbound(external, "before"));
    const [conv] = (await owner.get("/api/conversations")).body.conversations;
    const contactId = conv.contact.id as string;
    expect((await owner.post(`/api/contacts/${contactId}/block`)).status).toBe(200);
    expect((await owner.get(`/api/conversations/${conv.id}`)).body.conversation.contact.blocked).toBe(true);

    const r = await conn.post(inbound(external, "while blocked"));
    expect(r.status).toBe(200);
    expect(r.body.results[0]).toMatchObject({ kind: "message", status: "contact_blocked", messageId: null });
    const texts = await t.db.query<{ text: string }>("select text from messages where conversation_id = $1", [
      conv.id,
    ]);
    expect(texts.map((m) => m.text)).toEqual(["before"]);

    const reply = await owner.post(`/api/conversations/${conv.id}/messages`, { text: "hello?" });
    expect(reply.status).toBe(422);
    expect(reply.body.error.code).toBe("contact_blocked");
    const outbound = await t.db.query(
      "select 1 from messages where conversation_id = $1 and direction = 'outbound'",
      [conv.id],
    );
    expect(outbound).toHaveLength(0);
    // Internal notes are still allowed.
    expect((await owner.post(`/api/conversations/${conv.id}/notes`, { text: "spam" })).status).toBe(201);

    expect((await owner.post(`/api/contacts/${contactId}/unblock`)).status).toBe(200);
    expect((await conn.post(inbound(external, "after"))).body.results[0].status).toBe("created");
    expect(
      (await owner.post(`/api/conversations/${conv.id}/messages`, { text: "welcome back" })).status,
    ).toBe(201);
  });
});

describe("contact tags", () => {
  it("tags a contact, pins tags first, updates pinning, and removes tags", async () => {
    const { owner, workspaceId } = await newWorkspace(t);
    const agent = await addUser(t, owner, "agent");
    const {
      ids: [id],
    } = await seedContacts(owner, [{ name: "Tagged" }]);
    const vip = (await owner.post("/api/tags", { name: "vip", color: "#ff0000" })).body.tag;
    const angry = (await owner.post("/api/tags", { name: "angry" })).body.tag;
    expect(angry.color).toBe("#868e96");

    const t1 = await agent.client.put(`/api/contacts/${id}/tags/${vip.id}`);
    expect(t1.status).toBe(200);
    expect(t1.body.contact.tags).toEqual([{ id: vip.id, name: "vip", color: "#ff0000", pinned: false }]);
    const t2 = await agent.client.put(`/api/contacts/${id}/tags/${angry.id}`, { pinned: false });
    expect(t2.body.contact.tags.map((x: { name: string }) => x.name)).toEqual(["angry", "vip"]);
    const pinned = await agent.client.put(`/api/contacts/${id}/tags/${vip.id}`, { pinned: true });
    expect(pinned.status).toBe(200);
    expect(pinned.body.contact.tags).toEqual([
      { id: vip.id, name: "vip", color: "#ff0000", pinned: true },
      { id: angry.id, name: "angry", color: "#868e96", pinned: false },
    ]);
    expect((await owner.get(`/api/contacts/${id}`)).body.contact.tags[0]).toMatchObject({
      name: "vip",
      pinned: true,
    });
    const unpin = await agent.client.put(`/api/contacts/${id}/tags/${vip.id}`, { pinned: false });
    expect(unpin.body.contact.tags.map((x: { pinned: boolean }) => x.pinned)).toEqual([false, false]);
    expect(
      (await owner.get("/api/tags")).body.tags.map((x: { contactCount: number }) => x.contactCount),
    ).toEqual([1, 1]);

    // A tag of another workspace cannot be attached.
    const { owner: other } = await newWorkspace(t);
    const foreign = (await other.post("/api/tags", { name: "foreign" })).body.tag;
    const wrong = await owner.put(`/api/contacts/${id}/tags/${foreign.id}`);
    expect(wrong.status).toBe(404);
    expect(await t.db.query("select 1 from contact_tags where tag_id = $1", [foreign.id])).toHaveLength(0);

    expect((await agent.client.delete(`/api/contacts/${id}/tags/${angry.id}`)).status).toBe(204);
    expect((await agent.client.delete(`/api/contacts/${id}/tags/${angry.id}`)).status).toBe(404);
    expect(
      (await owner.get(`/api/contacts/${id}`)).body.contact.tags.map((x: { id: string }) => x.id),
    ).toEqual([vip.id]);
    // Deleting a tag removes it from every contact.
    expect((await owner.delete(`/api/tags/${vip.id}`)).status).toBe(204);
    expect((await owner.get(`/api/contacts/${id}`)).body.contact.tags).toEqual([]);
    const left = await t.db.query("select 1 from contact_tags where workspace_id = $1", [workspaceId]);
    expect(left).toHaveLength(0);
  });
});

describe("tags", () => {
  it("creates, lists, renames, recolours and deletes tags; supervisors may, agents may not", async () => {
    const { owner, workspaceId } = await newWorkspace(t);
    const agent = await addUser(t, owner, "agent");
    const supervisor = await addUser(t, owner, "supervisor");

    const refused = await agent.client.post("/api/tags", { name: "mine" });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe("forbidden");

    const created = await supervisor.client.post("/api/tags", { name: "  Billing ", color: "#1c7ed6" });
    expect(created.status).toBe(201);
    expect(created.body.tag).toMatchObject({ name: "Billing", color: "#1c7ed6", contactCount: 0 });
    const tag = created.body.tag;
    const dupe = await owner.post("/api/tags", { name: "billing" });
    expect(dupe.status).toBe(409);
    expect(dupe.body.error.code).toBe("conflict");
    for (const color of ["red", "#12345", "#1234567", "#gggggg"]) {
      const bad = await owner.post("/api/tags", { name: unique("c"), color });
      expect(bad.status, color).toBe(400);
      expect(bad.body.error.code).toBe("validation_failed");
    }
    expect((await owner.post("/api/tags", { name: "" })).status).toBe(400);
    await owner.post("/api/tags", { name: "Another" });

    expect((await agent.client.get("/api/tags")).body.tags.map((x: { name: string }) => x.name)).toEqual([
      "Another",
      "Billing",
    ]);

    expect((await agent.client.patch(`/api/tags/${tag.id}`, { name: "x" })).status).toBe(403);
    const renamed = await supervisor.client.patch(`/api/tags/${tag.id}`, { name: "Invoices" });
    expect(renamed.status).toBe(200);
    expect(renamed.body.tag).toMatchObject({ id: tag.id, name: "Invoices", color: "#1c7ed6" });
    const recoloured = await owner.patch(`/api/tags/${tag.id}`, { color: "#00AA00" });
    expect(recoloured.body.tag).toMatchObject({ name: "Invoices", color: "#00AA00" });
    expect((await owner.patch(`/api/tags/${tag.id}`, { color: "green" })).status).toBe(400);
    const clash = await owner.patch(`/api/tags/${tag.id}`, { name: "ANOTHER" });
    expect(clash.status).toBe(409);
    const [stored] = await t.db.query<{ name: string; color: string }>(
      "select name, color from tags where id = $1",
      [tag.id],
    );
    expect(stored).toEqual({ name: "Invoices", color: "#00AA00" });

    expect((await agent.client.delete(`/api/tags/${tag.id}`)).status).toBe(403);
    expect((await supervisor.client.delete(`/api/tags/${tag.id}`)).status).toBe(204);
    expect((await owner.delete(`/api/tags/${tag.id}`)).status).toBe(404);
    expect((await owner.patch(`/api/tags/${tag.id}`, { name: "gone" })).status).toBe(404);
    const names = await t.db.query<{ name: string }>("select name from tags where workspace_id = $1", [
      workspaceId,
    ]);
    expect(names.map((n) => n.name)).toEqual(["Another"]);
  });

  it("orders tags by how many contacts have them", async () => {
    const { owner } = await newWorkspace(t);
    const { ids } = await seedContacts(owner, [{ name: "a" }, { name: "b" }]);
    const rare = (await owner.post("/api/tags", { name: "aaa-rare" })).body.tag;
    const common = (await owner.post("/api/tags", { name: "zzz-common" })).body.tag;
    for (const id of ids) await owner.put(`/api/contacts/${id}/tags/${common.id}`);
    await owner.put(`/api/contacts/${ids[0]}/tags/${rare.id}`);
    const list = (await owner.get("/api/tags")).body.tags;
    expect(list.map((x: { name: string; contactCount: number }) => [x.name, x.contactCount])).toEqual([
      ["zzz-common", 2],
      ["aaa-rare", 1],
    ]);
  });
});

describe("canned replies", () => {
  it("creates, searches, edits and deletes canned replies with unique shortcuts", async () => {
    const { owner } = await newWorkspace(t);
    const agent = await addUser(t, owner, "agent");
    const created = await agent.client.post("/api/canned-replies", {
      shortcut: "hello",
      title: "Greeting",
      text: "Hello! How can I help?",
    });
    expect(created.status).toBe(201);
    expect(created.body.cannedReply).toMatchObject({
      shortcut: "hello",
      title: "Greeting",
      text: "Hello! How can I help?",
    });
    const hello = created.body.cannedReply;
    const refund = (
      await owner.post("/api/canned-replies", {
        shortcut: "refund",
        title: "Refunds",
        text: "We refund 50% within 14 days.",
      })
    ).body.cannedReply;
    const ukr = (
      await owner.post("/api/canned-replies", { shortcut: "привіт", title: "Вітання", text: "Доброго дня!" })
    ).body.cannedReply;
    expect(ukr.shortcut).toBe("привіт");

    const dupe = await owner.post("/api/canned-replies", { shortcut: "HELLO", title: "x", text: "y" });
    expect(dupe.status).toBe(409);
    expect(dupe.body.error.code).toBe("conflict");
    expect(
      (await owner.post("/api/canned-replies", { shortcut: "two words", title: "x", text: "y" })).status,
    ).toBe(400);
    expect(
      (await owner.post("/api/canned-replies", { shortcut: "ok", title: "x", text: "   " })).status,
    ).toBe(400);

    const ids = async (q?: string) => {
      const r = await agent.client.get(
        `/api/canned-replies${q === undefined ? "" : `?q=${encodeURIComponent(q)}`}`,
      );
      expect(r.status).toBe(200);
      return r.body.cannedReplies.map((c: { id: string }) => c.id) as string[];
    };
    expect(await ids()).toEqual([hello.id, refund.id, ukr.id]);
    expect(await ids("HEL")).toEqual([hello.id]); // shortcut
    expect(await ids("refunds")).toEqual([refund.id]); // title
    expect(await ids("help")).toEqual([hello.id]); // text
    expect(await ids("50%")).toEqual([refund.id]);
    expect(await ids("%")).toEqual([refund.id]); // a literal percent sign, not a wildcard
    expect(await ids("доброго")).toEqual([ukr.id]);
    expect(await ids("nothing like this")).toEqual([]);

    const edited = await agent.client.patch(`/api/canned-replies/${hello.id}`, { text: "Hi there!" });
    expect(edited.status).toBe(200);
    expect(edited.body.cannedReply).toMatchObject({
      shortcut: "hello",
      title: "Greeting",
      text: "Hi there!",
    });
    const clash = await agent.client.patch(`/api/canned-replies/${hello.id}`, { shortcut: "Refund" });
    expect(clash.status).toBe(409);
    expect((await owner.get("/api/canned-replies?q=hello")).body.cannedReplies[0].text).toBe("Hi there!");

    expect((await agent.client.delete(`/api/canned-replies/${hello.id}`)).status).toBe(204);
    expect((await agent.client.delete(`/api/canned-replies/${hello.id}`)).status).toBe(404);
    expect((await agent.client.patch(`/api/canned-replies/${hello.id}`, { text: "x" })).status).toBe(404);
    expect(await ids()).toEqual([refund.id, ukr.id]);
  });

  it("lets only the author or a supervisor edit or delete a canned reply", async () => {
    const { owner } = await newWorkspace(t);
    const author = await addUser(t, owner, "agent");
    const colleague = await addUser(t, owner, "agent");
    const supervisor = await addUser(t, owner, "supervisor");
    const mine = (
      await author.client.post("/api/canned-replies", { shortcut: "mine", title: "Mine", text: "text" })
    ).body.cannedReply;

    const edit = await colleague.client.patch(`/api/canned-replies/${mine.id}`, { text: "hijacked" });
    expect(edit.status).toBe(403);
    expect(edit.body.error.code).toBe("forbidden");
    expect((await colleague.client.delete(`/api/canned-replies/${mine.id}`)).status).toBe(403);
    const [row] = await t.db.query<{ text: string }>("select text from canned_replies where id = $1", [
      mine.id,
    ]);
    expect(row!.text).toBe("text");

    expect(
      (await author.client.patch(`/api/canned-replies/${mine.id}`, { title: "Still mine" })).status,
    ).toBe(200);
    const bySupervisor = await supervisor.client.patch(`/api/canned-replies/${mine.id}`, { text: "fixed" });
    expect(bySupervisor.status).toBe(200);
    expect(bySupervisor.body.cannedReply).toMatchObject({ title: "Still mine", text: "fixed" });
    // Everyone in the workspace can use (list) it.
    expect((await colleague.client.get("/api/canned-replies")).body.cannedReplies).toHaveLength(1);

    // A supervisor's reply is theirs too; agents cannot change it.
    const team = (
      await supervisor.client.post("/api/canned-replies", { shortcut: "team", title: "T", text: "t" })
    ).body.cannedReply;
    expect((await author.client.delete(`/api/canned-replies/${team.id}`)).status).toBe(403);
    expect((await supervisor.client.delete(`/api/canned-replies/${mine.id}`)).status).toBe(204);
    expect((await owner.delete(`/api/canned-replies/${team.id}`)).status).toBe(204);
    expect((await owner.get("/api/canned-replies")).body.cannedReplies).toEqual([]);
  });
});
