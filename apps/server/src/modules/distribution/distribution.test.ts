import { afterEach, describe, expect, it } from "vitest";
import { MovableClock } from "../../lib/time";
import { eventually } from "../../testing/eventually";
import {
  addUser,
  apiConnection,
  type Client,
  inbound,
  newWorkspace,
  type SocketClient,
  unique,
} from "../../testing/harness";
import { useTestServer } from "../../testing/use-test-server";
import { distributeConversation } from "./commands/distribute";
import { reassignOverdue } from "./commands/reassign";

const clock = new MovableClock();
const t = useTestServer({ clock });
const sockets: SocketClient[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
});

/** An agent signed in with the realtime socket open: online for distribution. */
async function onlineAgent(owner: Client, name = unique("agent")) {
  const agent = await addUser(t, owner, "agent", name);
  await goOnline(agent);
  return agent;
}
async function goOnline(agent: { client: Client; id: string }) {
  sockets.push(await agent.client.socket(t.wsUrl));
  await eventually(async () => {
    const r = await t.db.query("select 1 from presence_sockets where user_id = $1 and state = 'online'", [
      agent.id,
    ]);
    return r.length > 0;
  });
}

async function setup(settings: Record<string, unknown> = { mode: "round_robin" }) {
  const { owner, workspaceId } = await newWorkspace(t);
  const conn = await apiConnection(t, owner);
  const r = await owner.put(`/api/distribution/connections/${conn.id}`, settings);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return { owner, workspaceId, conn };
}

/** A new customer writes: answers the new conversation's id. */
async function arrive(conn: Awaited<ReturnType<typeof apiConnection>>) {
  const r = await conn.post(inbound(unique("c"), "hello"));
  expect(r.status).toBe(200);
  return r.body.results[0].conversationId as string;
}

/** Moves the clock as the presence heartbeat would meanwhile have kept open sockets fresh (every 30 s). */
async function pass(ms: number) {
  clock.advance(ms);
  await t.db.query("update presence_sockets set seen_at = $1", [clock.now()]);
}

const assigneeOf = async (id: string) =>
  (
    await t.db.query<{ assignee_id: string | null }>("select assignee_id from conversations where id = $1", [
      id,
    ])
  )[0]!.assignee_id;

const feedEvents = (id: string) =>
  t.db.query<{ event: { kind: string; reason?: string; to?: string | null; from?: string | null } }>(
    "select event from messages where conversation_id = $1 and kind = 'event' order by seq",
    [id],
  );

describe("distribution of new conversations", () => {
  it("round-robin hands new conversations to online agents in turn, with a line in the feed", async () => {
    const { owner, conn } = await setup();
    const agents = [await onlineAgent(owner), await onlineAgent(owner), await onlineAgent(owner)];
    const offline = await addUser(t, owner, "agent");
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push(await arrive(conn));
    const assignees = await eventually(async () => {
      const all = await Promise.all(ids.map(assigneeOf));
      return all.every(Boolean) && (all as string[]);
    });
    const counts = agents.map((a) => assignees.filter((x) => x === a.id).length);
    expect(counts).toEqual([2, 2, 2]);
    expect(assignees).not.toContain(offline.id);
    // In turn: no agent gets two in a row.
    for (let i = 1; i < assignees.length; i++) expect(assignees[i]).not.toBe(assignees[i - 1]);
    const events = await feedEvents(ids[0]!);
    expect(events.map((e) => e.event)).toContainEqual(
      expect.objectContaining({ kind: "assigned", reason: "distribution", to: assignees[0] }),
    );
    // The agent sees it in their own list.
    const mine = agents.find((a) => a.id === assignees[0])!;
    expect((await mine.client.get(`/api/conversations/${ids[0]}`)).status).toBe(200);
  });

  it("manual mode and connections without settings leave conversations in the queue; ingest enqueues no job", async () => {
    const { owner, conn } = await setup({ mode: "manual" });
    await onlineAgent(owner);
    const other = await apiConnection(t, owner);
    const a = await arrive(conn);
    const b = await arrive(other);
    const jobs = await t.db.query(
      "select 1 from jobs where type = 'distribution.assign' and payload::text like any($1::text[])",
      [[`%${a}%`, `%${b}%`]],
    );
    expect(jobs).toHaveLength(0);
    expect(await assigneeOf(a)).toBeNull();
    expect(await assigneeOf(b)).toBeNull();
  });

  it("passes over agents on vacation and at capacity; the queue drains oldest first when they return or free room", async () => {
    const { owner, conn } = await setup();
    const busy = await onlineAgent(owner);
    const away = await onlineAgent(owner);
    expect((await owner.put(`/api/distribution/agents/${busy.id}`, { maxOpen: 1 })).status).toBe(200);
    expect((await owner.put(`/api/distribution/agents/${away.id}`, { onVacation: true })).status).toBe(200);
    const first = await arrive(conn);
    await eventually(async () => (await assigneeOf(first)) === busy.id);
    const waiting: string[] = [];
    for (let i = 0; i < 3; i++) {
      waiting.push(await arrive(conn));
      await pass(60_000);
    }
    // Nobody is eligible: all three wait, oldest first, on the panel.
    const panel = await eventually(async () => {
      const p = await owner.get("/api/distribution/panel");
      return p.body.queue.length === 3 && p.body;
    });
    expect(panel.queue.map((q: { conversationId: string }) => q.conversationId)).toEqual(waiting);
    expect(panel.queue[0].waitingSeconds).toBeGreaterThanOrEqual(180);
    const loads = Object.fromEntries(panel.agents.map((a: { id: string }) => [a.id, a]));
    expect(loads[busy.id]).toMatchObject({ open: 1, maxOpen: 1, online: true, eligible: false });
    expect(loads[away.id]).toMatchObject({ onVacation: true, eligible: false });
    for (const id of waiting) expect(await assigneeOf(id)).toBeNull();

    // Back from vacation with room for one: the oldest waiting goes to them.
    await owner.put(`/api/distribution/agents/${away.id}`, { onVacation: false, maxOpen: 1 });
    await eventually(async () => (await assigneeOf(waiting[0]!)) === away.id);
    expect(await assigneeOf(waiting[1]!)).toBeNull();

    // The busy agent closes their conversation: the next oldest is theirs.
    expect((await busy.client.post(`/api/conversations/${first}/status`, { status: "closed" })).status).toBe(
      200,
    );
    await eventually(async () => (await assigneeOf(waiting[1]!)) === busy.id);
    expect(await assigneeOf(waiting[2]!)).toBeNull();

    // A third agent comes online: the last one is theirs.
    const late = await addUser(t, owner, "agent");
    await goOnline(late);
    await eventually(async () => (await assigneeOf(waiting[2]!)) === late.id);
  });

  it("least busy gives new conversations to the agent with the fewest open ones", async () => {
    const { owner, conn } = await setup({ mode: "least_busy" });
    const loaded = await onlineAgent(owner);
    const idle = await onlineAgent(owner);
    // Two conversations the loaded agent took by hand, before distribution was on for this connection.
    const other = await apiConnection(t, owner);
    for (let i = 0; i < 2; i++) {
      const id = await arrive(other);
      expect((await owner.post(`/api/conversations/${id}/assign`, { assigneeId: loaded.id })).status).toBe(
        200,
      );
    }
    const a = await arrive(conn);
    await eventually(async () => (await assigneeOf(a)) === idle.id);
    const b = await arrive(conn);
    await eventually(async () => (await assigneeOf(b)) === idle.id);
    // Now two each: the tie goes round from the last pick.
    const c = await arrive(conn);
    await eventually(async () => (await assigneeOf(c)) === loaded.id);
  });
});

describe("auto-reassignment", () => {
  it("takes a conversation from an agent who has not answered in time; the previous agent loses sight of it", async () => {
    const { owner, conn } = await setup({
      mode: "round_robin",
      replyTimeoutMinutes: 5,
      reassignWhenAway: false,
    });
    const a = await onlineAgent(owner);
    const b = await onlineAgent(owner);
    const id = await arrive(conn);
    const first = (await eventually(() => assigneeOf(id)))!;
    const [was, next] = first === a.id ? [a, b] : [b, a];
    // Four minutes: not yet.
    await pass(4 * 60_000);
    expect(await reassignOverdue(t.server.ctx, owner.workspaceId)).toBe(0);
    await pass(2 * 60_000);
    expect(await reassignOverdue(t.server.ctx, owner.workspaceId)).toBe(1);
    await eventually(async () => (await assigneeOf(id)) === next.id);
    const events = (await feedEvents(id)).map((e) => e.event);
    expect(events).toContainEqual(
      expect.objectContaining({ kind: "unassigned", reason: "reply_timeout", from: was.id }),
    );
    expect(events.at(-1)).toMatchObject({ kind: "assigned", to: next.id });
    expect((await was.client.get(`/api/conversations/${id}`)).status).toBe(404);
    expect((await next.client.get(`/api/conversations/${id}`)).status).toBe(200);
    // The new agent's own five minutes start at the reassignment.
    expect(await reassignOverdue(t.server.ctx, owner.workspaceId)).toBe(0);
  });

  it("counts the reply timeout in business hours: closed time does not make an agent overdue", async () => {
    const { owner, conn } = await setup({
      mode: "round_robin",
      replyTimeoutMinutes: 5,
      reassignWhenAway: false,
    });
    // Open every day for two hours from a quarter of an hour after the next 5-minute mark (UTC).
    const FIVE = 5 * 60_000;
    const opens = Math.ceil((clock.now().getTime() + 20 * 60_000) / FIVE) * FIVE;
    const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);
    const hours = await owner.put("/api/hours/workspace", {
      timeZone: "UTC",
      weekly: [1, 2, 3, 4, 5, 6, 7].map((day) => ({
        day,
        from: hhmm(opens),
        to: hhmm(opens + 2 * 3_600_000),
      })),
    });
    expect(hours.status, JSON.stringify(hours.body)).toBe(200);
    const a = await onlineAgent(owner);
    const b = await onlineAgent(owner);
    const id = await arrive(conn);
    await eventually(async () => (await assigneeOf(id)) !== null);
    const first = (await assigneeOf(id))!;
    // Ten minutes pass while closed: plain time is past the limit, working time is not.
    await pass(10 * 60_000);
    expect(await reassignOverdue(t.server.ctx, owner.workspaceId)).toBe(0);
    expect(await assigneeOf(id)).toBe(first);
    // Six working minutes after opening: overdue.
    await pass(opens - clock.now().getTime() + 6 * 60_000);
    expect(await reassignOverdue(t.server.ctx, owner.workspaceId)).toBe(1);
    const other = first === a.id ? b.id : a.id;
    await eventually(async () => (await assigneeOf(id)) === other);
  });

  it("an agent's reply stops the timer", async () => {
    const { owner, conn } = await setup({ mode: "round_robin", replyTimeoutMinutes: 5 });
    const a = await onlineAgent(owner);
    const id = await arrive(conn);
    await eventually(async () => (await assigneeOf(id)) === a.id);
    const sent = await a.client.post(`/api/conversations/${id}/messages`, { text: "On it" });
    expect(sent.status, JSON.stringify(sent.body)).toBeLessThan(300);
    await pass(10 * 60_000);
    expect(await reassignOverdue(t.server.ctx, owner.workspaceId)).toBe(0);
    expect(await assigneeOf(id)).toBe(a.id);
  });

  it("sends conversations of an agent gone offline to the fallback team's distribution", async () => {
    const { owner, conn } = await setup();
    const team = await owner.post("/api/teams", { name: unique("night") });
    expect(team.status, JSON.stringify(team.body)).toBe(201);
    const teamId = team.body.team.id as string;
    const leaving = await onlineAgent(owner);
    await owner.put(`/api/distribution/connections/${conn.id}`, {
      mode: "round_robin",
      fallbackTeamId: teamId,
    });
    const id = await arrive(conn);
    await eventually(async () => (await assigneeOf(id)) === leaving.id);
    const night = await onlineAgent(owner);
    expect((await owner.put(`/api/teams/${teamId}/members/${night.id}`)).status).toBe(200);
    expect((await owner.put(`/api/distribution/teams/${teamId}`, { mode: "round_robin" })).status).toBe(200);
    // The leaving agent closes their app.
    const mySocket = sockets.shift()!;
    mySocket.close();
    await eventually(async () => {
      const r = await t.db.query("select 1 from presence_sockets where user_id = $1", [leaving.id]);
      return r.length === 0;
    });
    expect(await reassignOverdue(t.server.ctx, owner.workspaceId)).toBe(1);
    await eventually(async () => (await assigneeOf(id)) === night.id);
    const [row] = await t.db.query<{ team_id: string }>("select team_id from conversations where id = $1", [
      id,
    ]);
    expect(row!.team_id).toBe(teamId);
    expect((await feedEvents(id)).map((e) => e.event)).toContainEqual(
      expect.objectContaining({ kind: "unassigned", reason: "agent_away", from: leaving.id }),
    );
  });
});

describe("crash recovery", () => {
  it("a conversation whose assign job was interrupted is assigned exactly once when the job runs again", async () => {
    const { owner, conn } = await setup();
    await onlineAgent(owner);
    await onlineAgent(owner);
    // The worker is down: the job stays in the table, as after a crash between ingest and assignment.
    await t.server.ctx.jobs.stop();
    let id: string;
    try {
      id = await arrive(conn);
      const [job] = await t.db.query<{ id: number; status: string }>(
        "select id, status from jobs where type = 'distribution.assign' and payload::text like $1",
        [`%${id}%`],
      );
      expect(job?.status).toBe("pending");
      expect(await assigneeOf(id)).toBeNull();
      // A worker took the job and assigned the conversation, then died before marking the job done.
      const got = await distributeConversation(t.server.ctx, id);
      expect(got).toBeTruthy();
      await t.db.query(
        "update jobs set status = 'running', locked_until = now() - interval '1 second' where id = $1",
        [job!.id],
      );
      // Running it again (and again) changes nothing.
      expect(await distributeConversation(t.server.ctx, id)).toBeNull();
    } finally {
      t.server.ctx.jobs.start();
    }
    await eventually(async () => {
      const [j] = await t.db.query<{ status: string }>(
        "select status from jobs where type = 'distribution.assign' and payload::text like $1",
        [`%${id}%`],
      );
      return j?.status === "done";
    });
    const assigned = (await feedEvents(id)).filter((e) => e.event.kind === "assigned");
    expect(assigned).toHaveLength(1);
    expect(assigned[0]!.event.to).toBe(await assigneeOf(id));
  });

  it("refuses settings without the automation permission, and bad input with a reason", async () => {
    const { owner, conn } = await setup();
    const agent = await addUser(t, owner, "agent");
    const r = await agent.client.put(`/api/distribution/connections/${conn.id}`, { mode: "round_robin" });
    expect(r.status).toBe(403);
    expect(r.body.error.message).toMatch(/automation\.manage/);
    expect((await agent.client.get("/api/distribution/panel")).status).toBe(403);
    const bad = await owner.put(`/api/distribution/connections/${conn.id}`, { mode: "random" });
    expect(bad.status).toBe(400);
    const empty = await owner.put(`/api/distribution/agents/${agent.id}`, {});
    expect(empty.status).toBe(400);
    expect(empty.body.error.message).toMatch(/capacity/);
    const other = await newWorkspace(t);
    expect(
      (await other.owner.put(`/api/distribution/connections/${conn.id}`, { mode: "manual" })).status,
    ).toBe(404);
  });
});
