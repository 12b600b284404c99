import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MovableClock } from "../../lib/time";
import { eventually } from "../../testing/eventually";
import { addUser, apiConnection, type Client, inbound, newWorkspace, unique } from "../../testing/harness";
import { jobsSettled } from "../../testing/settled";
import { useTestServer } from "../../testing/use-test-server";
import { startWebhookReceiver } from "../../testing/webhook-receiver";
import { sweepNoReply } from "./commands/no-reply-sweep";
import { LOOP_CAP } from "./commands/run-rule";

const clock = new MovableClock();
const t = useTestServer({ clock });
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
beforeAll(async () => {
  receiver = await startWebhookReceiver();
});
afterAll(() => receiver.close());

async function setup() {
  const { owner, workspaceId } = await newWorkspace(t);
  const conn = await apiConnection(t, owner);
  return { owner, workspaceId, conn };
}

async function makeRule(owner: Client, rule: Record<string, unknown>) {
  const r = await owner.post("/api/rules", { name: unique("rule"), ...rule });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.rule as { id: string; name: string; position: number };
}

/** A customer writes: answers the conversation's id. */
async function arrive(
  conn: Awaited<ReturnType<typeof apiConnection>>,
  text = "hello",
  contact = unique("c"),
) {
  const r = await conn.post(inbound(contact, text));
  expect(r.status).toBe(200);
  return r.body.results[0].conversationId as string;
}

const runs = async (owner: Client, ruleId: string) => {
  const r = await owner.get(`/api/rules/${ruleId}/runs`);
  expect(r.status).toBe(200);
  return r.body.runs as { outcome: string; reason: string | null; conversationId: string }[];
};

const conversation = async (id: string) =>
  (
    await t.db.query<{
      assignee_id: string | null;
      team_id: string | null;
      status: string;
      contact_id: string;
    }>("select assignee_id, team_id, status, contact_id from conversations where id = $1", [id])
  )[0]!;

const contactTags = async (conversationId: string) =>
  (
    await t.db.query<{ tag_id: string }>(
      "select ct.tag_id from contact_tags ct join conversations c on c.contact_id = ct.contact_id where c.id = $1",
      [conversationId],
    )
  ).map((r) => r.tag_id);

const messagesOf = (conversationId: string) =>
  t.db.query<{ kind: string; direction: string; author_type: string; text: string | null }>(
    "select kind, direction, author_type, text from messages where conversation_id = $1 and kind <> 'event' order by seq",
    [conversationId],
  );

describe("automation rules", () => {
  it("a customer message matching the conditions assigns, tags, notes and replies through the usual commands", async () => {
    const { owner, conn } = await setup();
    const agent = await addUser(t, owner, "agent");
    const tag = (await owner.post("/api/tags", { name: unique("vip"), color: "#123456" })).body.tag;
    const canned = (
      await owner.post("/api/canned-replies", { shortcut: unique("r"), title: "Refunds", text: "We got it." })
    ).body.cannedReply;
    const rule = await makeRule(owner, {
      trigger: "customer_message",
      conditions: { textContains: "refund", channels: ["api"] },
      actions: [
        { type: "assign", userId: agent.id },
        { type: "add_tag", tagId: tag.id },
        { type: "note", text: "Refund request" },
        { type: "reply", cannedReplyId: canned.id },
      ],
    });
    const hit = await arrive(conn, "I want a REFUND please");
    const miss = await arrive(conn, "just saying hi");
    await eventually(async () => (await conversation(hit)).assignee_id === agent.id);
    await jobsSettled(t.server);
    expect(await contactTags(hit)).toEqual([tag.id]);
    const msgs = await messagesOf(hit);
    expect(msgs).toContainEqual(
      expect.objectContaining({ kind: "note", author_type: "bot", text: "Refund request" }),
    );
    expect(msgs).toContainEqual(
      expect.objectContaining({
        kind: "message",
        direction: "outbound",
        author_type: "bot",
        text: "We got it.",
      }),
    );
    // A rule's reply never makes the rule the assignee: the conversation keeps the agent the rule chose.
    expect((await conversation(hit)).assignee_id).toBe(agent.id);
    expect((await conversation(miss)).assignee_id).toBeNull();
    expect(await contactTags(miss)).toEqual([]);
    const log = await runs(owner, rule.id);
    expect(log.filter((r) => r.outcome === "matched").map((r) => r.conversationId)).toEqual([hit]);
    // The feed line of the assignment names the rule as who did it.
    const [line] = await t.db.query<{ event: { byUserId: string } }>(
      "select event from messages where conversation_id = $1 and kind = 'event' and event->>'kind' = 'assigned'",
      [hit],
    );
    expect(line!.event.byUserId).toBe(rule.id);
  });

  it("conversation created, team assignment, removing a tag and closing; stop-processing ends the run", async () => {
    const { owner, conn } = await setup();
    const team = (await owner.post("/api/teams", { name: unique("team") })).body.team;
    const tag = (await owner.post("/api/tags", { name: unique("new"), color: "#654321" })).body.tag;
    const first = await makeRule(owner, {
      trigger: "conversation_created",
      conditions: { contact: "first" },
      actions: [
        { type: "assign", teamId: team.id },
        { type: "add_tag", tagId: tag.id },
      ],
      stopProcessing: true,
    });
    const second = await makeRule(owner, { trigger: "conversation_created", actions: [{ type: "close" }] });
    const contact = unique("c");
    const id = await arrive(conn, "hello", contact);
    await eventually(async () => (await conversation(id)).team_id === team.id);
    await jobsSettled(t.server);
    expect(await contactTags(id)).toEqual([tag.id]);
    expect((await conversation(id)).status).toBe("open");
    expect(await runs(owner, second.id)).toEqual([]);

    // Without stop-processing the next rule runs too.
    const edited = await owner.put(`/api/rules/${first.id}`, {
      name: "tag and go on",
      trigger: "conversation_created",
      actions: [{ type: "add_tag", tagId: tag.id }],
    });
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);
    const other = await arrive(conn);
    await eventually(async () => (await conversation(other)).status === "closed");
    expect(await contactTags(other)).toEqual([tag.id]);
    expect(await runs(owner, second.id)).toHaveLength(1);

    // The first customer writes again: a rule takes the tag off.
    await makeRule(owner, { trigger: "customer_message", actions: [{ type: "remove_tag", tagId: tag.id }] });
    expect(await arrive(conn, "me again", contact)).toBe(id);
    await eventually(async () => (await contactTags(id)).length === 0);
  });

  it("agent messages and status changes trigger their rules", async () => {
    const { owner, conn } = await setup();
    const tag = (await owner.post("/api/tags", { name: unique("done"), color: "#111111" })).body.tag;
    await makeRule(owner, {
      trigger: "agent_message",
      conditions: { textMatches: "^order\\s+\\d+" },
      actions: [{ type: "note", text: "Order mentioned" }],
    });
    await makeRule(owner, { trigger: "status_changed", actions: [{ type: "add_tag", tagId: tag.id }] });
    const id = await arrive(conn);
    expect(
      (await owner.post(`/api/conversations/${id}/messages`, { text: "Order 42 is on its way" })).status,
    ).toBe(201);
    await eventually(async () => (await messagesOf(id)).some((m) => m.text === "Order mentioned"));
    expect((await owner.post(`/api/conversations/${id}/status`, { status: "closed" })).status).toBe(200);
    await eventually(async () => (await contactTags(id)).includes(tag.id));
  });

  it("a rule never runs on its own action, and rules triggering one another are stopped and say so", async () => {
    const { owner, conn } = await setup();
    const canned = (
      await owner.post("/api/canned-replies", { shortcut: unique("p"), title: "P", text: "ping" })
    ).body.cannedReply;
    const id = await arrive(conn);
    const a = await makeRule(owner, {
      trigger: "agent_message",
      actions: [{ type: "reply", cannedReplyId: canned.id }],
    });
    expect((await owner.post(`/api/conversations/${id}/messages`, { text: "hello" })).status).toBe(201);
    await eventually(async () => (await runs(owner, a.id)).some((r) => r.reason === "own_action"));
    await jobsSettled(t.server);
    // One reply to the agent's message; the rule's own reply triggered nothing.
    expect((await messagesOf(id)).filter((m) => m.author_type === "bot")).toHaveLength(1);
    expect((await runs(owner, a.id)).map((r) => r.outcome).sort()).toEqual(["matched", "skipped"]);

    // A second rule answers the first one's replies and the other way round: a loop.
    const b = await makeRule(owner, {
      trigger: "agent_message",
      actions: [{ type: "reply", cannedReplyId: canned.id }],
    });
    expect((await owner.post(`/api/conversations/${id}/messages`, { text: "again" })).status).toBe(201);
    await eventually(
      async () =>
        [...(await runs(owner, a.id)), ...(await runs(owner, b.id))].some((r) => r.reason === "loop_stopped"),
      { timeout: 60_000 },
    );
    await jobsSettled(t.server);
    const acted = await t.db.query<{ n: number }>(
      "select count(*)::int as n from rule_runs where conversation_id = $1 and outcome <> 'skipped'",
      [id],
    );
    // The loop ran until the cap (a run or two more when both rules counted at the same instant), then stopped.
    expect(acted[0]!.n).toBeGreaterThanOrEqual(LOOP_CAP);
    expect(acted[0]!.n).toBeLessThanOrEqual(LOOP_CAP + 2);
  });

  it("a failing webhook is logged as failed and never holds up the rule's other actions", async () => {
    const { owner, conn } = await setup();
    const tag = (await owner.post("/api/tags", { name: unique("hook"), color: "#222222" })).body.tag;
    receiver.respondWith(() => ({ status: 500, body: "down" }));
    const rule = await makeRule(owner, {
      trigger: "conversation_created",
      actions: [
        { type: "webhook", url: receiver.url },
        { type: "add_tag", tagId: tag.id },
      ],
    });
    const id = await arrive(conn);
    await eventually(async () => (await runs(owner, rule.id))[0]?.outcome === "failed");
    const [run] = await runs(owner, rule.id);
    expect(run!.reason).toBe("webhook: the address answered 500");
    expect(await contactTags(id)).toEqual([tag.id]);
    const call = receiver.requests.find((r) => r.body?.conversation?.id === id);
    expect(call?.body.rule).toEqual({ id: rule.id, name: rule.name });
    receiver.respondWith(() => ({ status: 200, body: "ok" }));
  });

  it("no reply for N minutes runs once per wait, by the movable clock", async () => {
    const { owner, conn } = await setup();
    const rule = await makeRule(owner, {
      trigger: "no_reply",
      minutes: 30,
      actions: [{ type: "note", text: "Waiting too long" }],
    });
    const id = await arrive(conn);
    await sweepNoReply(t.server.ctx);
    expect(await runs(owner, rule.id)).toEqual([]);
    clock.advance(31 * 60_000);
    await sweepNoReply(t.server.ctx);
    await sweepNoReply(t.server.ctx);
    expect((await runs(owner, rule.id)).map((r) => r.conversationId)).toEqual([id]);
    expect((await messagesOf(id)).filter((m) => m.text === "Waiting too long")).toHaveLength(1);
  });
});

describe("managing rules", () => {
  it("keeps an order, writes audit entries and refuses bad input with a message", async () => {
    const { owner, workspaceId } = await setup();
    const a = await makeRule(owner, { trigger: "customer_message", actions: [{ type: "close" }] });
    const b = await makeRule(owner, { trigger: "customer_message", actions: [{ type: "close" }] });
    expect(b.position).toBeGreaterThan(a.position);
    const reordered = await owner.put("/api/rules/order", { ids: [b.id, a.id] });
    expect(reordered.status).toBe(200);
    expect(reordered.body.rules.map((r: { id: string }) => r.id)).toEqual([b.id, a.id]);
    expect((await owner.put("/api/rules/order", { ids: [a.id] })).status).toBe(400);

    const badRegex = await owner.post("/api/rules", {
      name: "x",
      trigger: "customer_message",
      conditions: { textMatches: "(" },
      actions: [{ type: "close" }],
    });
    expect(badRegex.status).toBe(400);
    expect(JSON.stringify(badRegex.body)).toMatch(/not a valid regular expression/);
    const unknownTag = await owner.post("/api/rules", {
      name: "x",
      trigger: "customer_message",
      actions: [{ type: "add_tag", tagId: "00000000-0000-4000-8000-000000000000" }],
    });
    expect(unknownTag.status).toBe(400);
    expect(unknownTag.body.error.message).toMatch(/tag that does not exist/);

    expect((await owner.delete(`/api/rules/${a.id}`)).status).toBe(204);
    const audit = await t.db.query<{ action: string }>(
      "select action from audit_log where workspace_id = $1 and action like 'rule%' order by id",
      [workspaceId],
    );
    expect(audit.map((r) => r.action)).toEqual([
      "rule.created",
      "rule.created",
      "rules.reordered",
      "rule.deleted",
    ]);

    const agent = await addUser(t, owner, "agent");
    expect((await agent.client.get("/api/rules")).status).toBe(403);
    expect((await agent.client.post("/api/rules/dry-run", { conditions: {} })).status).toBe(403);
  });

  it("refuses to delete a team or deactivate an agent that a rule assigns to, naming the rule", async () => {
    const { owner } = await setup();
    const agent = await addUser(t, owner, "agent");
    const team = (await owner.post("/api/teams", { name: unique("team") })).body.team;
    const rule = await makeRule(owner, {
      name: "Route to sales",
      trigger: "conversation_created",
      actions: [{ type: "assign", userId: agent.id, teamId: team.id }],
    });
    const del = await owner.delete(`/api/teams/${team.id}`);
    expect(del.status).toBe(409);
    expect(del.body.error.message).toContain("“Route to sales”");
    const off = await owner.patch(`/api/users/${agent.id}`, { status: "disabled" });
    expect(off.status).toBe(409);
    expect(off.body.error.message).toContain("“Route to sales”");
    expect((await owner.delete(`/api/rules/${rule.id}`)).status).toBe(204);
    expect((await owner.delete(`/api/teams/${team.id}`)).status).toBe(204);
  });

  it("a dry run lists the recent conversations a rule would match, without acting", async () => {
    const { owner, conn } = await setup();
    const hit = await arrive(conn, "where is my parcel?");
    await arrive(conn, "thanks");
    const r = await owner.post("/api/rules/dry-run", { conditions: { textContains: "parcel" } });
    expect(r.status).toBe(200);
    expect(r.body.checked).toBe(2);
    expect(r.body.matches.map((m: { conversationId: string }) => m.conversationId)).toEqual([hit]);
    const bad = await owner.post("/api/rules/dry-run", { conditions: { textMatches: "[" } });
    expect(bad.status).toBe(400);
  });
});
