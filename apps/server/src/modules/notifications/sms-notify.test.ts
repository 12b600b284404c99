import { smsSegments } from "@parley/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MovableClock } from "../../lib/time";
import { type SmsFake, startSmsFake } from "../../testing/fakes/sms";
import { addUser, type Client, newWorkspace, unique } from "../../testing/harness";
import { jobsSettled } from "../../testing/settled";
import { useTestServer } from "../../testing/use-test-server";

let fake: SmsFake;
const clock = new MovableClock();

beforeAll(async () => {
  fake = await startSmsFake();
});
afterAll(async () => {
  await fake.close();
});

const t = useTestServer(() => ({ clock, env: { NOTIFY_EMAIL_INTERVAL_SECONDS: "60" } }));

let seq = 0;
const phone = () => `+1555${String(Date.now() % 1_000_000).padStart(6, "0")}${String(seq++ % 10)}`;

/** A workspace with an SMS connection (on the fake) and an agent. */
async function setup(o: { sms?: boolean } = {}) {
  const { owner } = await newWorkspace(t);
  const number = phone();
  const account = fake.addAccount([number]);
  if (o.sms !== false) {
    const r = await owner.post("/api/connections", {
      type: "sms",
      name: unique("sms"),
      credentials: {
        accountSid: account.sid,
        authToken: account.token,
        fromNumber: number,
        baseUrl: fake.url,
      },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    fake.setInboundUrl(account, number, r.body.reveal.webhookUrl);
  }
  const agent = await addUser(t, owner, "agent");
  return { owner, account, number, agent: agent.client, agentId: agent.id };
}

const codeIn = (body: string) => /\b(\d{6})\b/.exec(body)?.[1] ?? "";

/** Verifies a number for the agent through the API, reading the code from the SMS the fake received. */
async function verify(agent: Client, to = phone()) {
  const asked = await agent.post("/api/notifications/phone", { phone: to });
  expect(asked.status, JSON.stringify(asked.body)).toBe(200);
  const sms = fake.sentTo(to).at(-1)!;
  const ok = await agent.post("/api/notifications/phone/verify", { code: codeIn(sms.body) });
  expect(ok.status, JSON.stringify(ok.body)).toBe(200);
  return to;
}

describe("agents' phone numbers for SMS notifications", () => {
  it("sends a code in the agent's language, keeps only its hash, and takes it once", async () => {
    const { agent, agentId, number } = await setup();
    expect((await agent.patch("/api/me", { locale: "uk" })).status).toBe(200);
    const to = phone();
    const asked = await agent.post("/api/notifications/phone", { phone: to });
    expect(asked.status, JSON.stringify(asked.body)).toBe(200);
    expect(asked.body.pendingPhone).toBe(to);
    const [sms] = fake.sentTo(to);
    expect(sms).toMatchObject({ from: number, statusCallback: null });
    expect(sms!.body).toMatch(/^Код Parley: \d{6}\. Дійсний 10 хвилин\.$/);
    const code = codeIn(sms!.body);
    const [row] = await t.server.ctx.db.query<{ code_hash: string; phone: string | null }>(
      "select code_hash, phone from agent_phones where user_id = $1",
      [agentId],
    );
    expect(row!.phone).toBeNull();
    expect(row!.code_hash).not.toContain(code);

    const before = (await agent.get("/api/notifications/settings")).body.sms;
    expect(before).toEqual({ available: true, phone: null, pendingPhone: to });
    const wrong = await agent.post("/api/notifications/phone/verify", {
      code: code === "000000" ? "000001" : "000000",
    });
    expect(wrong.status).toBe(422);
    expect(wrong.body.error.message).toBe("That code is not right: 4 tries left.");
    const ok = await agent.post("/api/notifications/phone/verify", { code });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ phone: to, verified: true });
    const again = await agent.post("/api/notifications/phone/verify", { code });
    expect(again.status).toBe(422);
    expect(again.body.error.message).toMatch(/No code is waiting/);
    expect((await agent.get("/api/notifications/settings")).body.sms).toEqual({
      available: true,
      phone: to,
      pendingPhone: null,
    });
  });

  it("refuses expired codes, too many wrong tries, too many codes, bad numbers and a workspace without SMS", async () => {
    const { agent } = await setup();
    const to = phone();
    expect((await agent.post("/api/notifications/phone", { phone: to })).status).toBe(200);
    const code = codeIn(fake.sentTo(to).at(-1)!.body);
    clock.advance(10 * 60_000 + 1000);
    const late = await agent.post("/api/notifications/phone/verify", { code });
    expect(late.status).toBe(422);
    expect(late.body.error.message).toMatch(/expired/);

    expect((await agent.post("/api/notifications/phone", { phone: to })).status).toBe(200);
    const fresh = codeIn(fake.sentTo(to).at(-1)!.body);
    const other = fresh === "123456" ? "654321" : "123456";
    for (let i = 0; i < 5; i++)
      expect((await agent.post("/api/notifications/phone/verify", { code: other })).status).toBe(422);
    const locked = await agent.post("/api/notifications/phone/verify", { code: fresh });
    expect(locked.status).toBe(422);
    expect(locked.body.error.message).toBe("Too many wrong codes: ask for a new one.");

    // Three codes per ten minutes (two so far in this window): the fourth is refused with when to try again.
    for (let i = 0; i < 2; i++)
      expect((await agent.post("/api/notifications/phone", { phone: to })).status).toBe(200);
    const sent = fake.sentTo(to).length;
    const limited = await agent.post("/api/notifications/phone", { phone: to });
    expect(limited.status).toBe(429);
    expect(limited.body.error.message).toMatch(/^Too many codes asked for: try again after \d\d:\d\d UTC\.$/);
    expect(fake.sentTo(to)).toHaveLength(sent);

    const bad = await agent.post("/api/notifications/phone", { phone: "0501234567" });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toMatch(/international number/);

    const none = await setup({ sms: false });
    const refused = await none.agent.post("/api/notifications/phone", { phone: phone() });
    expect(refused.status).toBe(422);
    expect(refused.body.error.message).toMatch(/no SMS connection/);
    expect((await none.agent.get("/api/notifications/settings")).body.sms.available).toBe(false);
  });
});

describe("SMS notifications", () => {
  it("texts the assignee's verified number, short and in their language, and holds it in quiet hours", async () => {
    const { owner, account, number, agent, agentId } = await setup();
    expect((await agent.patch("/api/me", { locale: "ru" })).status).toBe(200);
    const to = await verify(agent);
    const put = await agent.put("/api/notifications/settings", {
      matrix: { assigned: { inApp: true, push: false, email: false, sms: true } },
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body.settings.matrix.assigned.sms).toBe(true);

    const customer = phone();
    expect((await fake.inbound(account, { from: customer, to: number, body: "Здравствуйте" })).status).toBe(
      200,
    );
    const [conv] = (await owner.get("/api/conversations")).body.conversations;
    expect((await owner.post(`/api/conversations/${conv.id}/assign`, { assigneeId: agentId })).status).toBe(
      200,
    );
    await jobsSettled(t.server);
    const texts = fake.sentTo(to).slice(1); // after the verification code
    expect(texts).toHaveLength(1);
    expect(texts[0]!.body).toMatch(/^Parley, Назначено вам: /);
    expect(smsSegments(texts[0]!.body).segments).toBe(1);

    // Quiet hours all day: the batched SMS is held back, like the email.
    const quiet = await agent.put("/api/notifications/settings", {
      quietHours: { from: "00:00", to: "23:59" },
      timeZone: "UTC",
    });
    expect(quiet.status).toBe(200);
    const customer2 = phone();
    await fake.inbound(account, { from: customer2, to: number, body: "Ещё вопрос" });
    const conv2 = (await owner.get("/api/conversations")).body.conversations.find(
      (c: any) => c.id !== conv.id,
    );
    expect((await owner.post(`/api/conversations/${conv2.id}/assign`, { assigneeId: agentId })).status).toBe(
      200,
    );
    await jobsSettled(t.server);
    const notes = (await agent.get("/api/notifications")).body.notifications as any[];
    expect(notes.filter((n) => n.kind === "assigned")).toHaveLength(2);
    expect(fake.sentTo(to).slice(1)).toHaveLength(1);
  });

  it("fails an SMS the provider refuses for good and tells the agent in the app", async () => {
    const { owner, account, number, agent, agentId } = await setup();
    await verify(agent);
    await agent.put("/api/notifications/settings", {
      matrix: { assigned: { inApp: true, push: false, email: false, sms: true } },
    });
    await fake.inbound(account, { from: phone(), to: number, body: "hi" });
    const [conv] = (await owner.get("/api/conversations")).body.conversations;
    fake.failNextSend(400, 21211, "The 'To' number is not a valid phone number.");
    expect((await owner.post(`/api/conversations/${conv.id}/assign`, { assigneeId: agentId })).status).toBe(
      200,
    );
    await jobsSettled(t.server);
    const notes = (await agent.get("/api/notifications")).body.notifications as any[];
    const failed = notes.find((n) => n.kind === "delivery_failed");
    expect(failed).toMatchObject({ title: "sms" });
    expect(failed.body).toMatch(/not a valid phone number/);
  });
});
