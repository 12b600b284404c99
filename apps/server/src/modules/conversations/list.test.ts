import { describe, expect, it } from "vitest";
import { addUser, apiConnection, type Client, inbound, newWorkspace, unique } from "../../testing/harness";
import { useTestServer } from "../../testing/use-test-server";

const t = useTestServer();

type Conn = Awaited<ReturnType<typeof apiConnection>>;
interface ListedConversation {
  id: string;
  status: string;
  lastActivityAt: string;
  assigneeId: string | null;
  unreadCount?: number;
  draft?: string | null;
  contact: { id: string };
  permissions?: Record<string, boolean>;
}

/** Posts an inbound message from a new (or the given) contact and returns its conversation id. */
async function converse(conn: Conn, contact = unique("c"), text = "hello") {
  const r = await conn.post(inbound(contact, text));
  expect(r.status).toBe(200);
  expect(r.body.results[0].status).toBe("created");
  return r.body.results[0].conversationId as string;
}

async function list(client: Client, query = "") {
  const r = await client.get<{ conversations: ListedConversation[]; nextCursor: string | null }>(
    `/api/conversations${query ? `?${query}` : ""}`,
  );
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}

/** The ids the caller sees with a query, sorted (order-independent set comparison). */
async function ids(client: Client, query = "") {
  return (await list(client, query)).conversations.map((c) => c.id).sort();
}

const sorted = (...xs: string[]) => [...xs].sort();
/** Activity times have millisecond precision: a pause keeps consecutive writes from sharing one. */
const tick = () => new Promise((r) => setTimeout(r, 5));

async function assign(client: Client, id: string, assigneeId: string | null, teamId?: string | null) {
  const r = await client.post(`/api/conversations/${id}/assign`, {
    assigneeId,
    ...(teamId !== undefined ? { teamId } : {}),
  });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.conversation;
}

async function unreadCount(client: Client) {
  const r = await client.get<{ count: number }>("/api/conversations/unread-count");
  expect(r.status).toBe(200);
  return r.body.count;
}

describe("inbox list: keyset pagination", () => {
  it("pages through 25 conversations with no duplicates and no gaps, newest activity first", async () => {
    const { owner } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    const created: string[] = [];
    for (let i = 0; i < 15; i++) created.push(await converse(conn));
    await tick();
    // Ten more in one webhook: one transaction, so they share the same activity time and only the id breaks ties.
    const batch = await conn.post({
      events: Array.from({ length: 10 }, (_, i) => inbound(unique("c"), `batch ${i}`)),
    });
    expect(batch.status).toBe(200);
    for (const r of batch.body.results) created.push(r.conversationId);
    expect(new Set(created).size).toBe(25);

    const pages: ListedConversation[][] = [];
    let cursor: string | null = null;
    do {
      const page = await list(owner, `limit=10${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
      pages.push(page.conversations);
      cursor = page.nextCursor;
      expect(pages.length).toBeLessThanOrEqual(3);
    } while (cursor);
    expect(pages.map((p) => p.length)).toEqual([10, 10, 5]);

    const seen = pages.flat();
    const seenIds = seen.map((c) => c.id);
    expect(new Set(seenIds).size).toBe(25);
    expect(sorted(...seenIds)).toEqual(sorted(...created));

    // Ordered by (last activity desc, id desc) across page boundaries.
    for (let i = 1; i < seen.length; i++) {
      const prev = seen[i - 1]!;
      const cur = seen[i]!;
      const prevAt = Date.parse(prev.lastActivityAt);
      const curAt = Date.parse(cur.lastActivityAt);
      expect(prevAt).toBeGreaterThanOrEqual(curAt);
      if (prevAt === curAt) expect(prev.id > cur.id).toBe(true);
    }
    // The batch shares one activity time and is the newest: it fills the first page, in id order.
    expect(new Set(pages[0]!.map((c) => c.lastActivityAt)).size).toBe(1);
    expect(sorted(...pages[0]!.map((c) => c.id))).toEqual(sorted(...created.slice(15)));

    // One big page gives the same order.
    const all = await list(owner, "limit=50");
    expect(all.conversations.map((c) => c.id)).toEqual(seenIds);
    expect(all.nextCursor).toBeNull();
  });

  it("moves a conversation with new activity to the top", async () => {
    const { owner } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    const oldContact = unique("c");
    const first = await converse(conn, oldContact);
    await tick();
    const second = await converse(conn);
    expect((await list(owner)).conversations.map((c) => c.id)).toEqual([second, first]);
    await tick();
    await conn.post(inbound(oldContact, "again"));
    expect((await list(owner)).conversations.map((c) => c.id)).toEqual([first, second]);
  });

  it("refuses a cursor that is not one it issued", async () => {
    const { owner } = await newWorkspace(t);
    const garbage = await owner.get("/api/conversations?cursor=not-a-cursor");
    expect(garbage.status).toBe(400);
    expect(garbage.body.error.code).toBe("validation_failed");
    expect(garbage.body.error.message).toMatch(/cursor/i);
    const badId = Buffer.from(JSON.stringify([new Date().toISOString(), "nope"])).toString("base64url");
    const r2 = await owner.get(`/api/conversations?cursor=${badId}`);
    expect(r2.status).toBe(400);
    expect(r2.body.error.code).toBe("validation_failed");
    const badDate = Buffer.from(
      JSON.stringify(["yesterday", "00000000-0000-4000-8000-000000000000"]),
    ).toString("base64url");
    const r3 = await owner.get(`/api/conversations?cursor=${badDate}`);
    expect(r3.status).toBe(400);
    expect(r3.body.error.code).toBe("validation_failed");
  });
});

describe("inbox list: filters", () => {
  it("filters by one status or several (comma list or repeated)", async () => {
    const { owner } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    const open = await converse(conn);
    const inProgress = await converse(conn);
    const closed = await converse(conn);
    expect(
      (await owner.post(`/api/conversations/${inProgress}/status`, { status: "in_progress" })).status,
    ).toBe(200);
    expect((await owner.post(`/api/conversations/${closed}/status`, { status: "closed" })).status).toBe(200);

    expect(await ids(owner)).toEqual(sorted(open, inProgress, closed));
    expect(await ids(owner, "status=open")).toEqual([open]);
    expect(await ids(owner, "status=in_progress")).toEqual([inProgress]);
    expect(await ids(owner, "status=closed")).toEqual([closed]);
    expect(await ids(owner, "status=open,in_progress")).toEqual(sorted(open, inProgress));
    expect(await ids(owner, "status=in_progress,closed")).toEqual(sorted(inProgress, closed));
    expect(await ids(owner, "status=open&status=closed")).toEqual(sorted(open, closed));
    expect(await ids(owner, "status=open,in_progress,closed")).toEqual(sorted(open, inProgress, closed));
    const listed = await list(owner, "status=closed");
    expect(listed.conversations[0]!.status).toBe("closed");
  });

  it("filters by assignee, unassigned and mine", async () => {
    const { owner } = await newWorkspace(t);
    const x = await addUser(t, owner, "agent");
    const y = await addUser(t, owner, "agent");
    const conn = await apiConnection(t, owner);
    const toX = await converse(conn);
    const toY = await converse(conn);
    const queued = await converse(conn);
    const toOwner = await converse(conn);
    await assign(owner, toX, x.id);
    await assign(owner, toY, y.id);
    await assign(owner, toOwner, owner.user!.id);

    expect(await ids(owner, `assignee=${x.id}`)).toEqual([toX]);
    expect(await ids(owner, `assignee=${x.id},${y.id}`)).toEqual(sorted(toX, toY));
    expect(await ids(owner, "unassigned=true")).toEqual([queued]);
    expect(await ids(owner, "mine=true")).toEqual([toOwner]);
    expect(await ids(x.client, "mine=true")).toEqual([toX]);
    expect(await ids(y.client, "mine=true")).toEqual([toY]);
    expect(await ids(x.client, "unassigned=true")).toEqual([queued]);
    // Filters narrow what the caller may see; they never widen it.
    expect(await ids(x.client, `assignee=${y.id}`)).toEqual([]);
    // Combined filters are ANDed.
    expect(await ids(owner, `mine=true&assignee=${x.id}`)).toEqual([]);
  });

  it("drops a conversation from unanswered once an agent replies (a note does not count)", async () => {
    const { owner } = await newWorkspace(t);
    const agent = await addUser(t, owner, "agent");
    const conn = await apiConnection(t, owner);
    const replied = await converse(conn);
    const noted = await converse(conn);
    const waiting = await converse(conn);
    expect(await ids(owner, "unanswered=true")).toEqual(sorted(replied, noted, waiting));

    const reply = await agent.client.post(`/api/conversations/${replied}/messages`, { text: "On it!" });
    expect(reply.status).toBe(201);
    const note = await owner.post(`/api/conversations/${noted}/notes`, { text: "internal remark" });
    expect(note.status).toBe(201);

    expect(await ids(owner, "unanswered=true")).toEqual(sorted(noted, waiting));
    expect(await ids(owner)).toEqual(sorted(replied, noted, waiting));
    const detail = await owner.get(`/api/conversations/${replied}`);
    expect(detail.body.conversation.firstUnansweredAt).toBeNull();
    const stillWaiting = await owner.get(`/api/conversations/${noted}`);
    expect(stillWaiting.body.conversation.firstUnansweredAt).not.toBeNull();
  });

  it("a new customer message after the reply makes the conversation unanswered again", async () => {
    const { owner } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    const contact = unique("c");
    const id = await converse(conn, contact);
    expect((await owner.post(`/api/conversations/${id}/messages`, { text: "Hi" })).status).toBe(201);
    expect(await ids(owner, "unanswered=true")).toEqual([]);
    await conn.post(inbound(contact, "still there?"));
    expect(await ids(owner, "unanswered=true")).toEqual([id]);
  });

  it("filters by connection", async () => {
    const { owner } = await newWorkspace(t);
    const c1 = await apiConnection(t, owner);
    const c2 = await apiConnection(t, owner);
    const a = await converse(c1);
    const b = await converse(c1);
    const c = await converse(c2);
    expect(await ids(owner, `connection=${c1.id}`)).toEqual(sorted(a, b));
    expect(await ids(owner, `connection=${c2.id}`)).toEqual([c]);
    expect(await ids(owner, `connection=${c1.id},${c2.id}`)).toEqual(sorted(a, b, c));

    // Another workspace's connection id shows nothing of theirs.
    const other = await newWorkspace(t);
    const foreign = await apiConnection(t, other.owner);
    await converse(foreign);
    expect(await ids(owner, `connection=${foreign.id}`)).toEqual([]);
    expect(await ids(other.owner, `connection=${c1.id}`)).toEqual([]);
  });

  it("filters by contact tags with AND semantics", async () => {
    const { owner } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    const both = await converse(conn);
    const onlyVip = await converse(conn);
    const none = await converse(conn);
    const mkTag = async (name: string) => {
      const r = await owner.post("/api/tags", { name });
      expect(r.status).toBe(201);
      return r.body.tag.id as string;
    };
    const vip = await mkTag(unique("vip"));
    const late = await mkTag(unique("late"));
    const unused = await mkTag(unique("unused"));
    const contactOf = async (id: string) =>
      (await owner.get(`/api/conversations/${id}`)).body.conversation.contact.id;
    const tag = async (conversationId: string, tagId: string) => {
      const r = await owner.put(`/api/contacts/${await contactOf(conversationId)}/tags/${tagId}`, {});
      expect(r.status, JSON.stringify(r.body)).toBe(200);
    };
    await tag(both, vip);
    await tag(both, late);
    await tag(onlyVip, vip);

    expect(await ids(owner, `tag=${vip}`)).toEqual(sorted(both, onlyVip));
    expect(await ids(owner, `tag=${late}`)).toEqual([both]);
    expect(await ids(owner, `tag=${vip},${late}`)).toEqual([both]);
    expect(await ids(owner, `tag=${vip}&tag=${late}`)).toEqual([both]);
    expect(await ids(owner, `tag=${vip},${unused}`)).toEqual([]);
    // Naming a tag twice still means "has this tag".
    expect(await ids(owner, `tag=${late},${late}`)).toEqual([both]);
    expect(await ids(owner, `tag=${unused}`)).toEqual([]);
    expect(await ids(owner)).toEqual(sorted(both, onlyVip, none));
  });

  it("filters by team, and an agent sees a team's queue only as a member", async () => {
    const { owner } = await newWorkspace(t);
    const member = await addUser(t, owner, "agent");
    const outsider = await addUser(t, owner, "agent");
    const conn = await apiConnection(t, owner);
    const teamR = await owner.post("/api/teams", { name: unique("billing") });
    expect(teamR.status).toBe(201);
    const team = teamR.body.team.id as string;
    expect((await owner.put(`/api/teams/${team}/members/${member.id}`)).status).toBe(200);
    const teamQueued = await converse(conn);
    const general = await converse(conn);
    const assigned = await assign(owner, teamQueued, null, team);
    expect(assigned.teamId).toBe(team);
    expect(assigned.assigneeId).toBeNull();

    expect(await ids(owner, `team=${team}`)).toEqual([teamQueued]);
    expect(await ids(owner)).toEqual(sorted(teamQueued, general));
    expect(await ids(member.client)).toEqual(sorted(teamQueued, general));
    expect(await ids(member.client, `team=${team}`)).toEqual([teamQueued]);
    expect(await ids(outsider.client)).toEqual([general]);
    expect(await ids(outsider.client, `team=${team}`)).toEqual([]);
    expect((await outsider.client.get(`/api/conversations/${teamQueued}`)).status).toBe(404);
  });
});

describe("inbox list: unread counts and drafts", () => {
  it("counts unread customer messages per agent", async () => {
    const { owner } = await newWorkspace(t);
    const agent = await addUser(t, owner, "agent");
    const conn = await apiConnection(t, owner);
    const contact = unique("c");
    const busy = await converse(conn, contact, "one");
    await conn.post(inbound(contact, "two"));
    await conn.post(inbound(contact, "three"));
    const quiet = await converse(conn);

    const unreadOf = async (client: Client) =>
      Object.fromEntries((await list(client)).conversations.map((c) => [c.id, c.unreadCount]));
    expect(await unreadOf(owner)).toEqual({ [busy]: 3, [quiet]: 1 });
    expect(await unreadOf(agent.client)).toEqual({ [busy]: 3, [quiet]: 1 });
    expect(await unreadCount(owner)).toBe(2);
    expect(await unreadCount(agent.client)).toBe(2);

    const read = await agent.client.post(`/api/conversations/${busy}/read`, {});
    expect(read.status).toBe(200);
    expect(await unreadOf(agent.client)).toEqual({ [busy]: 0, [quiet]: 1 });
    expect(await unreadCount(agent.client)).toBe(1);
    // Someone else's reading changes nothing for the owner.
    expect(await unreadOf(owner)).toEqual({ [busy]: 3, [quiet]: 1 });
    expect(await unreadCount(owner)).toBe(2);

    // A new customer message is unread again for the agent.
    await conn.post(inbound(contact, "four"));
    expect(await unreadOf(agent.client)).toEqual({ [busy]: 1, [quiet]: 1 });
    expect(await unreadOf(owner)).toEqual({ [busy]: 4, [quiet]: 1 });
    expect(await unreadCount(agent.client)).toBe(2);

    // The agent's own reply marks everything before it as read for them.
    expect((await agent.client.post(`/api/conversations/${quiet}/messages`, { text: "Hello!" })).status).toBe(
      201,
    );
    expect((await unreadOf(agent.client))[quiet]).toBe(0);
    expect((await unreadOf(owner))[quiet]).toBe(1);

    // Closed conversations are not counted in the badge.
    expect(await unreadCount(owner)).toBe(2);
    expect((await owner.post(`/api/conversations/${quiet}/status`, { status: "closed" })).status).toBe(200);
    expect(await unreadCount(owner)).toBe(1);
  });

  it("counts only the conversations the agent may see", async () => {
    const { owner } = await newWorkspace(t);
    const x = await addUser(t, owner, "agent");
    const y = await addUser(t, owner, "agent");
    const conn = await apiConnection(t, owner);
    const toY = await converse(conn);
    const queued = await converse(conn);
    await assign(owner, toY, y.id);
    expect(await unreadCount(x.client)).toBe(1);
    expect(await unreadCount(y.client)).toBe(2);
    expect(await unreadCount(owner)).toBe(2);
    // Marking unread counts even with nothing new.
    expect((await x.client.post(`/api/conversations/${queued}/read`, {})).status).toBe(200);
    expect(await unreadCount(x.client)).toBe(0);
    expect((await x.client.post(`/api/conversations/${queued}/unread`)).status).toBe(200);
    expect(await unreadCount(x.client)).toBe(1);
    const row = (await list(x.client)).conversations.find((c) => c.id === queued);
    expect(row?.unreadCount).toBe(1);
    expect(await unreadCount(y.client)).toBe(2);
  });

  it("shows a draft only to its author", async () => {
    const { owner } = await newWorkspace(t);
    const agent = await addUser(t, owner, "agent");
    const conn = await apiConnection(t, owner);
    const id = await converse(conn);
    const other = await converse(conn);
    const put = await agent.client.put(`/api/conversations/${id}/draft`, { text: "Dear customer, " });
    expect(put.status).toBe(200);

    const mine = (await list(agent.client)).conversations;
    expect(mine.find((c) => c.id === id)?.draft).toBe("Dear customer, ");
    expect(mine.find((c) => c.id === other)?.draft).toBeNull();
    const owners = (await list(owner)).conversations;
    expect(owners.find((c) => c.id === id)?.draft).toBeNull();

    await owner.put(`/api/conversations/${id}/draft`, { text: "Owner's own words" });
    expect((await list(owner)).conversations.find((c) => c.id === id)?.draft).toBe("Owner's own words");
    expect((await list(agent.client)).conversations.find((c) => c.id === id)?.draft).toBe("Dear customer, ");
  });
});

describe("inbox list: visibility", () => {
  it("an agent sees their own, those they operate and the queue; managers see everything", async () => {
    const { owner } = await newWorkspace(t);
    const x = await addUser(t, owner, "agent");
    const y = await addUser(t, owner, "agent");
    const supervisor = await addUser(t, owner, "supervisor");
    const admin = await addUser(t, owner, "admin");
    const conn = await apiConnection(t, owner);
    const queued = await converse(conn);
    const ofX = await converse(conn);
    const ofY = await converse(conn);
    const shared = await converse(conn);
    await assign(owner, ofX, x.id);
    await assign(owner, ofY, y.id);
    await assign(owner, shared, y.id);
    const op = await owner.post(`/api/conversations/${shared}/operators`, { userId: x.id });
    expect(op.status).toBe(200);

    expect(await ids(x.client)).toEqual(sorted(queued, ofX, shared));
    expect(await ids(y.client)).toEqual(sorted(queued, ofY, shared));
    expect(await ids(supervisor.client)).toEqual(sorted(queued, ofX, ofY, shared));
    expect(await ids(admin.client)).toEqual(sorted(queued, ofX, ofY, shared));
    expect(await ids(owner)).toEqual(sorted(queued, ofX, ofY, shared));

    // Someone else's conversation does not exist for the agent, in any filter or page size.
    expect((await x.client.get(`/api/conversations/${ofY}`)).status).toBe(404);
    expect(await ids(x.client, `assignee=${y.id}`)).toEqual([shared]);
    expect(await ids(x.client, "limit=1&status=open,in_progress,closed")).toHaveLength(1);

    // Permissions in the list follow the caller.
    const xRows = (await list(x.client)).conversations;
    expect(xRows.find((c) => c.id === shared)?.permissions).toMatchObject({
      read: true,
      reply: true,
      assign: false,
    });
    expect(xRows.find((c) => c.id === ofX)?.permissions).toMatchObject({
      read: true,
      assign: true,
      delete: false,
    });

    // Another workspace sees none of it.
    const other = await newWorkspace(t);
    expect(await ids(other.owner)).toEqual([]);
  });
});

describe("inbox list: query validation", () => {
  it("refuses invalid filter values with 400 naming the field", async () => {
    const { owner } = await newWorkspace(t);
    const cases: [string, string][] = [
      ["status=bogus", "status"],
      ["status=open,bogus", "status"],
      ["limit=0", "limit"],
      ["limit=1000", "limit"],
      ["limit=ten", "limit"],
      ["assignee=not-a-uuid", "assignee"],
      ["connection=42", "connection"],
      ["tag=x", "tag"],
      ["team=x", "team"],
      ["unassigned=yes", "unassigned"],
      ["mine=1", "mine"],
      ["unanswered=maybe", "unanswered"],
    ];
    for (const [query, field] of cases) {
      const r = await owner.get(`/api/conversations?${query}`);
      expect(r.status, query).toBe(400);
      expect(r.body.error.code, query).toBe("validation_failed");
      expect(r.body.error.message, query).toMatch(new RegExp(`querystring\\.${field}\\b`));
    }
    // The bounds themselves are fine.
    expect((await owner.get("/api/conversations?limit=1")).status).toBe(200);
    expect((await owner.get("/api/conversations?limit=200")).status).toBe(200);
  });

  it("needs a session", async () => {
    const r = await fetch(`${t.url}/api/conversations`);
    expect(r.status).toBe(401);
    const c = await fetch(`${t.url}/api/conversations/unread-count`);
    expect(c.status).toBe(401);
  });
});
