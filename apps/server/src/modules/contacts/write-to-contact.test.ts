import { describe, expect, it } from "vitest";
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
import { createTokenAs, withToken } from "../api-tokens/test-helpers";

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

/** The conversation as stored, with its messages (what a refused write must leave as it was). */
async function stored(owner: Client, id: string) {
  const { conversation } = (await owner.get(`/api/conversations/${id}`)).body;
  const [row] = await t.db.query<{ messages: number }>(
    "select count(*)::int as messages from messages where conversation_id = $1",
    [id],
  );
  return {
    status: conversation.status,
    assigneeId: conversation.assigneeId,
    teamId: conversation.teamId,
    closedAt: conversation.closedAt,
    messages: row!.messages,
  };
}

describe("writing to a past contact (R501)", () => {
  it("finds the contact, reopens the closed conversation and assigns it to the agent who wrote", async () => {
    const { owner, first, second, name, conv } = await pastContact();
    await first.client.post(`/api/conversations/${conv.id}/status`, { status: "closed" });
    const socket = await SocketClient.open(`${t.wsUrl}/api/realtime`, owner.cookie!);
    // The second agent cannot see the closed conversation, but finds the contact.
    expect((await second.client.get(`/api/conversations/${conv.id}`)).status).toBe(404);
    const found = await second.client.get(`/api/contacts?q=${encodeURIComponent(name.slice(0, 8))}`);
    const contact = found.body.contacts.find((c: { name: string }) => c.name === name);
    expect(contact).toBeDefined();
    const earlier = socket.events().length;
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
    // Open lists hear of each change once, in the order it was made (each with its line in the feed), the
    // message last; its delivery updates may follow.
    await socket.waitForEvent(
      "message.created",
      (e) => e.message.kind === "message" && e.conversationId === conv.id,
    );
    const heard = socket
      .events()
      .slice(earlier)
      .filter((e) => e.conversationId === conv.id && e.type !== "message.updated");
    socket.close();
    expect(
      heard.map((e) =>
        e.type === "message.created" ? `line: ${e.message.event?.kind ?? e.message.text}` : e.type,
      ),
    ).toEqual([
      "line: reopened",
      "conversation.status_changed",
      "line: assigned",
      "conversation.assigned",
      "line: Добрый день, пишу по вашему заказу",
    ]);
    expect(heard[3].conversation).toMatchObject({ status: "open", assigneeId: second.id });
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

  it("refuses an empty message before anything changes: the closed conversation stays closed and its agent's", async () => {
    const { owner, first, second, conv } = await pastContact();
    await first.client.post(`/api/conversations/${conv.id}/status`, { status: "closed" });
    const before = await stored(owner, conv.id);
    const r = await second.client.post(`/api/contacts/${conv.contact.id}/messages`, {});
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/Write a message or attach a file/);
    expect(await stored(owner, conv.id)).toEqual(before);
    expect(before).toMatchObject({ status: "closed", assigneeId: first.id });
  });

  it("takes nothing when the message is refused while sending (a blocked contact): one transaction", async () => {
    const { owner, first, second, conv } = await pastContact();
    await first.client.post(`/api/conversations/${conv.id}/status`, { status: "closed" });
    expect((await owner.post(`/api/contacts/${conv.contact.id}/block`)).status).toBe(200);
    const before = await stored(owner, conv.id);
    const r = await second.client.post(`/api/contacts/${conv.contact.id}/messages`, { text: "hello again" });
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.body.error.code).toBe("contact_blocked");
    expect(await stored(owner, conv.id)).toEqual(before);
  });

  it("leaves another team's conversation to that team (403) and changes nothing; a member of the team may write", async () => {
    const { owner, first, second, conv } = await pastContact();
    const team = (await owner.post("/api/teams", { name: unique("billing") })).body.team.id as string;
    await owner.post(`/api/conversations/${conv.id}/assign`, { assigneeId: first.id, teamId: team });
    await first.client.post(`/api/conversations/${conv.id}/status`, { status: "closed" });
    const before = await stored(owner, conv.id);
    const r = await second.client.post(`/api/contacts/${conv.contact.id}/messages`, { text: "mine now?" });
    expect(r.status).toBe(403);
    expect(r.body.error.message).toMatch(/another team/);
    expect(await stored(owner, conv.id)).toEqual(before);
    expect((await second.client.get(`/api/conversations/${conv.id}`)).status).toBe(404);
    // Back in the team's queue, open: still not theirs to take.
    await owner.post(`/api/conversations/${conv.id}/assign`, { assigneeId: null });
    await owner.post(`/api/conversations/${conv.id}/status`, { status: "open" });
    const queued = await stored(owner, conv.id);
    const again = await second.client.post(`/api/contacts/${conv.contact.id}/messages`, {
      text: "mine now?",
    });
    expect(again.status).toBe(403);
    expect(await stored(owner, conv.id)).toEqual(queued);
    // A member of the team takes it.
    await owner.put(`/api/teams/${team}/members/${second.id}`);
    const member = await second.client.post(`/api/contacts/${conv.contact.id}/messages`, { text: "on it" });
    expect(member.status).toBe(201);
    expect((await stored(owner, conv.id)).assigneeId).toBe(second.id);
  });

  it("lets an operator of another team's closed conversation write without taking it: it reopens, still its agent's", async () => {
    const { owner, first, second, conv } = await pastContact();
    const team = (await owner.post("/api/teams", { name: unique("billing") })).body.team.id as string;
    await owner.post(`/api/conversations/${conv.id}/assign`, { assigneeId: first.id, teamId: team });
    expect((await owner.post(`/api/conversations/${conv.id}/operators`, { userId: second.id })).status).toBe(
      200,
    );
    await first.client.post(`/api/conversations/${conv.id}/status`, { status: "closed" });
    const feed = async () =>
      (await second.client.get(`/api/conversations/${conv.id}/messages`)).body.messages;
    const earlier = (await feed()).length;
    const r = await second.client.post(`/api/contacts/${conv.contact.id}/messages`, {
      text: "as an operator",
    });
    expect(r.status).toBe(201);
    expect(r.body.conversationId).toBe(conv.id);
    expect(await stored(owner, conv.id)).toMatchObject({
      status: "open",
      assigneeId: first.id,
      teamId: team,
    });
    // What the write added to the feed: the reopening and the message, no assignment.
    const added = (await feed()).slice(earlier);
    expect(
      added.map((m: { kind: string; event: { kind: string } | null; text: string | null }) =>
        m.kind === "event" ? m.event!.kind : m.text,
      ),
    ).toEqual(["reopened", "as an operator"]);
  });

  it("refuses an API token without the reply permission (403 naming it) and changes nothing", async () => {
    const { owner, first, conv } = await pastContact();
    await first.client.post(`/api/conversations/${conv.id}/status`, { status: "closed" });
    const before = await stored(owner, conv.id);
    const { secret } = await createTokenAs(owner, ["reports.view"]);
    const r = await withToken(t.url, secret, "POST", `/api/contacts/${conv.contact.id}/messages`, {
      text: "from a script",
    });
    expect(r.status).toBe(403);
    expect(r.body.error.message).toMatch(/conversations\.reply/);
    expect(await stored(owner, conv.id)).toEqual(before);
    const { secret: replying } = await createTokenAs(owner, ["conversations.reply"]);
    const ok = await withToken(t.url, replying, "POST", `/api/contacts/${conv.contact.id}/messages`, {
      text: "from a script",
    });
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    expect(await stored(owner, conv.id)).toMatchObject({ status: "open", assigneeId: owner.user!.id });
  });
});
