import { describe, expect, it } from "vitest";
import { signBody } from "../../channels/api/adapter";
import { eventually } from "../../testing/eventually";
import { addUser, apiConnection, inbound, newWorkspace, unique } from "../../testing/harness";
import { holdLock } from "../../testing/hold-lock";
import { metricValue as value } from "../../testing/metrics-text";
import { jobsSettled } from "../../testing/settled";
import { useTestServer } from "../../testing/use-test-server";

const t = useTestServer();

describe("a busy workspace's status reports", () => {
  it("wait for its running transaction and go in together: one update and one event per message, each author notified once", async () => {
    const { owner, workspaceId } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    const author = await addUser(t, owner, "agent", unique("anna"));
    const opened = await conn.post(inbound(unique("c"), "hello"));
    expect(opened.status).toBe(200);
    const conversationId = opened.body.results[0].conversationId as string;
    const rules = await owner.put("/api/notification-rules/workspace", {
      rules: [{ match: "all", means: ["inApp"], timing: "immediate", recipients: null }],
      policy: { readReceive: null, readManage: null },
    });
    expect(rules.status, JSON.stringify(rules.body)).toBe(200);
    // Six replies already sent under provider ids.
    const prefix = unique("pid");
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const [row] = await t.db.query<{ id: string }>(
        `insert into messages (workspace_id, conversation_id, connection_id, direction, kind, author_type, author_id,
           text, provider_message_id, delivery_state, queued_at, sent_at, created_at)
         values ($1, $2, $3, 'outbound', 'message', 'user', $4, $5, $6, 'sent', now(), now(), now()) returning id`,
        [workspaceId, conversationId, conn.id, author.id, `reply ${i}`, `${prefix}-${i}`],
      );
      ids.push(row!.id);
    }
    // Another workspace, whose webhooks need not wait for this one's.
    const other = await newWorkspace(t);
    const otherConn = await apiConnection(t, other.owner);
    expect((await otherConn.post(inbound(unique("c"), "warm-up"))).status).toBe(200);
    await jobsSettled(t.server);
    const socket = await owner.socket(t.wsUrl);

    const post = async (connection: { id: string; secret: string }, body: unknown) => {
      const raw = JSON.stringify(body);
      const res = await fetch(`${t.url}/api/webhooks/api/${connection.id}`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-parley-signature": signBody(connection.secret, raw),
        },
        body: raw,
      });
      return { status: res.status, body: (await res.json()) as { results: { status: string }[] } };
    };
    const report = (i: number, status: "delivered" | "read", at: string) => ({
      type: "status",
      messageId: `${prefix}-${i}`,
      status,
      timestamp: at,
    });
    const delivered = "2026-01-01T10:00:00.000Z";
    const read = "2026-01-01T10:05:00.000Z";

    // The connection's webhook target is cached again (the lock below would hold its lookup on the
    // embedded database).
    expect((await conn.post(inbound(unique("c"), "warm-up"))).status).toBe(200);
    // The workspace's sequence lock is held (on the embedded database, which runs one transaction at a
    // time, everything waits): the first webhook's transaction is stuck at its event append.
    const blocker = holdLock(t.db, (q) =>
      q.query("select 1 from workspaces where id = $1 for update", [workspaceId]),
    );
    await blocker.taken;
    // Only this histogram: the registry's other collectors read the database, which the lock holds.
    const batchSizes = () =>
      t.server.metrics.registry.getSingleMetricAsString("parley_ingest_batch_submissions");
    const batchesBefore = await batchSizes();
    const first = post(conn, { events: [report(5, "delivered", delivered)] });
    await eventually(() => expect(t.server.ctx.ingest.depth().writing).toBe(1));
    // Ten webhooks meanwhile: messages 0–4 each delivered in one and read in a later one.
    const later = [
      ...[0, 1, 2, 3, 4].map((i) => post(conn, { events: [report(i, "delivered", delivered)] })),
      ...[0, 1, 2, 3, 4].map((i) => post(conn, { events: [report(i, "read", read)] })),
    ];
    await eventually(() => expect(t.server.ctx.ingest.depth()).toMatchObject({ waiting: 10, writing: 1 }));
    if (t.db.kind === "postgres") {
      // Not held back by the busy workspace.
      const answer = await post(otherConn, inbound(unique("c"), "meanwhile"));
      expect(answer.status).toBe(200);
      expect(t.server.ctx.ingest.depth()).toMatchObject({ waiting: 10, writing: 1 });
    }
    blocker.release();
    await blocker.done;
    const answers = await Promise.all([first, ...later]);
    for (const a of answers) expect(a, JSON.stringify(a.body)).toMatchObject({ status: 200 });
    expect(answers.map((a) => a.body.results[0]!.status)).toEqual(new Array(11).fill("updated"));
    // The metrics saw it too: one batch of 6–10 submissions (the ten), every other one of at most 5.
    const batchesAfter = await batchSizes();
    const batches = (labels?: Record<string, string>) =>
      value(batchesAfter, "parley_ingest_batch_submissions_bucket", labels) -
      value(batchesBefore, "parley_ingest_batch_submissions_bucket", labels);
    expect(batches({ le: "10" }) - batches({ le: "5" })).toBe(1);
    expect(batches({ le: "+Inf" })).toBe(batches({ le: "10" }));

    const states = await t.db.query<{
      id: string;
      delivery_state: string;
      delivered_at: Date;
      read_at: Date;
    }>("select id, delivery_state, delivered_at, read_at from messages where id = any($1::uuid[])", [ids]);
    const byId = new Map(states.map((s) => [s.id, s]));
    for (const id of ids.slice(0, 5))
      expect(byId.get(id)).toMatchObject({
        delivery_state: "read",
        delivered_at: new Date(delivered),
        read_at: new Date(read),
      });
    expect(byId.get(ids[5]!)).toMatchObject({ delivery_state: "delivered", read_at: null });

    // The ten waiting webhooks were one transaction: their events arrive as one frame, one event per message
    // with both of its times.
    const updates = (e: any) => e.type === "message.updated" && ids.includes(e.message.id);
    await eventually(() => expect(socket.events().filter(updates)).toHaveLength(6));
    const frames = socket.frames
      .map((f) => (f.type === "events" ? f.events : f.type === "event" ? [f.event] : []).filter(updates))
      .filter((list) => list.length > 0);
    expect(frames.map((list) => list.length)).toEqual([1, 5]);
    const merged = frames[1]!.map((e: any) => e.message);
    expect(merged.map((m: { id: string }) => m.id).sort()).toEqual(ids.slice(0, 5).sort());
    for (const m of merged)
      expect(m.delivery).toMatchObject({ state: "read", deliveredAt: delivered, readAt: read });
    // One fan-out job for them, and one read notification per message.
    const [{ jobs }] = (await t.db.query<{ jobs: number }>(
      `select count(*)::int as jobs from jobs where type = 'notify.events' and workspace_id = $1
         and (payload->>'from')::bigint > (select min(seq) from events where workspace_id = $1
           and type = 'message.updated' and payload->'message'->>'id' = $2)`,
      [workspaceId, ids[5]],
    )) as [{ jobs: number }];
    expect(jobs).toBe(1);
    await jobsSettled(t.server);
    const notified = await t.db.query<{ message_id: string; user_id: string }>(
      "select message_id, user_id from notifications where kind = 'customer_read' and message_id = any($1::uuid[])",
      [ids],
    );
    expect(notified.map((n) => `${n.message_id}:${n.user_id}`).sort()).toEqual(
      ids
        .slice(0, 5)
        .map((id) => `${id}:${author.id}`)
        .sort(),
    );
    socket.close();
  });
});
