import crypto from "node:crypto";
import { DateTime } from "luxon";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MovableClock } from "../../lib/time";
import { eventually } from "../../testing/eventually";
import { type FakeTemplate, startWhatsAppFake, type WhatsAppFake } from "../../testing/fakes/whatsapp";
import { apiConnection, type Client, inbound, newWorkspace, unique } from "../../testing/harness";
import { jobsSettled } from "../../testing/settled";
import { useTestServer } from "../../testing/use-test-server";
import { startWebhookReceiver } from "../../testing/webhook-receiver";
import { sweepTimeLimitRules } from "./commands/time-limit-sweep";

const PNID = "106540352242977";
const WABA = "102290129340377";
const TOKEN = `EAAG${"rules".repeat(10)}`;
const APP_SECRET = "rules-more-app-secret-0123456789";
const TEMPLATES: FakeTemplate[] = [
  {
    id: "2001",
    name: "we_are_on_it",
    language: "en_US",
    status: "APPROVED",
    category: "UTILITY",
    components: [{ type: "BODY", text: "Hi {{1}}, we got your message about {{2}}." }],
  },
  {
    id: "2002",
    name: "spring_promo",
    language: "en_US",
    status: "REJECTED",
    category: "MARKETING",
    components: [{ type: "BODY", text: "50% off, {{1}}!" }],
  },
];

let fake: WhatsAppFake;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
beforeAll(async () => {
  fake = await startWhatsAppFake({
    phoneNumberId: PNID,
    accessToken: TOKEN,
    appSecret: APP_SECRET,
    businessAccountId: WABA,
  });
  fake.setTemplates(TEMPLATES);
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  await fake?.close();
  await receiver?.close();
});

const clock = new MovableClock();
const t = useTestServer(() => ({ clock, env: { GRAPH_API_BASE: fake.url, GRAPH_API_VERSION: "v21.0" } }));

async function makeRule(owner: Client, rule: Record<string, unknown>) {
  const r = await owner.post("/api/rules", { name: unique("rule"), ...rule });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.rule as { id: string; name: string; timeLimit: string | null };
}

const runs = async (owner: Client, ruleId: string) => {
  const r = await owner.get(`/api/rules/${ruleId}/runs`);
  expect(r.status).toBe(200);
  return r.body.runs as { outcome: string; reason: string | null; conversationId: string }[];
};

const notes = async (conversationId: string, text: string) =>
  (
    await t.db.query<{ n: number }>(
      "select count(*)::int as n from messages where conversation_id = $1 and kind = 'note' and text = $2",
      [conversationId, text],
    )
  )[0]!.n;

/** A customer of an API connection writes, with the source the API accepts (e.g. the language). */
async function arrive(
  conn: Awaited<ReturnType<typeof apiConnection>>,
  text: string,
  source?: Record<string, string>,
  contact = unique("c"),
) {
  const r = await conn.post(inbound(contact, text, unique("m"), source ? { source } : {}));
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.results[0].conversationId as string;
}

/** Moves the clock forward to the next weekday (1 = Monday) at the hour, in Kyiv. */
function moveTo(weekday: number, hour: number) {
  const now = DateTime.fromMillis(clock.now().getTime(), { zone: "Europe/Kyiv" });
  let target = now.set({ hour, minute: 0, second: 0, millisecond: 0 });
  while (target.weekday !== weekday || target <= now) target = target.plus({ days: 1 });
  clock.advance(target.toMillis() - now.toMillis());
}

describe("automation rules: language, templates, bots and time limits", () => {
  it("the language condition matches the conversation's language (any region of a code), in runs and the dry run", async () => {
    const { owner } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    const rule = await makeRule(owner, {
      trigger: "customer_message",
      conditions: { languages: ["ru", "uk"] },
      actions: [{ type: "note", text: "Russian or Ukrainian speaker" }],
    });
    const ru = await arrive(conn, "привет", { language: "ru-RU" });
    const en = await arrive(conn, "hello", { language: "en-GB" });
    const none = await arrive(conn, "hi");
    await eventually(async () => (await notes(ru, "Russian or Ukrainian speaker")) === 1);
    await jobsSettled(t.server);
    expect(await notes(en, "Russian or Ukrainian speaker")).toBe(0);
    expect(await notes(none, "Russian or Ukrainian speaker")).toBe(0);
    expect((await runs(owner, rule.id)).map((r) => r.conversationId)).toEqual([ru]);

    const dry = await owner.post("/api/rules/dry-run", { conditions: { languages: ["en"] } });
    expect(dry.status).toBe(200);
    expect(dry.body.matches.map((m: { conversationId: string }) => m.conversationId)).toEqual([en]);
    const bad = await owner.post("/api/rules/dry-run", { conditions: { languages: ["English"] } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toMatch(/by its code/);
  });

  it("sends an approved template with its values as the rule; a missing, unapproved or badly filled template is refused at save", async () => {
    const { owner } = await newWorkspace(t);
    const c = await owner.post("/api/connections", {
      type: "whatsapp",
      name: unique("wa"),
      credentials: {
        phoneNumberId: PNID,
        accessToken: TOKEN,
        appSecret: APP_SECRET,
        businessAccountId: WABA,
      },
    });
    expect(c.status, JSON.stringify(c.body)).toBe(201);
    const connId = c.body.connection.id as string;
    expect((await fake.subscribe(c.body.reveal.webhookUrl, c.body.reveal.verifyToken)).ok).toBe(true);
    expect((await owner.post(`/api/connections/${connId}/templates/sync`, {})).status).toBe(200);
    const all = (await t.db.query<{ id: string; name: string }>(
      "select id, name from message_templates where connection_id = $1",
      [connId],
    )) as { id: string; name: string }[];
    const tpl = all.find((x) => x.name === "we_are_on_it")!;
    const rejected = all.find((x) => x.name === "spring_promo")!;

    const save = (action: Record<string, unknown>) =>
      owner.post("/api/rules", { name: unique("r"), trigger: "conversation_created", actions: [action] });
    const missing = await save({
      type: "template",
      templateId: crypto.randomUUID(),
      variables: { body: [] },
    });
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toMatch(/message template that does not exist/);
    const unapproved = await save({ type: "template", templateId: rejected.id, variables: { body: ["x"] } });
    expect(unapproved.status).toBe(400);
    expect(unapproved.body.error.message).toMatch(/rejected: only approved templates/);
    const short = await save({ type: "template", templateId: tpl.id, variables: { body: ["friend"] } });
    expect(short.status).toBe(400);
    expect(short.body.error.message).toMatch(/body has 2 variables; 1 was given/);

    const rule = await makeRule(owner, {
      trigger: "conversation_created",
      conditions: { connectionIds: [connId] },
      actions: [{ type: "template", templateId: tpl.id, variables: { body: ["friend", "your order"] } }],
    });
    const customer = `1631${crypto.randomInt(1_000_000, 9_999_999)}`;
    expect(
      (await fake.deliver(fake.message(customer, { type: "text", text: { body: "Hi" } }).payload)).status,
    ).toBe(200);
    const [conv] = (await owner.get("/api/conversations")).body.conversations;
    await eventually(
      () => fake.requestsTo(`/${PNID}/messages`).filter((r) => r.body?.to === customer).length === 1,
    );
    const [sent] = fake.requestsTo(`/${PNID}/messages`).filter((r) => r.body?.to === customer);
    expect(sent!.body).toMatchObject({
      type: "template",
      template: {
        name: "we_are_on_it",
        language: { code: "en_US" },
        components: [
          {
            type: "body",
            parameters: [
              { type: "text", text: "friend" },
              { type: "text", text: "your order" },
            ],
          },
        ],
      },
    });
    const [msg] = await t.db.query<{ author_type: string; author_id: string; text: string }>(
      "select author_type, author_id, text from messages where conversation_id = $1 and template is not null",
      [conv.id],
    );
    expect(msg).toEqual({
      author_type: "bot",
      author_id: rule.id,
      text: "Hi friend, we got your message about your order.",
    });
    expect((await runs(owner, rule.id)).map((r) => r.outcome)).toEqual(["matched"]);
  });

  it("hands new conversations to a bot; deleting that bot is refused while the rule names it", async () => {
    const { owner } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    const b = await owner.post("/api/bots", { name: unique("Bot"), webhookUrl: receiver.url });
    expect(b.status, JSON.stringify(b.body)).toBe(201);
    const bot = b.body.bot as { id: string; name: string };
    const unknown = await owner.post("/api/rules", {
      name: "x",
      trigger: "conversation_created",
      actions: [{ type: "assign_bot", botId: crypto.randomUUID() }],
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toMatch(/bot that does not exist/);
    const rule = await makeRule(owner, {
      name: "Bot first",
      trigger: "conversation_created",
      actions: [{ type: "assign_bot", botId: bot.id }],
    });
    const id = await arrive(conn, "need help", undefined, unique("botc"));
    await eventually(
      async () =>
        (
          await t.db.query<{ bot_id: string | null }>("select bot_id from conversations where id = $1", [id])
        )[0]!.bot_id === bot.id,
    );
    // The bot got the customer's message, and the feed names the rule as who handed it over.
    await eventually(() =>
      receiver.requests.some((r) => r.body?.conversation?.id === id && r.body?.message?.text === "need help"),
    );
    const [line] = await t.db.query<{ event: { byUserId: string; botId: string } }>(
      "select event from messages where conversation_id = $1 and kind = 'event' and event->>'kind' = 'bot_assigned'",
      [id],
    );
    expect(line!.event).toMatchObject({ byUserId: rule.id, botId: bot.id });

    const del = await owner.delete(`/api/bots/${bot.id}`);
    expect(del.status).toBe(409);
    expect(del.body.error.message).toContain("“Bot first”");
    expect((await owner.delete(`/api/rules/${rule.id}`)).status).toBe(204);
    expect((await owner.delete(`/api/bots/${bot.id}`)).status).toBe(204);
  });

  it("time limit reached: each limit once per wait, counted in working time, by the movable clock", async () => {
    const { owner } = await newWorkspace(t);
    const hours = await owner.put("/api/hours/workspace", {
      timeZone: "Europe/Kyiv",
      weekly: [1, 2, 3, 4, 5].map((day) => ({ day, from: "09:00", to: "18:00" })),
      holidays: [],
    });
    expect(hours.status, JSON.stringify(hours.body)).toBe(200);
    const limits = await owner.patch("/api/workspace", {
      settings: { slaYellowMinutes: 30, slaRedMinutes: 120 },
    });
    expect(limits.status).toBe(200);
    const conn = await apiConnection(t, owner);
    const warning = await makeRule(owner, {
      trigger: "time_limit_reached",
      timeLimit: "warning",
      actions: [{ type: "note", text: "Warning limit" }],
    });
    const overdue = await makeRule(owner, {
      trigger: "time_limit_reached",
      actions: [{ type: "note", text: "Overdue" }],
    });
    expect([warning.timeLimit, overdue.timeLimit]).toEqual(["warning", "overdue"]);

    moveTo(5, 17);
    clock.advance(50 * 60_000); // Friday 17:50: ten working minutes left today
    const contact = unique("c");
    const id = await arrive(conn, "before the weekend", undefined, contact);
    const sweep = async () => {
      await sweepTimeLimitRules(t.server.ctx);
      return { warning: await notes(id, "Warning limit"), overdue: await notes(id, "Overdue") };
    };
    moveTo(6, 12); // Saturday noon: 18 hours on the wall clock, ten working minutes
    expect(await sweep()).toEqual({ warning: 0, overdue: 0 });
    moveTo(1, 9);
    clock.advance(25 * 60_000); // Monday 09:25: 35 working minutes, past the warning
    expect(await sweep()).toEqual({ warning: 1, overdue: 0 });
    expect(await sweep()).toEqual({ warning: 1, overdue: 0 });
    clock.advance(2 * 3600_000); // 11:25: 155 working minutes, overdue
    expect(await sweep()).toEqual({ warning: 1, overdue: 1 });
    expect(await sweep()).toEqual({ warning: 1, overdue: 1 });
    expect((await runs(owner, overdue.id)).map((r) => r.conversationId)).toEqual([id]);

    // A reply ends the wait; the customer's next message starts another, which reaches the limits again.
    const reply = await owner.post(`/api/conversations/${id}/messages`, {
      text: "On it",
      clientId: unique("k"),
    });
    expect(reply.status, JSON.stringify(reply.body)).toBe(201);
    clock.advance(60 * 60_000);
    await arrive(conn, "still there?", undefined, contact);
    expect(await sweep()).toEqual({ warning: 1, overdue: 1 });
    clock.advance(31 * 60_000);
    expect(await sweep()).toEqual({ warning: 2, overdue: 1 });
    expect((await runs(owner, warning.id)).map((r) => r.outcome)).toEqual(["matched", "matched"]);
  });
});
