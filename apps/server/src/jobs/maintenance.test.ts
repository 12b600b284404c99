import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDb } from "../testing/db";
import {
  apiConnection,
  inbound,
  newWorkspace,
  startTestServer,
  type TestServer,
  unique,
} from "../testing/harness";
import { pruneOldRows } from "./maintenance";

let t: TestServer;
let testDb: Awaited<ReturnType<typeof openTestDb>>;

beforeAll(async () => {
  testDb = await openTestDb();
  t = await startTestServer(testDb.db);
});
afterAll(async () => {
  await t.close();
  await testDb.close();
});

describe("housekeeping", () => {
  it("prunes old finished jobs and old events, and keeps recent ones", async () => {
    const { owner, workspaceId } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    await conn.post(inbound(unique("c"), "old"));
    await conn.post(inbound(unique("c"), "recent"));
    const db = t.server.ctx.db;
    const [first] = await db.query<{ seq: number }>(
      "select min(seq) as seq from events where workspace_id = $1",
      [workspaceId],
    );
    await db.query(
      "update events set created_at = now() - interval '40 days' where workspace_id = $1 and seq = $2",
      [workspaceId, first!.seq],
    );
    await db.query(
      "insert into jobs (type, payload, status, updated_at, workspace_id) values ('x', '{}', 'done', now() - interval '8 days', $1), ('x', '{}', 'done', now(), $1), ('x', '{}', 'dead', now() - interval '8 days', $1)",
      [workspaceId],
    );
    const removed = await pruneOldRows(db, t.server.ctx.clock);
    expect(removed.events).toBeGreaterThanOrEqual(1);
    expect(removed.jobs).toBeGreaterThanOrEqual(1);
    const events = await db.query<{ seq: number }>(
      "select seq from events where workspace_id = $1 order by seq",
      [workspaceId],
    );
    expect(events.map((e) => e.seq)).not.toContain(first!.seq);
    expect(events.length).toBeGreaterThan(0);
    const jobs = await db.query<{ status: string }>(
      "select status from jobs where workspace_id = $1 and type = 'x' order by status",
      [workspaceId],
    );
    expect(jobs.map((j) => j.status)).toEqual(["dead", "done"]);
  });
});
