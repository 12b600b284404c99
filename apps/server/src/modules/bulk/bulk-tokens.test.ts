import type { Permission } from "@parley/protocol";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { MovableClock } from "../../lib/time";
import { eventually } from "../../testing/eventually";
import { addUser, apiConnection, type Client, inbound, newWorkspace, unique } from "../../testing/harness";
import { useTestServer } from "../../testing/use-test-server";
import { createTokenAs, withToken } from "../api-tokens/test-helpers";
import type { BulkOperation } from "./schema";

const clock = new MovableClock();
const t = useTestServer({ clock });

/** An operation as the API answers it. */
type Operation = z.infer<typeof BulkOperation>;

/** A workspace whose owner creates the tokens, an agent and another agent who holds the conversations. */
async function setup(count: number) {
  const { owner } = await newWorkspace(t);
  const agent = await addUser(t, owner, "agent");
  const holder = await addUser(t, owner, "agent");
  const conn = await apiConnection(t, owner);
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const r = await conn.post(inbound(unique("c"), "hello"));
    expect(r.status).toBe(200);
    const id = r.body.results[0].conversationId as string;
    const a = await owner.post(`/api/conversations/${id}/assign`, { assigneeId: holder.id });
    expect(a.status).toBe(200);
    ids.push(id);
  }
  return { owner, agent, holder, conn, ids };
}

/** Starts a bulk action with an API token; the operation is the caller's, so its creator can follow it. */
async function startWithToken(secret: string, body: unknown) {
  const r = await withToken(t.url, secret, "POST", "/api/conversations/bulk", body);
  expect(r.status, JSON.stringify(r.body)).toBe(202);
  return r.body.operation as Operation;
}

/** Polls the operation's progress (as its creator) until it is finished. */
const finished = (creator: Client, id: string) =>
  eventually(
    async () => {
      const g = await creator.get<{ operation: Operation }>(`/api/bulk-operations/${id}`);
      expect(g.status).toBe(200);
      return g.body.operation.status !== "running" && g.body.operation;
    },
    { what: "the bulk operation to finish", timeout: 15_000 },
  );

const conversations = async (ids: string[]) =>
  Object.fromEntries(
    (
      await t.db.query<{ id: string; status: string; assignee_id: string | null }>(
        "select id, status, assignee_id from conversations where id = any($1::uuid[])",
        [ids],
      )
    ).map((r) => [r.id, { status: r.status, assigneeId: r.assignee_id }]),
  );

const unchanged = (ids: string[], holderId: string) =>
  Object.fromEntries(ids.map((id) => [id, { status: "open", assigneeId: holderId }]));

/** Holds the job runner while `during` runs, so what happens between a request and its job can be arranged. */
async function withJobsHeld<T>(during: () => Promise<T>): Promise<T> {
  await t.server.ctx.jobs.stop();
  try {
    return await during();
  } finally {
    t.server.ctx.jobs.start();
  }
}

describe("bulk actions started with an API token", () => {
  it("act with the token's permissions: conversations it cannot see are refused and left as they were", async () => {
    const { owner, agent, holder, ids } = await setup(3);
    // The owner holds every permission; the token only the bulk one (no view-all).
    const { secret } = await createTokenAs(owner, ["conversations.bulk"]);

    const reassign = await startWithToken(secret, { action: "reassign", ids, assigneeId: agent.id });
    const reassigned = await finished(owner, reassign.id);
    expect(reassigned).toMatchObject({ status: "completed", total: 3, done: 0, failed: 3 });
    expect(reassigned.errors.map((e) => [e.conversationId, e.code]).sort()).toEqual(
      ids.map((id) => [id, "not_found"]).sort(),
    );

    const close = await startWithToken(secret, { action: "close", ids });
    const closed = await finished(owner, close.id);
    expect(closed).toMatchObject({ status: "completed", total: 3, done: 0, failed: 3 });
    expect(closed.errors.every((e) => e.code === "not_found")).toBe(true);

    expect(await conversations(ids)).toEqual(unchanged(ids, holder.id));
  });

  it("refuse reassigning a conversation the token sees but may not give away", async () => {
    const { owner, agent, conn } = await setup(0);
    const r = await conn.post(inbound(unique("c"), "hello"));
    const queued = r.body.results[0].conversationId as string;
    // Without view-all the token sees the queue as an agent does, and may only take a queued conversation.
    const { secret } = await createTokenAs(owner, ["conversations.bulk"]);
    const op = await finished(
      owner,
      (await startWithToken(secret, { action: "reassign", ids: [queued], assigneeId: agent.id })).id,
    );
    expect(op).toMatchObject({ status: "completed", done: 0, failed: 1 });
    expect(op.errors).toEqual([expect.objectContaining({ conversationId: queued, code: "forbidden" })]);
    expect(await conversations([queued])).toEqual({ [queued]: { status: "open", assigneeId: null } });
  });

  it("change what a token holding the permissions to see and handle them may change", async () => {
    const { owner, agent, ids } = await setup(3);
    const { secret } = await createTokenAs(owner, ["conversations.bulk", "conversations.view_all"]);
    const [first, ...rest] = ids;
    const reassign = await startWithToken(secret, {
      action: "reassign",
      ids: [first],
      assigneeId: agent.id,
    });
    expect(await finished(owner, reassign.id)).toMatchObject({ status: "completed", done: 1, failed: 0 });
    const close = await startWithToken(secret, { action: "close", ids: rest });
    expect(await finished(owner, close.id)).toMatchObject({ status: "completed", done: 2, failed: 0 });
    const after = await conversations(ids);
    expect(after[first!]).toEqual({ status: "open", assigneeId: agent.id });
    for (const id of rest) expect(after[id]!.status).toBe("closed");
  });

  it("name the token in the audit entries of what they did, as its single actions do", async () => {
    const { owner, ids } = await setup(2);
    const token = await createTokenAs(owner, [
      "conversations.bulk",
      "conversations.view_all",
      "conversations.delete",
    ]);
    const op = await startWithToken(token.secret, { action: "delete", ids });
    expect(await finished(owner, op.id)).toMatchObject({ status: "completed", done: 2, failed: 0 });
    const entries = await t.db.query<{ action: string; target_id: string; api_token_id: string | null }>(
      `select action, target_id, api_token_id from audit_log
       where target_id = any($1::text[]) order by action, target_id`,
      [[...ids, op.id]],
    );
    expect(
      entries
        .filter((e) => e.action === "conversation.deleted")
        .map((e) => e.target_id)
        .sort(),
    ).toEqual([...ids].sort());
    expect(entries.map((e) => e.action)).toContain("conversations.bulk_delete_completed");
    for (const e of entries) expect(e, e.action).toMatchObject({ api_token_id: token.id });
  });

  it("stop once the caller no longer holds the bulk permission when the job runs", async () => {
    const { owner, agent, ids } = await setup(2);
    for (const id of ids) await owner.post(`/api/conversations/${id}/assign`, { assigneeId: agent.id });
    const before = await conversations(ids);
    const op = await withJobsHeld(async () => {
      const r = await agent.client.post("/api/conversations/bulk", { action: "close", ids });
      expect(r.status, JSON.stringify(r.body)).toBe(202);
      const edit = await owner.patch("/api/roles/agent", { permissions: ["conversations.reply"] });
      expect(edit.status, JSON.stringify(edit.body)).toBe(200);
      return r.body.operation as Operation;
    });
    expect(await finished(agent.client, op.id)).toMatchObject({ status: "failed", done: 0, failed: 0 });
    expect(await conversations(ids)).toEqual(before);
  });

  it("do nothing once the token is revoked before the job runs", async () => {
    const { owner, agent, holder, ids } = await setup(2);
    const token = await createTokenAs(owner, ["conversations.bulk", "conversations.view_all"]);
    const op = await withJobsHeld(async () => {
      const started = await startWithToken(token.secret, { action: "reassign", ids, assigneeId: agent.id });
      expect((await owner.post(`/api/api-tokens/${token.id}/revoke`, {})).status).toBe(200);
      return started;
    });
    expect(await finished(owner, op.id)).toMatchObject({ status: "failed", done: 0, failed: 0 });
    expect(await conversations(ids)).toEqual(unchanged(ids, holder.id));
  });

  it("do nothing once the token has expired before the job runs", async () => {
    const { owner, holder, ids } = await setup(2);
    const expiresAt = new Date(clock.now().getTime() + 3600_000).toISOString();
    const token = await createTokenAs(owner, ["conversations.bulk", "conversations.view_all"], { expiresAt });
    const op = await withJobsHeld(async () => {
      const started = await startWithToken(token.secret, { action: "close", ids });
      clock.advance(3600_000 + 1000);
      return started;
    });
    expect(await finished(owner, op.id)).toMatchObject({ status: "failed", done: 0, failed: 0 });
    expect(await conversations(ids)).toEqual(unchanged(ids, holder.id));
  });

  it("act within what the creator still holds when the job runs", async () => {
    const { owner, agent, holder, ids } = await setup(2);
    const admin = await addUser(t, owner, "admin");
    const granted: Permission[] = ["conversations.bulk", "conversations.view_all"];
    const { secret } = await createTokenAs(admin.client, granted);
    const op = await withJobsHeld(async () => {
      const started = await startWithToken(secret, { action: "reassign", ids, assigneeId: agent.id });
      // The creator becomes an agent, who does not see other agents' conversations.
      const demoted = await owner.patch(`/api/users/${admin.id}`, { role: "agent" });
      expect(demoted.status, JSON.stringify(demoted.body)).toBe(200);
      return started;
    });
    const done = await finished(admin.client, op.id);
    expect(done).toMatchObject({ status: "completed", done: 0, failed: 2 });
    expect(await conversations(ids)).toEqual(unchanged(ids, holder.id));
  });

  it("run an operation that records no token, queued before operations named one, as its creator", async () => {
    const { owner, agent, ids } = await setup(2);
    const op = await withJobsHeld(async () => {
      const r = await owner.post("/api/conversations/bulk", {
        action: "reassign",
        ids,
        assigneeId: agent.id,
      });
      expect(r.status, JSON.stringify(r.body)).toBe(202);
      await t.db.query("update bulk_operations set params = params - 'tokenId' where id = $1", [
        r.body.operation.id,
      ]);
      return r.body.operation as Operation;
    });
    expect(await finished(owner, op.id)).toMatchObject({ status: "completed", done: 2, failed: 0 });
    const after = await conversations(ids);
    for (const id of ids) expect(after[id]!.assigneeId).toBe(agent.id);
  });
});
