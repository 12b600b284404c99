import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signBody } from "../../channels/api/adapter";
import { type Db, openPostgres } from "../../db/client";
import { eventually } from "../../testing/eventually";
import {
  addUser,
  apiConnection,
  inbound,
  newWorkspace,
  type SocketClient,
  startTestServer,
  type TestServer,
  unique,
} from "../../testing/harness";
import { useTestServer } from "../../testing/use-test-server";

// Two app instances on one database, each with its own pool (on PostgreSQL), its own job runner and its own
// webhook endpoint: customers arrive through both at once and both run the assign jobs.
const t = useTestServer();
let second: TestServer;
let secondDb: Db | null = null;
beforeAll(async () => {
  secondDb = t.dbUrl ? await openPostgres(t.dbUrl, 10) : null;
  second = await startTestServer(secondDb ?? t.db);
});
afterAll(async () => {
  await second?.close();
  await secondDb?.close();
});

async function post(base: string, connectionId: string, secret: string, payload: unknown) {
  const raw = JSON.stringify(payload);
  const res = await fetch(`${base}/api/webhooks/api/${connectionId}`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-parley-signature": signBody(secret, raw) },
    body: raw,
  });
  return { status: res.status, body: (await res.json()) as { results: { conversationId: string }[] } };
}

describe("fairness across processes", () => {
  it("round-robin keeps every agent within one conversation of the others when two processes ingest at once", async () => {
    const { owner } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    expect(
      (await owner.put(`/api/distribution/connections/${conn.id}`, { mode: "round_robin" })).status,
    ).toBe(200);
    const sockets: SocketClient[] = [];
    const agents: string[] = [];
    for (let i = 0; i < 4; i++) {
      const a = await addUser(t, owner, "agent");
      // Half the agents are connected to each process.
      sockets.push(await a.client.socket(i % 2 ? second.wsUrl : t.wsUrl));
      agents.push(a.id);
    }
    await eventually(async () => {
      const r = await t.db.query(
        "select distinct user_id from presence_sockets where user_id = any($1::uuid[])",
        [agents],
      );
      return r.length === 4;
    });
    const total = 42;
    const results = await Promise.all(
      Array.from({ length: total }, (_, i) =>
        post(i % 2 ? second.url : t.url, conn.id, conn.secret, inbound(unique("c"), "hi")),
      ),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    const ids = results.map((r) => r.body.results[0]!.conversationId);
    const counts = await eventually(
      async () => {
        const rows = await t.db.query<{ assignee_id: string | null; n: number }>(
          "select assignee_id, count(*)::int as n from conversations where id = any($1::uuid[]) group by 1",
          [ids],
        );
        if (rows.some((r) => r.assignee_id === null)) return null;
        return rows;
      },
      { timeout: 60_000 },
    );
    const perAgent = agents.map((a) => counts.find((c) => c.assignee_id === a)?.n ?? 0);
    expect(perAgent.reduce((x, y) => x + y, 0)).toBe(total);
    expect(Math.max(...perAgent) - Math.min(...perAgent)).toBeLessThanOrEqual(1);
    // Each conversation was assigned exactly once.
    const [lines] = await t.db.query<{ n: number }>(
      "select count(*)::int as n from messages where conversation_id = any($1::uuid[]) and kind = 'event' and event->>'kind' = 'assigned'",
      [ids],
    );
    expect(lines!.n).toBe(total);
    for (const s of sockets) s.close();
  });
});
