import { afterEach, describe, expect, it } from "vitest";
import type { AppContext } from "../../context";
import { MovableClock } from "../../lib/time";
import { countingDb } from "../../testing/counting-db";
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
import { drainScope } from "./commands/distribute";
import { type AgentLoad, pickAgents } from "./scope";

const clock = new MovableClock();
const t = useTestServer({ clock });
const sockets: SocketClient[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
});

async function onlineAgent(owner: Client) {
  const agent = await addUser(t, owner, "agent", unique("agent"));
  sockets.push(await agent.client.socket(t.wsUrl));
  await eventually(async () => {
    const r = await t.db.query("select 1 from presence_sockets where user_id = $1 and state = 'online'", [
      agent.id,
    ]);
    return r.length > 0;
  });
  return agent;
}

/** A round-robin connection; answers its scope's id too. */
async function setup() {
  const { owner, workspaceId } = await newWorkspace(t);
  const conn = await apiConnection(t, owner);
  expect((await owner.put(`/api/distribution/connections/${conn.id}`, { mode: "round_robin" })).status).toBe(
    200,
  );
  const [scope] = await t.db.query<{ id: string }>(
    "select id from distribution_settings where connection_id = $1",
    [conn.id],
  );
  return { owner, workspaceId, conn, scopeId: scope!.id };
}

/** New customers write, one second apart: answers the conversations' ids, oldest first. */
async function arrive(conn: Awaited<ReturnType<typeof apiConnection>>, count: number) {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const r = await conn.post(inbound(unique("c"), "hello"));
    expect(r.status).toBe(200);
    ids.push(r.body.results[0].conversationId);
    clock.advance(1000);
  }
  return ids;
}

const assigneesOf = async (ids: string[]) => {
  const rows = await t.db.query<{ id: string; assignee_id: string | null }>(
    "select id, assignee_id from conversations where id = any($1::uuid[])",
    [ids],
  );
  const by = new Map(rows.map((r) => [r.id, r.assignee_id]));
  return ids.map((id) => by.get(id) ?? null);
};

/**
 * With the job workers stopped the assign jobs ingest enqueues stay pending, so the test's own drain is the
 * one that assigns: it sees the whole queue as one batch. The distribution sweep (a scheduled task every
 * 30 s of the test's clock, looked at every 15 s of real time) would drain it too on a slow machine: its
 * slots for the next few minutes of the clock are taken first, as another process running it would.
 */
async function withoutWorkers<T>(fn: () => Promise<T>): Promise<T> {
  const slot = Math.floor(clock.now().getTime() / 30_000);
  await t.db.query(
    `insert into scheduled_runs (task, slot) select 'distribution-sweep', s from generate_series($1::bigint, $1::bigint + 10) s
     on conflict do nothing`,
    [slot],
  );
  await t.server.ctx.jobs.stop();
  try {
    return await fn();
  } finally {
    t.server.ctx.jobs.start();
  }
}

describe("assigning a batch", () => {
  it("a batch larger than the free capacity assigns exactly up to capacity and leaves the rest queued oldest first", async () => {
    const { owner, workspaceId, conn, scopeId } = await setup();
    const a = await onlineAgent(owner);
    const b = await onlineAgent(owner);
    await addUser(t, owner, "agent"); // offline: never picked
    expect((await owner.put(`/api/distribution/agents/${a.id}`, { maxOpen: 2 })).status).toBe(200);
    expect((await owner.put(`/api/distribution/agents/${b.id}`, { maxOpen: 1 })).status).toBe(200);
    const ids = await withoutWorkers(async () => {
      const ids = await arrive(conn, 7);
      expect(await assigneesOf(ids)).toEqual(ids.map(() => null));
      expect(await drainScope(t.server.ctx, workspaceId, scopeId)).toBe(3);
      return ids;
    });
    const assignees = await assigneesOf(ids);
    // The three oldest got an agent, within each one's capacity; the four newest wait.
    expect(assignees.slice(3)).toEqual([null, null, null, null]);
    expect(assignees.slice(0, 3).filter((x) => x === a.id)).toHaveLength(2);
    expect(assignees.slice(0, 3).filter((x) => x === b.id)).toHaveLength(1);
    const panel = await owner.get("/api/distribution/panel");
    expect(panel.body.queue.map((q: { conversationId: string }) => q.conversationId)).toEqual(ids.slice(3));
    // One feed line per assigned conversation, naming its agent; none for those still waiting.
    const lines = await t.db.query<{ conversation_id: string; event: { to: string; reason: string } }>(
      `select conversation_id, event from messages
       where conversation_id = any($1::uuid[]) and kind = 'event' and event->>'kind' = 'assigned'`,
      [ids],
    );
    expect(lines).toHaveLength(3);
    for (const l of lines) {
      const i = ids.indexOf(l.conversation_id);
      expect(i).toBeLessThan(3);
      expect(l.event).toMatchObject({ to: assignees[i], reason: "distribution" });
    }
    // Room for one more: the oldest waiting is next.
    expect((await owner.put(`/api/distribution/agents/${b.id}`, { maxOpen: 2 })).status).toBe(200);
    await eventually(async () => (await assigneesOf([ids[3]!]))[0] === b.id);
    expect(await assigneesOf(ids.slice(4))).toEqual([null, null, null]);
  });

  it("writes a batch of forty in as many statements as a batch of two", async () => {
    const { owner, workspaceId, conn, scopeId } = await setup();
    const agents = [await onlineAgent(owner), await onlineAgent(owner), await onlineAgent(owner)];
    const counter = countingDb(t.server.ctx.db);
    const ctx: AppContext = { ...t.server.ctx, db: counter.db };
    const [small, large] = await withoutWorkers(async () => {
      const few = await arrive(conn, 2);
      counter.take();
      expect(await drainScope(ctx, workspaceId, scopeId)).toBe(2);
      const small = counter.take();
      const many = await arrive(conn, 40);
      counter.take();
      expect(await drainScope(ctx, workspaceId, scopeId)).toBe(40);
      const large = counter.take();
      const all = await assigneesOf([...few, ...many]);
      // Round-robin through the batch: three agents, 42 conversations, 14 each.
      for (const agent of agents) expect(all.filter((x) => x === agent.id)).toHaveLength(14);
      return [small, large];
    });
    expect(small).toBeGreaterThan(0);
    expect(large).toBe(small);
  });
});

describe("the batch picker", () => {
  const agent = (id: string, open: number, maxOpen: number | null = null): AgentLoad => ({
    id,
    name: id,
    open,
    maxOpen,
    online: true,
    onVacation: false,
    languages: [],
    tagIds: [],
    channelMaxOpen: {},
    openByChannel: {},
  });

  it("round-robin goes on from the cursor, wraps round, and stops when capacity runs out", () => {
    const agents = [agent("a", 0, 1), agent("b", 0, 3), agent("c", 0, 2)];
    const { picks, cursor } = pickAgents("round_robin", agents, "a", 10);
    expect(picks).toEqual(["b", "c", "a", "b", "c", "b"]);
    expect(cursor).toBe("b");
    // The loads given are not changed.
    expect(agents.map((x) => x.open)).toEqual([0, 0, 0]);
  });

  it("least busy evens the loads out within the batch, and never picks the excluded agent", () => {
    const agents = [agent("a", 4), agent("b", 1), agent("c", 0), agent("d", 0)];
    const { picks } = pickAgents("least_busy", agents, null, 6, "d");
    // c catches up with b, then ties alternate from the last pick: b and c end at 4 and 3.
    expect(picks).toEqual(["c", "b", "c", "b", "c", "b"]);
    expect(pickAgents("manual", agents, null, 3).picks).toEqual([]);
  });

  it("matching filters the candidates per conversation; round-robin stays fair within each matching set", () => {
    const speak = (a: AgentLoad, ...languages: string[]) => ({ ...a, languages });
    const agents = [speak(agent("a", 0), "ru"), speak(agent("b", 0), "en"), speak(agent("c", 0), "ru", "en")];
    const rules = { matchLanguage: true, matchTags: false, unmatched: "wait" as const };
    const need = (language: string | null) => ({ channel: "api", language, tagIds: [] });
    const needs = ["ru-RU", "ru", "de", "en-GB", "ru_UA", null, "ru"].map(need);
    const { picks, exhausted } = pickAgents("round_robin", agents, null, needs.length, null, needs, rules);
    // From the one cursor: Russian among a and c, English among b and c, German waits, none: anyone.
    expect(picks).toEqual(["a", "c", null, "b", "c", "a", "c"]);
    expect(exhausted).toBe(false);
    // Conversations of one language go round its speakers in turn: each within one of the others.
    const ru = Array.from({ length: 7 }, () => need("ru"));
    const even = pickAgents("round_robin", agents, "b", 7, null, ru, rules).picks;
    expect(even).toEqual(["c", "a", "c", "a", "c", "a", "c"]);
    // Falling back to anyone eligible when the scope says so.
    const any = pickAgents("round_robin", agents, "c", 1, null, [need("de")], { ...rules, unmatched: "any" });
    expect(any.picks).toEqual(["a"]);
  });

  it("a per-channel limit passes an agent over for that channel only, counting the batch's own picks", () => {
    const agents = [
      { ...agent("a", 0), channelMaxOpen: { whatsapp: 1 }, openByChannel: {} },
      agent("b", 0, 1),
    ];
    const needs = ["whatsapp", "whatsapp", "whatsapp", "telegram"].map((channel) => ({
      channel,
      language: null,
      tagIds: [],
    }));
    const { picks } = pickAgents("round_robin", agents, null, 4, null, needs);
    // a takes one WhatsApp, b its only one (overall capacity), the third waits, Telegram goes to a.
    expect(picks).toEqual(["a", "b", null, "a"]);
  });
});
