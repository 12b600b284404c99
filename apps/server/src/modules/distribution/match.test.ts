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
import { wakeDueSnoozes } from "../conversations/commands/wake-snoozed";
import { sweepNoReply } from "../rules/commands/no-reply-sweep";
import { drainWorkspace } from "./commands/distribute";
import { reassignOverdue } from "./commands/reassign";

const clock = new MovableClock();
const t = useTestServer({ clock });
const sockets: SocketClient[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
});

type Conn = Awaited<ReturnType<typeof apiConnection>>;

/** An agent signed in with the realtime socket open: online for distribution. */
async function onlineAgent(owner: Client, settings: Record<string, unknown> = {}) {
  const agent = await addUser(t, owner, "agent", unique("agent"));
  if (Object.keys(settings).length) {
    const r = await owner.put(`/api/distribution/agents/${agent.id}`, settings);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  }
  sockets.push(await agent.client.socket(t.wsUrl));
  await eventually(async () => {
    const r = await t.db.query("select 1 from presence_sockets where user_id = $1 and state = 'online'", [
      agent.id,
    ]);
    return r.length > 0;
  });
  return agent;
}

async function setup(settings: Record<string, unknown> = {}) {
  const { owner, workspaceId } = await newWorkspace(t);
  const conn = await apiConnection(t, owner);
  await configure(owner, conn, settings);
  return { owner, workspaceId, conn };
}
async function configure(owner: Client, conn: Conn, settings: Record<string, unknown>) {
  const r = await owner.put(`/api/distribution/connections/${conn.id}`, { mode: "round_robin", ...settings });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.settings;
}

/** A new customer writes (with the source's language when given): answers the conversation's id. */
async function arrive(conn: Conn, language?: string, contact = unique("c")) {
  const r = await conn.post(inbound(contact, "hello", unique("m"), language ? { source: { language } } : {}));
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.results[0].conversationId as string;
}

/** Moves the clock as the presence heartbeat would meanwhile have kept open sockets fresh. */
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

/** The panel's queue entry of a conversation, once it shows the expected reason. */
async function waitReason(owner: Client, id: string, reason: string | null) {
  return eventually(async () => {
    const p = await owner.get("/api/distribution/panel");
    const item = p.body.queue.find((q: { conversationId: string }) => q.conversationId === id);
    return item?.waitReason === reason && item;
  });
}

/** A tag of the workspace given to the contact of the conversation. */
async function tagContact(owner: Client, conversationId: string, tagId: string) {
  const [c] = await t.db.query<{ contact_id: string }>("select contact_id from conversations where id = $1", [
    conversationId,
  ]);
  const r = await owner.put(`/api/contacts/${c!.contact_id}/tags/${tagId}`, {});
  expect(r.status, JSON.stringify(r.body)).toBeLessThan(300);
}
async function newTag(owner: Client) {
  const r = await owner.post("/api/tags", { name: unique("tag") });
  expect(r.status).toBe(201);
  return r.body.tag.id as string;
}

describe("matching agents to the conversation", () => {
  it("language: only speakers of it (any region), no language goes to anyone, no speaker waits with the reason", async () => {
    const { owner, conn } = await setup({ matchLanguage: true });
    const ru = await onlineAgent(owner, { languages: ["ru", "UK"] });
    const en = await onlineAgent(owner, { languages: ["en"] });
    const russian = [await arrive(conn, "ru-RU"), await arrive(conn, "ru_UA"), await arrive(conn, "uk")];
    const english = await arrive(conn, "en-GB");
    for (const id of russian) await eventually(async () => (await assigneeOf(id)) === ru.id);
    await eventually(async () => (await assigneeOf(english)) === en.id);
    // Without a language: anyone (round-robin goes on), so both get one of two.
    const plain = [await arrive(conn), await arrive(conn)];
    const got = await eventually(async () => {
      const all = await Promise.all(plain.map(assigneeOf));
      return all.every(Boolean) && all;
    });
    expect(new Set(got)).toEqual(new Set([ru.id, en.id]));
    // German: nobody speaks it: it waits, and the panel says why; the others behind it are still assigned.
    const german = await arrive(conn, "de-AT");
    const after = await arrive(conn, "en");
    await eventually(async () => (await assigneeOf(after)) === en.id);
    expect(await assigneeOf(german)).toBeNull();
    await waitReason(owner, german, "no_language_match");
    const panel = await owner.get("/api/distribution/panel");
    expect(panel.body.agents.find((a: { id: string }) => a.id === ru.id).languages).toEqual(["ru", "uk"]);
    // A German speaker joins the scope's agents: the queue drains to them.
    const de = await onlineAgent(owner, { languages: ["de"] });
    await eventually(async () => (await assigneeOf(german)) === de.id);
  });

  it("falls back to any eligible agent when the scope says so", async () => {
    const { owner, conn } = await setup({ matchLanguage: true, unmatched: "wait" });
    const ru = await onlineAgent(owner, { languages: ["ru"] });
    const german = await arrive(conn, "de");
    await waitReason(owner, german, "no_language_match");
    await configure(owner, conn, { matchLanguage: true, unmatched: "any" });
    await eventually(async () => (await assigneeOf(german)) === ru.id);
  });

  it("tags: only agents handling one of the contact's tags; a contact without tags goes to anyone", async () => {
    const { owner, conn } = await setup({ matchTags: true });
    const vip = await newTag(owner);
    const wholesale = await newTag(owner);
    const other = await newTag(owner);
    // No agent online yet: tag the contacts while their conversations wait.
    const a = await arrive(conn);
    const b = await arrive(conn);
    const c = await arrive(conn);
    const plain = await arrive(conn);
    await tagContact(owner, a, vip);
    await tagContact(owner, b, wholesale);
    await tagContact(owner, c, other);
    const vipAgent = await onlineAgent(owner, { tagIds: [vip] });
    await eventually(async () => (await assigneeOf(a)) === vipAgent.id);
    const bulk = await onlineAgent(owner, { tagIds: [wholesale, vip] });
    await eventually(async () => (await assigneeOf(b)) === bulk.id);
    await eventually(async () => (await assigneeOf(plain)) !== null);
    expect(await assigneeOf(c)).toBeNull();
    await waitReason(owner, c, "no_tag_match");
  });

  it("per-channel capacity: an agent at their limit for the channel is passed over; both limits apply", async () => {
    const { owner, conn } = await setup();
    const a = await onlineAgent(owner, { channelMaxOpen: { api: 1 } });
    const first = await arrive(conn);
    await eventually(async () => (await assigneeOf(first)) === a.id);
    const second = await arrive(conn);
    await waitReason(owner, second, "channel_capacity");
    let panel = await owner.get("/api/distribution/panel");
    expect(panel.body.agents.find((x: { id: string }) => x.id === a.id)).toMatchObject({
      channelMaxOpen: { api: 1 },
      openByChannel: { api: 1 },
    });
    // More room on the channel but an overall capacity of 1: still waiting, now for the overall limit.
    expect(
      (await owner.put(`/api/distribution/agents/${a.id}`, { channelMaxOpen: { api: 5 }, maxOpen: 1 }))
        .status,
    ).toBe(200);
    await waitReason(owner, second, "at_capacity");
    expect((await owner.put(`/api/distribution/agents/${a.id}`, { maxOpen: 2 })).status).toBe(200);
    await eventually(async () => (await assigneeOf(second)) === a.id);
    panel = await owner.get("/api/distribution/panel");
    expect(panel.body.queue).toEqual([]);
  });

  it("refuses unknown language codes, other workspaces' tags and unknown channel types with a message", async () => {
    const { owner } = await setup();
    const agent = await addUser(t, owner, "agent");
    const badLanguage = await owner.put(`/api/distribution/agents/${agent.id}`, { languages: ["en", "xx"] });
    expect(badLanguage.status).toBe(400);
    expect(JSON.stringify(badLanguage.body)).toMatch(/xx\\" is not an ISO 639-1 language code/);
    const elsewhere = await newWorkspace(t);
    const foreign = await newTag(elsewhere.owner);
    const badTag = await owner.put(`/api/distribution/agents/${agent.id}`, { tagIds: [foreign] });
    expect(badTag.status).toBe(400);
    expect(JSON.stringify(badTag.body)).toMatch(/not tags of this workspace/);
    const badChannel = await owner.put(`/api/distribution/agents/${agent.id}`, {
      channelMaxOpen: { fax: 2 },
    });
    expect(badChannel.status).toBe(400);
    const empty = await owner.put(`/api/distribution/agents/${agent.id}`, {});
    expect(empty.status).toBe(400);
    expect((await t.db.query("select 1 from agent_distribution where user_id = $1", [agent.id])).length).toBe(
      0,
    );
    // Another workspace's admin cannot set this agent at all.
    expect(
      (await elsewhere.owner.put(`/api/distribution/agents/${agent.id}`, { languages: ["en"] })).status,
    ).toBe(404);
  });
});

describe("snoozed conversations", () => {
  it("wait in the queue while snoozed and are distributed when they wake", async () => {
    const { owner, conn } = await setup();
    const id = await arrive(conn);
    const until = new Date(clock.now().getTime() + 60 * 60_000);
    const s = await owner.put(`/api/conversations/${id}/snooze`, { until: until.toISOString() });
    expect(s.status, JSON.stringify(s.body)).toBe(200);
    const agent = await onlineAgent(owner);
    const awake = await arrive(conn);
    await eventually(async () => (await assigneeOf(awake)) === agent.id);
    await drainWorkspace(
      t.server.ctx,
      (
        await t.db.query<{ workspace_id: string }>("select workspace_id from conversations where id = $1", [
          id,
        ])
      )[0]!.workspace_id,
    );
    expect(await assigneeOf(id)).toBeNull();
    await waitReason(owner, id, "snoozed");
    await pass(61 * 60_000);
    expect(await wakeDueSnoozes(t.server.ctx)).toBeGreaterThanOrEqual(1);
    await eventually(async () => (await assigneeOf(id)) === agent.id);
  });

  it("stay with their agent past the reply timeout until they wake, then go back to distribution", async () => {
    const { owner, workspaceId, conn } = await setup({ replyTimeoutMinutes: 5 });
    const agent = await onlineAgent(owner);
    const id = await arrive(conn);
    await eventually(async () => (await assigneeOf(id)) === agent.id);
    const until = new Date(clock.now().getTime() + 60 * 60_000);
    expect(
      (await agent.client.put(`/api/conversations/${id}/snooze`, { until: until.toISOString() })).status,
    ).toBe(200);
    await pass(10 * 60_000);
    expect(await reassignOverdue(t.server.ctx, workspaceId)).toBe(0);
    expect(await assigneeOf(id)).toBe(agent.id);
    await pass(51 * 60_000);
    expect(await reassignOverdue(t.server.ctx, workspaceId)).toBe(1);
    const feed = await t.db.query<{ event: { kind: string; reason?: string } }>(
      "select event from messages where conversation_id = $1 and kind = 'event' order by seq",
      [id],
    );
    expect(feed.map((f) => f.event)).toContainEqual(
      expect.objectContaining({ kind: "unassigned", reason: "reply_timeout" }),
    );
  });

  it("the rules' no-reply trigger passes over a snoozed conversation and acts once it wakes", async () => {
    const { owner } = await setup();
    const conn = await apiConnection(t, owner);
    const rule = await owner.post("/api/rules", {
      name: unique("rule"),
      trigger: "no_reply",
      minutes: 30,
      actions: [{ type: "note", text: "Waiting too long" }],
    });
    expect(rule.status, JSON.stringify(rule.body)).toBe(201);
    const id = await arrive(conn);
    const until = new Date(clock.now().getTime() + 120 * 60_000);
    expect((await owner.put(`/api/conversations/${id}/snooze`, { until: until.toISOString() })).status).toBe(
      200,
    );
    const notes = async () =>
      (
        await t.db.query<{ n: number }>(
          "select count(*)::int as n from messages where conversation_id = $1 and kind = 'note' and text = 'Waiting too long'",
          [id],
        )
      )[0]!.n;
    clock.advance(60 * 60_000);
    await sweepNoReply(t.server.ctx);
    expect(await notes()).toBe(0);
    clock.advance(61 * 60_000);
    await sweepNoReply(t.server.ctx);
    expect(await notes()).toBe(1);
  });
});
