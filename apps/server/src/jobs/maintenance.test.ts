import { describe, expect, it } from "vitest";
import { apiConnection, inbound, newWorkspace, unique } from "../testing/harness";
import { useTestServer } from "../testing/use-test-server";
import { pruneOldRows } from "./maintenance";

const t = useTestServer();

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

  it("prunes read notifications after 90 days, unread ones after a year, and finished deliveries after 30 days", async () => {
    const { owner, workspaceId } = await newWorkspace(t);
    const db = t.server.ctx.db;
    const userId = owner.user!.id;
    const note = async (key: string, createdDaysAgo: number, readDaysAgo: number | null) => {
      const [row] = await db.query<{ id: string }>(
        `insert into notifications (workspace_id, user_id, kind, title, body, alert, dedupe_key, created_at, read_at)
         values ($1, $2, 'x', 't', 'b', false, $3, now() - make_interval(days => $4::int),
                 case when $5::int is null then null else now() - make_interval(days => $5::int) end)
         returning id`,
        [workspaceId, userId, key, createdDaysAgo, readDaysAgo],
      );
      return row!.id;
    };
    const keep = {
      unread: await note("unread-recent", 100, null),
      readRecently: await note("read-recent", 100, 10),
    };
    const gone = {
      readLongAgo: await note("read-old", 120, 91),
      unreadAncient: await note("unread-ancient", 400, null),
    };
    const delivery = async (notificationId: string, status: string, daysAgo: number) => {
      const [row] = await db.query<{ id: string }>(
        `insert into notification_deliveries (notification_id, user_id, means, mode, status, created_at)
         values ($1, $2, 'email', 'batched', $3, now() - make_interval(days => $4::int)) returning id::text`,
        [notificationId, userId, status, daysAgo],
      );
      return row!.id;
    };
    const sentOld = await delivery(keep.unread, "sent", 40);
    const failedOld = await delivery(keep.unread, "failed", 40);
    const sentRecent = await delivery(keep.unread, "sent", 5);
    const pendingOld = await delivery(keep.readRecently, "pending", 40);
    const ofRemoved = await delivery(gone.readLongAgo, "pending", 1);

    const removed = await pruneOldRows(db, t.server.ctx.clock);
    expect(removed.notifications).toBeGreaterThanOrEqual(2);
    expect(removed.notificationDeliveries).toBeGreaterThanOrEqual(2);
    const notes = await db.query<{ id: string }>("select id from notifications where user_id = $1", [userId]);
    expect(notes.map((n) => n.id).sort()).toEqual([keep.unread, keep.readRecently].sort());
    const deliveries = await db.query<{ id: string }>(
      "select id::text as id from notification_deliveries where user_id = $1",
      [userId],
    );
    const left = deliveries.map((d) => d.id);
    expect(left.sort()).toEqual([sentRecent, pendingOld].sort());
    expect(left).not.toContain(sentOld);
    expect(left).not.toContain(failedOld);
    expect(left).not.toContain(ofRemoved);
  });
});
