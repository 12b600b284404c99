import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MovableClock } from "../../lib/time";
import { eventually } from "../../testing/eventually";
import { addUser, apiConnection, inbound, newWorkspace, unique } from "../../testing/harness";
import { useTestServer } from "../../testing/use-test-server";
import { startWebhookReceiver } from "../../testing/webhook-receiver";
import { withToken } from "../api-tokens/test-helpers";
import { handOverOverdue } from "./timeouts";

const clock = new MovableClock();
const t = useTestServer({ clock });
let hook: Awaited<ReturnType<typeof startWebhookReceiver>>;
beforeAll(async () => {
  hook = await startWebhookReceiver();
});
afterAll(() => hook.close());

const botOf = async (id: string) =>
  (await t.db.query<{ bot_id: string | null }>("select bot_id from conversations where id = $1", [id]))[0]!
    .bot_id;

describe("bot reports", () => {
  it("per bot and period: handled, resolved while the bot held it, handed over by reason, median time to hand-over", async () => {
    const { owner } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    const created = await owner.post("/api/bots", {
      name: unique("Helper"),
      webhookUrl: hook.url,
      timeLimitSeconds: 3600,
      handoffKeywords: ["operator"],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const bot = created.body.bot as { id: string; name: string };
    const token = created.body.token as string;
    const write = async (contact: string, text: string) => {
      const r = await conn.post(inbound(contact, text));
      expect(r.status).toBe(200);
      return r.body.results[0].conversationId as string;
    };
    const contacts = ["a", "b", "c", "d", "e"].map((x) => unique(x));
    const [a, b, c, d, e] = await Promise.all(contacts.map((k) => write(k, "hello")));
    const start = clock.now();
    for (const id of [a, b, c, d, e])
      expect((await owner.put(`/api/conversations/${id}/bot`, { botId: bot.id })).status).toBe(200);

    // d: the customer asks for a person (keyword), at once.
    await write(contacts[3]!, "operator please");
    await eventually(async () => (await botOf(d!)) === null);
    // b: closed while the bot holds it, resolved by the bot.
    expect((await owner.post(`/api/conversations/${b}/status`, { status: "closed" })).status).toBeLessThan(
      300,
    );
    // a: the bot hands over by its API after a minute.
    clock.advance(60_000);
    const api = await withToken(t.url, token, "POST", `/api/conversations/${a}/handover`, {
      reason: "billing",
    });
    expect(api.status, JSON.stringify(api.body)).toBe(200);
    // c: a person takes it back a minute later, then closes it: not the bot's resolution.
    clock.advance(60_000);
    expect((await owner.put(`/api/conversations/${c}/bot`, { botId: null })).status).toBe(200);
    expect((await owner.post(`/api/conversations/${c}/status`, { status: "closed" })).status).toBeLessThan(
      300,
    );
    // e: the bot never answers; its time limit hands it over.
    clock.advance(3600_000);
    await handOverOverdue(t.server.ctx);
    expect(await botOf(e!)).toBeNull();

    const report = await owner.get(
      `/api/bots/report?from=${encodeURIComponent(new Date(start.getTime() - 60_000).toISOString())}`,
    );
    expect(report.status, JSON.stringify(report.body)).toBe(200);
    expect(report.body.bots).toEqual([
      {
        botId: bot.id,
        name: bot.name,
        handled: 5,
        resolved: 1,
        handedOver: 4,
        byReason: { api: 1, keyword: 1, timeout: 1, agent: 1 },
        medianHandoverSeconds: expect.any(Number),
      },
    ]);
    // Hand-overs after about 0 s, 60 s, 120 s and 3720 s: the median lies between the middle two (90 s),
    // plus the test's own running time.
    expect(report.body.bots[0].medianHandoverSeconds).toBeGreaterThanOrEqual(89);
    expect(report.body.bots[0].medianHandoverSeconds).toBeLessThan(120);

    // Sessions that started outside the period are not counted.
    const later = new Date(clock.now().getTime() + 60_000).toISOString();
    const future = await owner.get(
      `/api/bots/report?from=${encodeURIComponent(later)}&to=${encodeURIComponent(new Date(clock.now().getTime() + 120_000).toISOString())}`,
    );
    expect(future.body.bots[0]).toMatchObject({ handled: 0, resolved: 0, medianHandoverSeconds: null });

    // Only for who may see reports; a period that ends before it starts is refused with a reason.
    const agent = await addUser(t, owner, "agent");
    expect((await agent.client.get("/api/bots/report")).status).toBe(403);
    const backwards = await owner.get(
      `/api/bots/report?from=${encodeURIComponent(later)}&to=${encodeURIComponent(start.toISOString())}`,
    );
    expect(backwards.status).toBe(400);
    expect(JSON.stringify(backwards.body)).toMatch(/start must be before its end/);
  });
});
