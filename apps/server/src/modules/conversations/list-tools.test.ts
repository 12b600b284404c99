import { describe, expect, it } from "vitest";
import { addUser, apiConnection, type Client, inbound, newWorkspace, unique } from "../../testing/harness";
import { useTestServer } from "../../testing/use-test-server";

const t = useTestServer();

type Conn = Awaited<ReturnType<typeof apiConnection>>;
interface Listed {
  id: string;
  firstUnansweredAt: string | null;
  lastActivityAt: string;
}

async function converse(conn: Conn, contact = unique("c"), text = "hello") {
  const r = await conn.post(inbound(contact, text));
  expect(r.status).toBe(200);
  return r.body.results[0].conversationId as string;
}
async function list(client: Client, query = "") {
  const r = await client.get<{ conversations: Listed[]; nextCursor: string | null }>(
    `/api/conversations?${query}`,
  );
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}
const ids = async (client: Client, query = "") =>
  (await list(client, query)).conversations.map((c) => c.id).sort();
const sorted = (...xs: string[]) => [...xs].sort();
const tick = () => new Promise((r) => setTimeout(r, 5));
const contactOf = async (id: string) =>
  (await t.db.query<{ contact_id: string }>("select contact_id from conversations where id = $1", [id]))[0]!
    .contact_id;

describe("inbox list tools: filters", () => {
  it("filters by channel type, bot, last message author and our last message's delivery state", async () => {
    const { owner, workspaceId } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    const customerLast = await converse(conn);
    const agentLast = await converse(conn);
    const r = await owner.post(`/api/conversations/${agentLast}/messages`, { text: "our answer" });
    expect(r.status).toBe(201);
    const [bot] = await t.db.query<{ id: string }>(
      "insert into bots (workspace_id, name) values ($1, 'Helper') returning id",
      [workspaceId],
    );
    await t.db.query("update conversations set bot_id = $2 where id = $1", [customerLast, bot!.id]);

    expect(await ids(owner, "channel=api")).toEqual(sorted(customerLast, agentLast));
    expect(await ids(owner, "channel=telegram,whatsapp")).toEqual([]);
    expect((await owner.get("/api/conversations?channel=carrier-pigeon")).status).toBe(400);
    expect(await ids(owner, `bot=${bot!.id}`)).toEqual([customerLast]);
    expect(await ids(owner, "author=customer")).toEqual([customerLast]);
    expect(await ids(owner, "author=agent")).toEqual([agentLast]);
    const bots = await owner.get("/api/bots");
    expect(bots.body.bots).toEqual([{ id: bot!.id, name: "Helper", avatarUrl: null }]);

    // Not read by the customer yet: queued or sent or delivered; then the report says read.
    await t.db.query("update conversations set last_outbound_state = 'delivered' where id = $1", [agentLast]);
    expect(await ids(owner, "delivery=queued,sent,delivered")).toEqual([agentLast]);
    await t.db.query("update conversations set last_outbound_state = 'read' where id = $1", [agentLast]);
    expect(await ids(owner, "delivery=queued,sent,delivered")).toEqual([]);
    expect(await ids(owner, "delivery=read")).toEqual([agentLast]);
  });

  it("filters by contact tags: all of a list (AND), no tags, only pinned tags", async () => {
    const { owner } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    const both = await converse(conn);
    const onlyVip = await converse(conn);
    const pinnedVip = await converse(conn);
    const untagged = await converse(conn);
    const vip = (await owner.post("/api/tags", { name: unique("vip"), color: "#e03131" })).body.tag.id;
    const late = (await owner.post("/api/tags", { name: unique("late"), color: "#1c7ed6" })).body.tag.id;
    const put = async (conv: string, tag: string, pinned = false) =>
      expect((await owner.put(`/api/contacts/${await contactOf(conv)}/tags/${tag}`, { pinned })).status).toBe(
        200,
      );
    await put(both, vip);
    await put(both, late);
    await put(onlyVip, vip);
    await put(pinnedVip, vip, true);

    expect(await ids(owner, `tag=${vip}`)).toEqual(sorted(both, onlyVip, pinnedVip));
    expect(await ids(owner, `tag=${vip},${late}`)).toEqual([both]);
    expect(await ids(owner, "tagMode=none")).toEqual([untagged]);
    expect(await ids(owner, "tagMode=pinned")).toEqual([pinnedVip]);
    expect(await ids(owner, `tagMode=pinned&tag=${vip}`)).toEqual([pinnedVip]);
    expect(await ids(owner, `tagMode=pinned&tag=${late}`)).toEqual([]);
    // Rows carry the contact's pinned tags (R101).
    const rows = (await owner.get("/api/conversations")).body.conversations as {
      id: string;
      pinnedTags: { id: string; color: string }[];
    }[];
    const byId = new Map(rows.map((r) => [r.id, r.pinnedTags]));
    expect(byId.get(pinnedVip)).toEqual([expect.objectContaining({ id: vip, color: "#e03131" })]);
    expect(byId.get(both)).toEqual([]);
    // The tag list comes most used first with colours and counts.
    const tags = (await owner.get("/api/tags")).body.tags as {
      id: string;
      color: string;
      contactCount: number;
    }[];
    expect(tags.map((x) => [x.id, x.contactCount, x.color])).toEqual([
      [vip, 3, "#e03131"],
      [late, 1, "#1c7ed6"],
    ]);
  });

  it("filters by a day or range in which the conversation had any message", async () => {
    const { owner } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    const march = await converse(conn);
    const mayAndJune = await converse(conn);
    const today = await converse(conn);
    const set = async (conv: string, ...days: string[]) => {
      await t.db.query("update conversations set created_at = $2 where id = $1", [
        conv,
        `${days[0]}T08:00:00Z`,
      ]);
      const msgs = await t.db.query<{ id: string }>("select id from messages where conversation_id = $1", [
        conv,
      ]);
      for (const [i, day] of days.entries()) {
        const at = `${day}T10:00:00Z`;
        if (msgs[i]) await t.db.query("update messages set created_at = $2 where id = $1", [msgs[i]!.id, at]);
        else
          await t.db.query(
            `insert into messages (workspace_id, conversation_id, connection_id, direction, kind, author_type, text, created_at)
             select workspace_id, id, connection_id, 'inbound', 'message', 'contact', 'more', $2 from conversations where id = $1`,
            [conv, at],
          );
        await t.db.query("update conversations set last_activity_at = $2 where id = $1", [conv, at]);
      }
    };
    await set(march, "2026-03-10");
    await set(mayAndJune, "2026-05-02", "2026-06-20");

    const range = (from: string, to: string) => `activeFrom=${from}T00:00:00Z&activeTo=${to}T00:00:00Z`;
    expect(await ids(owner, range("2026-03-10", "2026-03-11"))).toEqual([march]);
    expect(await ids(owner, range("2026-05-02", "2026-05-03"))).toEqual([mayAndJune]);
    // A day between its two messages: the conversation existed but had no message then.
    expect(await ids(owner, range("2026-05-10", "2026-05-11"))).toEqual([]);
    expect(await ids(owner, range("2026-03-01", "2026-07-01"))).toEqual(sorted(march, mayAndJune));
    expect(await ids(owner, "activeFrom=2026-06-01T00:00:00Z")).toEqual(sorted(mayAndJune, today));
    expect((await owner.get("/api/conversations?activeFrom=yesterday")).status).toBe(400);
  });

  it("combines filters and keeps agents to what they may see", async () => {
    const { owner } = await newWorkspace(t);
    const agent = await addUser(t, owner, "agent");
    const other = await addUser(t, owner, "agent");
    const conn = await apiConnection(t, owner);
    const mine = await converse(conn);
    const theirs = await converse(conn);
    const queued = await converse(conn);
    for (const [c, u] of [
      [mine, agent.id],
      [theirs, other.id],
    ] as const)
      expect((await owner.post(`/api/conversations/${c}/assign`, { assigneeId: u })).status).toBe(200);
    expect(await ids(agent.client, "channel=api&author=customer")).toEqual(sorted(mine, queued));
    expect(await ids(agent.client, `channel=api&assignee=${other.id}`)).toEqual([]);
    expect(await ids(owner, `channel=api&assignee=${other.id}`)).toEqual([theirs]);
  });
});

describe("inbox list tools: processing order", () => {
  it("puts the longest-waiting customer first, then the rest by activity, and pages across both parts", async () => {
    const { owner } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    const made: string[] = [];
    for (let i = 0; i < 7; i++) {
      made.push(await converse(conn));
      await tick();
    }
    // Answer three of them: they are not waiting any more and follow, newest activity first.
    for (const id of [made[1]!, made[4]!, made[6]!]) {
      expect((await owner.post(`/api/conversations/${id}/messages`, { text: "answered" })).status).toBe(201);
      await tick();
    }
    const waiting = [made[0]!, made[2]!, made[3]!, made[5]!];
    const answered = [made[6]!, made[4]!, made[1]!];

    const pages: Listed[][] = [];
    let cursor: string | null = null;
    do {
      const page = await list(owner, `sort=waiting&limit=3${cursor ? `&cursor=${cursor}` : ""}`);
      pages.push(page.conversations);
      cursor = page.nextCursor;
      expect(pages.length).toBeLessThanOrEqual(3);
    } while (cursor);
    expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
    const order = pages.flat();
    expect(order.map((c) => c.id)).toEqual([...waiting, ...answered]);
    for (const c of order.slice(0, 4)) expect(c.firstUnansweredAt).not.toBeNull();
    for (const c of order.slice(4)) expect(c.firstUnansweredAt).toBeNull();

    // The same with a filter, and a cursor of one order is refused by the other.
    expect((await list(owner, "sort=waiting&author=customer")).conversations.map((c) => c.id)).toEqual(
      waiting,
    );
    const first = await list(owner, "sort=waiting&limit=2");
    const wrong = await owner.get(`/api/conversations?limit=2&cursor=${first.nextCursor}`);
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.code).toBe("validation_failed");
  });
});

describe("time limits (SLA) in the workspace settings", () => {
  it("lets admins set yellow and red thresholds, red after yellow", async () => {
    const { owner } = await newWorkspace(t);
    const agent = await addUser(t, owner, "agent");
    const initial = await owner.get("/api/workspace");
    expect(initial.body.workspace.settings).toMatchObject({ slaYellowMinutes: null, slaRedMinutes: null });
    const set = await owner.patch("/api/workspace", { settings: { slaYellowMinutes: 5, slaRedMinutes: 15 } });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body.workspace.settings).toMatchObject({
      slaYellowMinutes: 5,
      slaRedMinutes: 15,
      sendSeen: "off",
    });
    const wrong = await owner.patch("/api/workspace", {
      settings: { slaYellowMinutes: 20, slaRedMinutes: 10 },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.code).toBe("validation_failed");
    expect((await agent.client.patch("/api/workspace", { settings: { slaYellowMinutes: 1 } })).status).toBe(
      403,
    );
    const off = await owner.patch("/api/workspace", {
      settings: { slaYellowMinutes: null, slaRedMinutes: null },
    });
    expect(off.body.workspace.settings).toMatchObject({ slaYellowMinutes: null, slaRedMinutes: null });
    expect((await agent.client.get("/api/workspace")).body.workspace.settings.slaRedMinutes).toBeNull();
  });
});
