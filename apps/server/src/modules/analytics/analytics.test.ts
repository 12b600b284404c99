import { beforeAll, describe, expect, it } from "vitest";
import { addUser, apiConnection, type Client, inbound, newWorkspace, unique } from "../../testing/harness";
import { useTestServer } from "../../testing/use-test-server";

let owner: Client;
let workspaceId: string;
let agentA: { client: Client; id: string };
let agentB: { client: Client; id: string };
let conn1: string;
let conn2: string;

const PERIOD = "from=2026-02-01T00:00:00Z&to=2026-02-02T00:00:00Z";

/**
 * A hand-built day (UTC):
 *  X (agent A, conn1): created 10:00, closed 12:00; in 10:00, A 10:01, in 10:05, in 10:06, A 10:10.
 *  Y (agent B, conn2): created 20:00, closed the next day 01:00; in 20:00, B 20:02, in 21:00 (unanswered).
 *  Z (unassigned, conn1): created the day before 23:00, closed 03:00; in 23:00 and owner 23:30 (both the
 *    day before), in 02:00, owner 02:00:30.
 */
const t = useTestServer();

beforeAll(async () => {
  ({ owner, workspaceId } = await newWorkspace(t));
  agentA = await addUser(t, owner, "agent");
  agentB = await addUser(t, owner, "agent");
  await t.db.query("update users set name = 'Агент, A' where id = $1", [agentA.id]);
  await t.db.query("update users set name = 'B agent' where id = $1", [agentB.id]);
  const c1 = await apiConnection(t, owner);
  const c2 = await apiConnection(t, owner);
  conn1 = c1.id;
  conn2 = c2.id;
  const ownerId = owner.user!.id;
  const day = (hms: string, d = "2026-02-01") => `${d}T${hms}.000Z`;
  const plan = [
    {
      conn: c1,
      assignee: agentA.id,
      created: day("10:00:00"),
      closed: day("12:00:00"),
      msgs: [
        ["in", day("10:00:00")],
        [agentA.id, day("10:01:00")],
        ["in", day("10:05:00")],
        ["in", day("10:06:00")],
        [agentA.id, day("10:10:00")],
      ],
    },
    {
      conn: c2,
      assignee: agentB.id,
      created: day("20:00:00"),
      closed: day("01:00:00", "2026-02-02"),
      msgs: [
        ["in", day("20:00:00")],
        [agentB.id, day("20:02:00")],
        ["in", day("21:00:00")],
      ],
    },
    {
      conn: c1,
      assignee: null,
      created: day("23:00:00", "2026-01-31"),
      closed: day("03:00:00"),
      msgs: [
        ["in", day("23:00:00", "2026-01-31")],
        [ownerId, day("23:30:00", "2026-01-31")],
        ["in", day("02:00:00")],
        [ownerId, day("02:00:30")],
      ],
    },
  ];
  for (const c of plan) {
    const ext = unique("ext");
    const r = await c.conn.post(inbound(ext, "first"));
    expect(r.status).toBe(200);
    const id = r.body.results[0].conversationId as string;
    await t.db.query("delete from messages where conversation_id = $1", [id]);
    await t.db.query(
      "update conversations set assignee_id = $2, created_at = $3, closed_at = $4, status = 'closed' where id = $1",
      [id, c.assignee, c.created, c.closed],
    );
    for (const [who, at] of c.msgs) {
      const inb = who === "in";
      await t.db.query(
        `insert into messages (workspace_id, conversation_id, connection_id, direction, kind, author_type, author_id, text, created_at)
         values ($1, $2, $3, $4, 'message', $5, $6, 'x', $7)`,
        [
          workspaceId,
          id,
          c.conn.id,
          inb ? "inbound" : "outbound",
          inb ? "contact" : "user",
          inb ? null : who,
          at,
        ],
      );
    }
  }
  // A note never counts as a reply.
  await t.db.query(
    `insert into messages (workspace_id, conversation_id, connection_id, direction, kind, author_type, author_id, text, created_at)
     select $1, id, connection_id, 'internal', 'note', 'user', $2, 'note', '2026-02-01T20:00:30Z' from conversations
     where workspace_id = $1 and assignee_id = $3`,
    [workspaceId, agentB.id, agentB.id],
  );
});

describe("GET /api/analytics", () => {
  it("computes the numbers of a hand-built day", async () => {
    const r = await owner.get(`/api/analytics?${PERIOD}&tz=Europe/Moscow`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const a = r.body;
    expect(a.period).toEqual({
      from: "2026-02-01T00:00:00.000Z",
      to: "2026-02-02T00:00:00.000Z",
      tz: "Europe/Moscow",
    });
    expect(a.opened).toBe(2);
    expect(a.closed).toBe(2);
    // First customer message in the period per conversation: 60 s, 120 s, 30 s.
    expect(a.firstResponse).toEqual({
      count: 3,
      answered: 3,
      avgSeconds: 70,
      p50Seconds: 60,
      p90Seconds: 108,
    });
    // Every customer message: 60, 300, 240, 120, (none), 30.
    expect(a.responseTime.count).toBe(6);
    expect(a.responseTime.answered).toBe(5);
    expect(a.responseTime.avgSeconds).toBe(150);
    expect(a.responseTime.p50Seconds).toBe(120);
    expect(a.responseTime.p90Seconds).toBeCloseTo(276, 6);
    // Closed in the period: X 2 h, Z 4 h.
    expect(a.resolution).toEqual({ count: 2, avgSeconds: 10800, p50Seconds: 10800, p90Seconds: 13680 });
    const agent = (id: string) => a.agents.find((x: any) => x.id === id);
    expect(agent(agentA.id)).toMatchObject({
      name: "Агент, A",
      conversations: 1,
      closed: 1,
      replies: 2,
      avgResponseSeconds: 200,
    });
    expect(agent(agentB.id)).toMatchObject({
      conversations: 1,
      closed: 0,
      replies: 1,
      avgResponseSeconds: 120,
    });
    expect(agent(owner.user!.id)).toMatchObject({
      conversations: 1,
      closed: 0,
      replies: 1,
      avgResponseSeconds: 30,
    });
    const channel = (id: string) => a.channels.find((x: any) => x.id === id);
    expect(channel(conn1)).toMatchObject({ type: "api", opened: 1, closed: 2, inbound: 4, outbound: 3 });
    expect(channel(conn2)).toMatchObject({ opened: 1, closed: 0, inbound: 2, outbound: 1 });
    // Moscow is UTC+3: 10:0x → 13, 20:00 → 23, 21:00 → 0, 02:00 → 5.
    const hours = Object.fromEntries(
      a.hours.filter((h: any) => h.inbound).map((h: any) => [h.hour, h.inbound]),
    );
    expect(hours).toEqual({ 0: 1, 5: 1, 13: 3, 23: 1 });
    expect(a.hours).toHaveLength(24);
  });

  it("is empty for a quiet period and rejects bad input", async () => {
    const r = await owner.get("/api/analytics?from=2025-01-01T00:00:00Z&to=2025-01-02T00:00:00Z");
    expect(r.status).toBe(200);
    expect(r.body.opened).toBe(0);
    expect(r.body.firstResponse).toEqual({
      count: 0,
      answered: 0,
      avgSeconds: null,
      p50Seconds: null,
      p90Seconds: null,
    });
    expect((await owner.get(`/api/analytics?${PERIOD}&tz=Mars/Olympus`)).status).toBe(400);
    expect((await owner.get("/api/analytics?from=2026-02-02T00:00:00Z&to=2026-02-01T00:00:00Z")).status).toBe(
      400,
    );
    // Without a period: the last 30 days.
    const recent = await owner.get("/api/analytics");
    expect(recent.status).toBe(200);
    expect(Date.parse(recent.body.period.to) - Date.parse(recent.body.period.from)).toBe(30 * 86_400_000);
  });

  it("needs the reports.view permission", async () => {
    expect((await agentA.client.get(`/api/analytics?${PERIOD}`)).status).toBe(403);
    expect((await agentA.client.get(`/api/analytics.csv?${PERIOD}&metric=agents`)).status).toBe(403);
    const sup = await addUser(t, owner, "supervisor");
    expect((await sup.client.get(`/api/analytics?${PERIOD}`)).status).toBe(200);
  });

  it("downloads each table as CSV", async () => {
    const get = async (metric: string) => {
      const res = await fetch(`${t.url}/api/analytics.csv?${PERIOD}&tz=Europe/Moscow&metric=${metric}`, {
        headers: { cookie: owner.cookie! },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="parley-analytics-/);
      return Buffer.from(await res.arrayBuffer()).toString("utf8");
    };
    const summary = await get("summary");
    expect(summary.startsWith("\uFEFFmetric,value\r\n")).toBe(true);
    expect(summary).toContain("\r\nfirst_response_avg_seconds,70\r\n");
    expect(summary).toContain("\r\nresolution_p90_seconds,13680\r\n");
    const agents = await get("agents");
    expect(agents).toContain(`\r\n${agentA.id},"Агент, A",agent,1,1,2,200\r\n`);
    const hours = await get("hours");
    expect(hours).toContain("\uFEFFhour (Europe/Moscow),inbound_messages\r\n0,1\r\n1,0\r\n");
    expect(hours).toContain("\r\n13,3\r\n");
    const channels = await get("channels");
    expect(channels.split("\r\n")[0]).toBe(
      "\uFEFFconnection_id,channel,connection,opened,closed,inbound_messages,outbound_messages",
    );
    expect((await owner.get(`/api/analytics.csv?${PERIOD}&metric=nope`)).status).toBe(400);
  });
});
