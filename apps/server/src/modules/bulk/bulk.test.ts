import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { eventually } from "../../testing/eventually";
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
import type { BulkOperation } from "./schema";

const t = useTestServer();

type Conn = Awaited<ReturnType<typeof apiConnection>>;
async function converse(conn: Conn) {
  const r = await conn.post(inbound(unique("c"), "hello"));
  expect(r.status).toBe(200);
  return r.body.results[0].conversationId as string;
}
/** An operation as the API answers it. */
type Operation = z.infer<typeof BulkOperation>;
/** Starts a bulk action and polls its progress until it is finished. */
async function bulk(client: Client, body: unknown) {
  const r = await client.post("/api/conversations/bulk", body);
  expect(r.status, JSON.stringify(r.body)).toBe(202);
  const seen: Operation[] = [r.body.operation];
  const op = await eventually(
    async () => {
      const g = await client.get<{ operation: Operation }>(`/api/bulk-operations/${r.body.operation.id}`);
      expect(g.status).toBe(200);
      seen.push(g.body.operation);
      return g.body.operation.status !== "running" && g.body.operation;
    },
    { what: "the bulk operation to finish", timeout: 15_000 },
  );
  return { op, seen };
}
const statuses = async (ids: string[]) =>
  (
    await t.db.query<{ id: string; status: string }>(
      "select id, status from conversations where id = any($1::uuid[])",
      [ids],
    )
  )
    .map((r) => r.status)
    .sort();

describe("bulk actions", () => {
  it("closes the selected conversations, reports progress, writes an audit entry and live events", async () => {
    const { owner, workspaceId } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push(await converse(conn));
    const untouched = await converse(conn);
    const socket = await SocketClient.open(`${t.wsUrl}/api/realtime`, owner.cookie!);
    const { op, seen } = await bulk(owner, { action: "close", ids });
    expect(op).toMatchObject({ status: "completed", total: 4, done: 4, failed: 0, errors: [] });
    expect(seen[0]).toMatchObject({ status: "running", total: 4, done: 0 });
    expect(await statuses(ids)).toEqual(["closed", "closed", "closed", "closed"]);
    expect(await statuses([untouched])).toEqual(["open"]);
    for (const id of ids)
      expect(
        await socket.waitForEvent(
          "conversation.status_changed",
          (e) => e.conversation?.id === id && e.conversation.status === "closed",
        ),
      ).toBeTruthy();
    socket.close();
    const [audit, outcome] = await t.db.query<{
      action: string;
      target_id: string;
      data: Record<string, unknown>;
    }>(
      "select action, target_id, data from audit_log where workspace_id = $1 and action like 'conversations.bulk%' order by id",
      [workspaceId],
    );
    expect(audit!.action).toBe("conversations.bulk_close");
    expect(audit!.target_id).toBe(op.id);
    expect(audit!.data).toMatchObject({ count: 4, selectAll: false });
    expect((audit!.data.conversationIds as string[]).sort()).toEqual([...ids].sort());
    expect(outcome!.action).toBe("conversations.bulk_close_completed");
    expect(outcome!.target_id).toBe(op.id);
    expect(outcome!.data).toMatchObject({ count: 4, done: 4, failed: 0 });
  });

  it("'select all' takes the current filter's conversations; mark unread and read affect only the caller", async () => {
    const { owner } = await newWorkspace(t);
    const supervisor = await addUser(t, owner, "supervisor");
    const conn = await apiConnection(t, owner);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(await converse(conn));
    const closed = await converse(conn);
    expect((await owner.post(`/api/conversations/${closed}/status`, { status: "closed" })).status).toBe(200);
    const count = async (c: Client) => (await c.get("/api/conversations/unread-count")).body.count as number;
    expect(await count(owner)).toBe(3);
    // What "select all" would take, before confirming: the real number, not the cap.
    const preview = await owner.post("/api/conversations/bulk/count", {
      filter: { status: "open,in_progress" },
    });
    expect(preview.status, JSON.stringify(preview.body)).toBe(200);
    expect(preview.body).toEqual({ count: 3, more: false });
    const all = await owner.post("/api/conversations/bulk/count", { filter: {} });
    expect(all.body).toEqual({ count: 4, more: false });
    // By channel: the workspace's connections of that type, looked up once for all the pages.
    const api = await owner.post("/api/conversations/bulk/count", { filter: { channel: "api" } });
    expect(api.body).toEqual({ count: 4, more: false });
    const telegram = await owner.post("/api/conversations/bulk/count", { filter: { channel: "telegram" } });
    expect(telegram.body).toEqual({ count: 0, more: false });
    const agent = await addUser(t, owner, "agent");
    const mine = await agent.client.post("/api/conversations/bulk/count", { filter: { mine: "true" } });
    expect(mine.body).toEqual({ count: 0, more: false });
    const read = await bulk(owner, { action: "mark_read", filter: { status: "open,in_progress" } });
    expect(read.op).toMatchObject({ total: 3, done: 3, failed: 0 });
    expect(await count(owner)).toBe(0);
    expect(await count(supervisor.client)).toBe(3);
    const unread = await bulk(owner, {
      action: "mark_unread",
      filter: { status: "open,in_progress", sort: "waiting" },
    });
    expect(unread.op).toMatchObject({ total: 3, done: 3 });
    expect(await count(owner)).toBe(3);
    const none = await owner.post("/api/conversations/bulk", {
      action: "close",
      filter: { status: "closed", mine: "true" },
    });
    expect(none.status).toBe(400);
    expect(none.body.error.message).toMatch(/nothing/i);
  });

  it("reassigns, and checks each conversation against the caller's permissions", async () => {
    const { owner } = await newWorkspace(t);
    const agent = await addUser(t, owner, "agent");
    const other = await addUser(t, owner, "agent");
    const conn = await apiConnection(t, owner);
    const queued = await converse(conn);
    const othersOwn = await converse(conn);
    expect(
      (await owner.post(`/api/conversations/${othersOwn}/assign`, { assigneeId: other.id })).status,
    ).toBe(200);
    // The agent may take a queued conversation, not one that is someone else's.
    const { op } = await bulk(agent.client, {
      action: "reassign",
      ids: [queued, othersOwn],
      assigneeId: agent.id,
    });
    expect(op).toMatchObject({ total: 2, done: 1, failed: 1 });
    expect(op.errors).toEqual([expect.objectContaining({ conversationId: othersOwn, code: "not_found" })]);
    const rows = await t.db.query<{ id: string; assignee_id: string }>(
      "select id, assignee_id from conversations where id = any($1::uuid[])",
      [[queued, othersOwn]],
    );
    expect(Object.fromEntries(rows.map((r) => [r.id, r.assignee_id]))).toEqual({
      [queued]: agent.id,
      [othersOwn]: other.id,
    });
    // An agent sees only their own operations.
    expect((await other.client.get(`/api/bulk-operations/${op.id}`)).status).toBe(404);
    const missing = await agent.client.post("/api/conversations/bulk", { action: "reassign", ids: [queued] });
    expect(missing.status).toBe(400);
  });

  it("deletes only for admins, and validates the request", async () => {
    const { owner, workspaceId } = await newWorkspace(t);
    const supervisor = await addUser(t, owner, "supervisor");
    const conn = await apiConnection(t, owner);
    const a = await converse(conn);
    const b = await converse(conn);
    const refused = await supervisor.client.post("/api/conversations/bulk", {
      action: "delete",
      ids: [a, b],
    });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe("forbidden");
    expect(await statuses([a, b])).toEqual(["open", "open"]);
    const { op } = await bulk(owner, { action: "delete", ids: [a, b] });
    expect(op).toMatchObject({ total: 2, done: 2, failed: 0 });
    expect(await statuses([a, b])).toEqual([]);
    const audits = await t.db.query<{ action: string }>(
      "select action from audit_log where workspace_id = $1 and action in ('conversations.bulk_delete', 'conversation.deleted') order by id",
      [workspaceId],
    );
    expect(audits.map((x) => x.action)).toEqual([
      "conversations.bulk_delete",
      "conversation.deleted",
      "conversation.deleted",
    ]);

    const both = await owner.post("/api/conversations/bulk", { action: "close", ids: [a], filter: {} });
    expect(both.status).toBe(400);
    const tooMany = await owner.post("/api/conversations/bulk", {
      action: "close",
      ids: Array.from({ length: 1001 }, () => crypto.randomUUID()),
    });
    expect(tooMany.status).toBe(400);
    const bad = await owner.post("/api/conversations/bulk", { action: "explode", ids: [a] });
    expect(bad.status).toBe(400);
  });

  it("cannot touch another workspace's conversations", async () => {
    const a = await newWorkspace(t);
    const b = await newWorkspace(t);
    const connB = await apiConnection(t, b.owner);
    const theirs = await converse(connB);
    const { op } = await bulk(a.owner, { action: "close", ids: [theirs] });
    expect(op).toMatchObject({ done: 0, failed: 1 });
    expect(op.errors[0]!.code).toBe("not_found");
    expect(await statuses([theirs])).toEqual(["open"]);
  });
});
