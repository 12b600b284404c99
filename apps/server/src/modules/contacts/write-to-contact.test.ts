import { describe, expect, it } from "vitest";
import { addUser, apiConnection, inbound, newWorkspace, unique } from "../../testing/harness";
import { useTestServer } from "../../testing/use-test-server";

const t = useTestServer();

async function pastContact() {
  const { owner } = await newWorkspace(t);
  const conn = await apiConnection(t, owner);
  const first = await addUser(t, owner, "agent");
  const second = await addUser(t, owner, "agent");
  const name = unique("Марина");
  await conn.post(
    inbound(unique("c"), "hello", unique("m"), {
      contact: { id: unique("x"), name, email: `${unique("m")}@example.com` },
    }),
  );
  const [conv] = (await owner.get("/api/conversations")).body.conversations;
  await owner.post(`/api/conversations/${conv.id}/assign`, { assigneeId: first.id });
  return { owner, conn, first, second, name, conv };
}

describe("writing to a past contact (R501)", () => {
  it("finds the contact, reopens the closed conversation and assigns it to the agent who wrote", async () => {
    const { first, second, name, conv } = await pastContact();
    await first.client.post(`/api/conversations/${conv.id}/status`, { status: "closed" });
    // The second agent cannot see the closed conversation, but finds the contact.
    expect((await second.client.get(`/api/conversations/${conv.id}`)).status).toBe(404);
    const found = await second.client.get(`/api/contacts?q=${encodeURIComponent(name.slice(0, 8))}`);
    const contact = found.body.contacts.find((c: { name: string }) => c.name === name);
    expect(contact).toBeDefined();
    const r = await second.client.post(`/api/contacts/${contact.id}/messages`, {
      text: "Добрый день, пишу по вашему заказу",
    });
    expect(r.status).toBe(201);
    expect(r.body.conversationId).toBe(conv.id);
    expect(r.body.message.delivery.state).toBe("queued");
    const now = await second.client.get(`/api/conversations/${conv.id}`);
    expect(now.body.conversation).toMatchObject({ status: "open", assigneeId: second.id, closedAt: null });
    const feed = (await second.client.get(`/api/conversations/${conv.id}/messages`)).body.messages;
    const events = feed
      .filter((m: { kind: string }) => m.kind === "event")
      .map((m: { event: { kind: string } }) => m.event.kind);
    expect(events.slice(-2)).toEqual(["reopened", "assigned"]);
    expect(feed.at(-1).text).toBe("Добрый день, пишу по вашему заказу");
    // The previous agent no longer has it.
    expect((await first.client.get(`/api/conversations/${conv.id}`)).status).toBe(404);
  });

  it("does not take over a conversation another agent is handling (409), but a supervisor may write", async () => {
    const { owner, second, conv, first } = await pastContact();
    const r = await second.client.post(`/api/contacts/${conv.contact.id}/messages`, { text: "mine now?" });
    expect(r.status).toBe(409);
    expect(r.body.error.message).toMatch(/handling this conversation/);
    const sup = await addUser(t, owner, "supervisor");
    const s = await sup.client.post(`/api/contacts/${conv.contact.id}/messages`, { text: "supervisor here" });
    expect(s.status).toBe(201);
    expect((await owner.get(`/api/conversations/${conv.id}`)).body.conversation.assigneeId).toBe(first.id);
  });

  it("is 404 for another workspace's contact and 422 for a contact without a conversation", async () => {
    const { second } = await pastContact();
    const other = await pastContact();
    expect(
      (await second.client.post(`/api/contacts/${other.conv.contact.id}/messages`, { text: "x" })).status,
    ).toBe(404);
    const [lonely] = await t.server.ctx.db.query<{ id: string }>(
      "insert into contacts (workspace_id, name) values ($1, 'Lonely') returning id",
      [second.client.workspaceId],
    );
    const r = await second.client.post(`/api/contacts/${lonely!.id}/messages`, { text: "x" });
    expect(r.status).toBe(422);
    expect(r.body.error.message).toMatch(/write to you first/);
  });
});
