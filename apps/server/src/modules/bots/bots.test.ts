import { afterAll, afterEach, describe, expect, it } from "vitest";
import { MovableClock } from "../../lib/time";
import { eventually } from "../../testing/eventually";
import {
  addUser,
  apiConnection,
  inbound,
  newWorkspace,
  type SocketClient,
  unique,
} from "../../testing/harness";
import { useTestServer } from "../../testing/use-test-server";
import { startWebhookReceiver } from "../../testing/webhook-receiver";
import { withToken } from "../api-tokens/test-helpers";
import { verifySignature } from "../webhooks/sign";
import { handOverOverdue } from "./timeouts";

const clock = new MovableClock();
const t = useTestServer({ clock, env: { WEBHOOK_TIMEOUT_MS: "1000" } });
const receivers: { close(): Promise<void> }[] = [];
const sockets: SocketClient[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
});
afterAll(async () => {
  for (const r of receivers) await r.close();
});

async function botReceiver() {
  const r = await startWebhookReceiver();
  receivers.push(r);
  return r;
}

async function setup(bot: Record<string, unknown> = {}) {
  const { owner, workspaceId } = await newWorkspace(t);
  const conn = await apiConnection(t, owner);
  const hook = await botReceiver();
  const r = await owner.post("/api/bots", { name: unique("Bot"), webhookUrl: hook.url, ...bot });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return {
    owner,
    workspaceId,
    conn,
    hook,
    bot: r.body.bot as { id: string; name: string },
    token: r.body.token as string,
    signingSecret: r.body.signingSecret as string,
  };
}

/** A customer writes: answers the conversation's id. */
async function write(conn: Awaited<ReturnType<typeof apiConnection>>, contact: string, text: string) {
  const r = await conn.post(inbound(contact, text));
  expect(r.status).toBe(200);
  return r.body.results[0].conversationId as string;
}

const feedEvents = (id: string) =>
  t.db.query<{ event: Record<string, unknown> }>(
    "select event from messages where conversation_id = $1 and kind = 'event' order by seq",
    [id],
  );
const convRow = async (id: string) =>
  (
    await t.db.query<{ bot_id: string | null; assignee_id: string | null }>(
      "select bot_id, assignee_id from conversations where id = $1",
      [id],
    )
  )[0]!;

describe("external bots (R702)", () => {
  it("manages bots with audit entries; secrets are shown once; bad input and other roles are refused", async () => {
    const { owner, workspaceId, bot, token, signingSecret, hook } = await setup({
      handoffKeywords: ["operator"],
      timeLimitSeconds: 120,
    });
    expect(token).toMatch(/^prl_/);
    expect(signingSecret).toMatch(/^whsec_/);
    const list = await owner.get("/api/bots/settings");
    expect(list.status).toBe(200);
    expect(list.body.bots).toEqual([
      expect.objectContaining({
        id: bot.id,
        webhookUrl: hook.url,
        timeLimitSeconds: 120,
        handoffKeywords: ["operator"],
      }),
    ]);
    expect(JSON.stringify(list.body)).not.toContain(signingSecret);
    const names = await owner.get("/api/bots");
    expect(names.body.bots).toEqual([{ id: bot.id, name: bot.name, avatarUrl: null }]);

    const dupe = await owner.post("/api/bots", { name: bot.name.toUpperCase(), webhookUrl: hook.url });
    expect(dupe.status).toBe(409);
    expect(dupe.body.error.message).toContain("already exists");
    const badUrl = await owner.post("/api/bots", { name: unique("b"), webhookUrl: "ftp://x" });
    expect(badUrl.status).toBe(400);
    const badLimit = await owner.patch(`/api/bots/${bot.id}`, { timeLimitSeconds: 1 });
    expect(badLimit.status).toBe(400);

    const changed = await owner.patch(`/api/bots/${bot.id}`, {
      timeLimitSeconds: 30,
      handoffKeywords: ["human"],
    });
    expect(changed.status).toBe(200);
    expect(changed.body.bot).toMatchObject({ timeLimitSeconds: 30, handoffKeywords: ["human"] });

    const agent = await addUser(t, owner, "agent");
    expect((await agent.client.post("/api/bots", { name: unique("b"), webhookUrl: hook.url })).status).toBe(
      403,
    );
    expect((await agent.client.get("/api/bots/settings")).status).toBe(403);
    const other = await newWorkspace(t);
    expect((await other.owner.patch(`/api/bots/${bot.id}`, { name: "x" })).status).toBe(404);

    const renewed = await owner.post(`/api/bots/${bot.id}/credentials`);
    expect(renewed.status).toBe(200);
    expect(renewed.body.token).not.toBe(token);
    // The old token stops at once.
    expect((await withToken(t.url, token, "POST", `/api/conversations/${bot.id}/handover`, {})).status).toBe(
      401,
    );

    expect((await owner.delete(`/api/bots/${bot.id}`)).status).toBe(204);
    const audit = await t.db.query<{ action: string }>(
      "select action from audit_log where workspace_id = $1 and target_type = 'bot' order by id",
      [workspaceId],
    );
    expect(audit.map((a) => a.action)).toEqual([
      "bot.created",
      "bot.updated",
      "bot.credentials_renewed",
      "bot.deleted",
    ]);
  });

  it("sends every customer message to the bot in order, signed; the bot replies as itself and hands over by API to distribution", async () => {
    const { owner, conn, hook, bot, token, signingSecret } = await setup();
    const agent = await addUser(t, owner, "agent");
    sockets.push(await agent.client.socket(t.wsUrl));
    await eventually(async () => {
      const r = await t.db.query("select 1 from presence_sockets where user_id = $1 and state = 'online'", [
        agent.id,
      ]);
      return r.length > 0;
    });
    const contact = unique("c");
    const id = await write(conn, contact, "hello");
    const handed = await owner.put(`/api/conversations/${id}/bot`, { botId: bot.id });
    expect(handed.status, JSON.stringify(handed.body)).toBe(200);
    expect(handed.body.conversation).toMatchObject({ botId: bot.id, assigneeId: null });
    // Distribution switched on now: a conversation with a bot is not given to an agent.
    expect(
      (await owner.put(`/api/distribution/connections/${conn.id}`, { mode: "round_robin" })).status,
    ).toBe(200);

    await write(conn, contact, "one");
    await write(conn, contact, "two");
    await write(conn, contact, "three");
    await eventually(() => hook.requests.length >= 4);
    expect(hook.requests.map((r) => r.body.message.text)).toEqual(["hello", "one", "two", "three"]);
    for (const r of hook.requests) {
      expect(r.body).toMatchObject({ type: "message.created", botId: bot.id, conversation: { id } });
      const ok = verifySignature(
        signingSecret,
        r.headers["x-parley-signature"] as string,
        r.raw,
        Math.floor(clock.now().getTime() / 1000),
      );
      expect(ok).toBe(true);
    }
    expect((await convRow(id)).assignee_id).toBeNull();

    const reply = await withToken(t.url, token, "POST", `/api/conversations/${id}/messages`, {
      text: "Hi, I am a bot",
    });
    expect(reply.status, JSON.stringify(reply.body)).toBe(201);
    expect(reply.body.message).toMatchObject({ authorType: "bot", authorId: bot.id, direction: "outbound" });
    expect((await convRow(id)).assignee_id).toBeNull();

    // The bot's token reaches only its own conversations, and only bot routes.
    const elsewhere = await write(conn, unique("c"), "not the bot's");
    const refused = await withToken(t.url, token, "POST", `/api/conversations/${elsewhere}/messages`, {
      text: "x",
    });
    expect(refused.status).toBe(404);
    expect((await withToken(t.url, token, "GET", "/api/conversations")).status).toBe(403);
    const note = await withToken(t.url, token, "POST", `/api/conversations/${id}/notes`, { text: "x" });
    expect(note.status).toBe(403);

    const over = await withToken(t.url, token, "POST", `/api/conversations/${id}/handover`, {
      reason: "wants a refund",
    });
    expect(over.status, JSON.stringify(over.body)).toBe(200);
    expect(over.body.conversation.botId).toBeNull();
    const events = await feedEvents(id);
    expect(events.map((e) => e.event)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: "bot_assigned", botId: bot.id }),
        expect.objectContaining({
          kind: "handed_over",
          botId: bot.id,
          reason: "api",
          note: "wants a refund",
        }),
      ]),
    );
    // Back to distribution: the online agent gets it.
    await eventually(async () => (await convRow(id)).assignee_id === agent.id);
    // Handing over twice: it is no longer the bot's.
    expect((await withToken(t.url, token, "POST", `/api/conversations/${id}/handover`, {})).status).toBe(404);
    expect(
      (await withToken(t.url, token, "POST", `/api/conversations/${id}/messages`, { text: "x" })).status,
    ).toBe(404);
  });

  it("hands over when the customer writes a hand-off keyword, without sending it to the bot", async () => {
    const { owner, conn, hook, bot } = await setup({ handoffKeywords: ["operator", "real person"] });
    const contact = unique("c");
    const id = await write(conn, contact, "hi");
    expect((await owner.put(`/api/conversations/${id}/bot`, { botId: bot.id })).status).toBe(200);
    await eventually(() => hook.requests.length === 1);
    await write(conn, contact, "I want a Real Person!");
    await eventually(async () => (await convRow(id)).bot_id === null);
    const events = (await feedEvents(id)).map((e) => e.event);
    expect(events).toContainEqual(
      expect.objectContaining({
        kind: "handed_over",
        reason: "keyword",
        note: "real person",
        byUserId: null,
      }),
    );
    const statuses = await t.db.query<{ status: string }>(
      "select status from bot_deliveries where conversation_id = $1 order by seq",
      [id],
    );
    expect(statuses.map((s) => s.status)).toEqual(["delivered", "dropped"]);
    expect(hook.requests.map((r) => r.body.message.text)).toEqual(["hi"]);
  });

  it("hands over after the time limit without a bot reply (movable clock); a reply stops the timer", async () => {
    const { owner, conn, bot, token, hook } = await setup({ timeLimitSeconds: 60 });
    const a = await write(conn, unique("c"), "anyone there?");
    const b = await write(conn, unique("c"), "hello?");
    for (const id of [a, b])
      expect((await owner.put(`/api/conversations/${id}/bot`, { botId: bot.id })).status).toBe(200);
    await eventually(() => hook.requests.length === 2);
    const answered = await withToken(t.url, token, "POST", `/api/conversations/${b}/messages`, {
      text: "Here!",
    });
    expect(answered.status).toBe(201);

    clock.advance(30_000);
    await handOverOverdue(t.server.ctx);
    expect((await convRow(a)).bot_id).toBe(bot.id);
    clock.advance(31_000);
    await handOverOverdue(t.server.ctx);
    expect((await convRow(a)).bot_id).toBeNull();
    expect((await convRow(b)).bot_id).toBe(bot.id);
    expect((await feedEvents(a)).map((e) => e.event)).toContainEqual(
      expect.objectContaining({ kind: "handed_over", reason: "timeout" }),
    );

    // The report: two handled, one handed over on timeout; none resolved yet. Closing b resolves it.
    expect((await owner.post(`/api/conversations/${b}/status`, { status: "closed" })).status).toBeLessThan(
      300,
    );
    const report = await owner.get("/api/bots/report");
    expect(report.status).toBe(200);
    expect(report.body.bots).toEqual([
      {
        botId: bot.id,
        name: bot.name,
        handled: 2,
        resolved: 1,
        handedOver: 1,
        byReason: { api: 0, keyword: 0, timeout: 1, agent: 0 },
        medianHandoverSeconds: expect.any(Number),
      },
    ]);
    // Handed over after the 61 s the clock moved (plus the test's own running time).
    expect(report.body.bots[0].medianHandoverSeconds).toBeGreaterThanOrEqual(61);
    expect(report.body.bots[0].medianHandoverSeconds).toBeLessThan(120);
    const agent = await addUser(t, owner, "agent");
    expect((await agent.client.get("/api/bots/report")).status).toBe(403);
  });

  it("retries a bot that fails, keeping the order; a refused address fails with the reason", async () => {
    const { owner, conn, hook, bot } = await setup();
    let fail = true;
    hook.respondWith(() => (fail ? { status: 503, body: "down" } : { status: 200, body: "ok" }));
    const contact = unique("c");
    const id = await write(conn, contact, "first");
    expect((await owner.put(`/api/conversations/${id}/bot`, { botId: bot.id })).status).toBe(200);
    await write(conn, contact, "second");
    await eventually(async () => {
      const [d] = await t.db.query<{ last_error: string | null }>(
        "select last_error from bot_deliveries where conversation_id = $1 order by seq limit 1",
        [id],
      );
      return d?.last_error === "the endpoint answered 503" || d?.last_error === "the bot answered 503";
    });
    expect(hook.requests.map((r) => r.body.message.text)).toEqual(["first"]);
    fail = false;
    clock.advance(20_000);
    await t.server.ctx.jobs.wake();
    await eventually(() => hook.requests.filter((r) => r.body.message.text === "second").length === 1);
    expect(hook.requests.map((r) => r.body.message.text)).toEqual(["first", "first", "second"]);

    const other = await setup();
    expect(
      (await other.owner.patch(`/api/bots/${other.bot.id}`, { webhookUrl: "http://10.0.0.1/hook" })).status,
    ).toBe(200);
    const c2 = await write(other.conn, unique("c"), "to a private address");
    expect((await other.owner.put(`/api/conversations/${c2}/bot`, { botId: other.bot.id })).status).toBe(200);
    await eventually(async () => {
      const [d] = await t.db.query<{ status: string; last_error: string | null }>(
        "select status, last_error from bot_deliveries where conversation_id = $1",
        [c2],
      );
      return d?.status === "failed" && !!d.last_error;
    });
  });

  it("refuses handing to another workspace's bot, and taking a conversation from a bot needs one", async () => {
    const { owner, conn, bot } = await setup();
    const other = await setup();
    const id = await write(conn, unique("c"), "hi");
    expect((await owner.put(`/api/conversations/${id}/bot`, { botId: other.bot.id })).status).toBe(404);
    expect((await owner.put(`/api/conversations/${id}/bot`, { botId: null })).status).toBe(409);
    expect((await owner.put(`/api/conversations/${id}/bot`, { botId: bot.id })).status).toBe(200);
    expect((await other.owner.put(`/api/conversations/${id}/bot`, { botId: null })).status).toBe(404);
    const back = await owner.put(`/api/conversations/${id}/bot`, { botId: null });
    expect(back.status).toBe(200);
    expect((await feedEvents(id)).map((e) => e.event)).toContainEqual(
      expect.objectContaining({ kind: "handed_over", reason: "agent", byUserId: expect.any(String) }),
    );
  });
});
