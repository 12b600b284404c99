import crypto from "node:crypto";
import { DateTime } from "luxon";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MovableClock } from "../../lib/time";
import { startWhatsAppFake, type WhatsAppFake } from "../../testing/fakes/whatsapp";
import { apiConnection, type Client, inbound, newWorkspace, unique } from "../../testing/harness";
import { jobsSettled } from "../../testing/settled";
import { useTestServer } from "../../testing/use-test-server";
import { sweepTimeLimits } from "../notifications/time-limits";
import { HoursCache, isOpen, nextOpening, workingMsBetween } from "./api";

const PNID = "106540352242933";
const TOKEN = `EAAG${"h0urs".repeat(10)}`;
const APP_SECRET = "0123456789abcdef-hours-secret";
const H = 3_600_000;

let fake: WhatsAppFake;
beforeAll(async () => {
  fake = await startWhatsAppFake({ phoneNumberId: PNID, accessToken: TOKEN, appSecret: APP_SECRET });
});
afterAll(async () => {
  await fake?.close();
});

const clock = new MovableClock();
const t = useTestServer(() => ({
  clock,
  env: { GRAPH_API_BASE: fake.url, GRAPH_API_VERSION: "v21.0" },
}));

const WEEKDAYS_9_TO_18 = [1, 2, 3, 4, 5].map((day) => ({ day, from: "09:00", to: "18:00" }));

/** Moves the (frozen) clock forward to the next local weekday/time in Kyiv. */
function moveTo(weekday: number, hour: number): DateTime {
  const now = DateTime.fromMillis(clock.now().getTime(), { zone: "Europe/Kyiv" });
  let target = now.set({ hour, minute: 0, second: 0, millisecond: 0 });
  while (target.weekday !== weekday || target <= now) target = target.plus({ days: 1 });
  clock.advance(target.toMillis() - now.toMillis());
  return target;
}

async function workspaceWithHours() {
  const { owner, workspaceId } = await newWorkspace(t);
  const r = await owner.put("/api/hours/workspace", {
    timeZone: "Europe/Kyiv",
    weekly: WEEKDAYS_9_TO_18,
    holidays: [],
  });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return { owner, workspaceId };
}

const botReplies = async (owner: Client, convId: string) =>
  ((await owner.get(`/api/conversations/${convId}/messages`)).body.messages as any[]).filter(
    (m) => m.authorType === "bot",
  );

describe("business hours", () => {
  beforeAll(() => {
    clock.freeze();
  });

  it("validates hours at the edge and lets a team use the workspace's until it has its own", async () => {
    const { owner, workspaceId: ws } = await newWorkspace(t);
    const bad = await owner.put("/api/hours/workspace", {
      timeZone: "Mars/Olympus",
      weekly: [{ day: 8, from: "9:00", to: "18:00" }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/IANA time zone/);
    const team = (await owner.post("/api/teams", { name: unique("night") })).body.team;
    const before = await owner.get("/api/hours");
    expect(before.body).toMatchObject({ workspace: null, teams: [{ teamId: team.id, hours: null }] });

    await owner.put("/api/hours/workspace", { timeZone: "Europe/Kyiv", weekly: WEEKDAYS_9_TO_18 });
    const night = await owner.put(`/api/hours/teams/${team.id}`, {
      timeZone: "Europe/Kyiv",
      weekly: [1, 2, 3, 4, 5, 6, 7].map((day) => ({ day, from: "22:00", to: "06:00" })),
      holidays: [{ date: "2026-12-31", name: "New Year's Eve" }],
    });
    expect(night.status, JSON.stringify(night.body)).toBe(200);
    expect(night.body.teams[0].hours.holidays).toEqual([{ date: "2026-12-31", name: "New Year's Eve" }]);

    const monday10 = moveTo(1, 10).toJSDate();
    const cache = new HoursCache(t.db);
    expect(await isOpen(cache, ws, null, monday10)).toBe(true);
    expect(await isOpen(cache, ws, team.id, monday10)).toBe(false);
    expect((await nextOpening(cache, ws, team.id, monday10))!.getTime()).toBe(monday10.getTime() + 12 * H);
    // Monday 10:00 to Tuesday 10:00: 8 h on Monday and 1 h on Tuesday in the office, 8 h on the night shift.
    const tuesday10 = new Date(monday10.getTime() + 24 * H);
    expect(await workingMsBetween(cache, ws, null, monday10, tuesday10)).toBe(9 * H);
    expect(await workingMsBetween(cache, ws, team.id, monday10, tuesday10)).toBe(8 * H);

    // Another workspace's admin cannot touch this team's hours.
    const other = (await newWorkspace(t)).owner;
    expect((await other.put(`/api/hours/teams/${team.id}`, { timeZone: "UTC", weekly: [] })).status).toBe(
      404,
    );
    expect((await owner.delete(`/api/hours/teams/${team.id}`)).body.teams[0].hours).toBeNull();
    expect(await isOpen(t.db, ws, team.id, monday10)).toBe(true);
  });

  it("sends the outside-hours reply once per conversation and closed period, and not during hours", async () => {
    const { owner } = await workspaceWithHours();
    const api = await apiConnection(t, owner);
    const noText = await owner.put(`/api/hours/auto-replies/${api.id}`, {
      enabled: true,
      language: "uk",
      texts: { en: "Hi" },
    });
    expect(noText.status).toBe(400);
    const set = await owner.put(`/api/hours/auto-replies/${api.id}`, {
      enabled: true,
      language: "en",
      texts: { en: "We are closed; we answer on weekdays 9–18 Kyiv time.", uk: "Ми зачинені." },
    });
    expect(set.status, JSON.stringify(set.body)).toBe(200);

    moveTo(6, 12); // Saturday noon: closed
    const contact = unique("c");
    expect((await api.post(inbound(contact, "hello?"))).status).toBe(200);
    expect((await api.post(inbound(contact, "anyone?"))).status).toBe(200);
    await jobsSettled(t.server);
    const [conv] = (await owner.get("/api/conversations")).body.conversations;
    const first = await botReplies(owner, conv.id);
    expect(first.map((m) => m.text)).toEqual(["We are closed; we answer on weekdays 9–18 Kyiv time."]);
    expect(first[0].direction).toBe("outbound");
    // Still waiting for a person: an automatic reply is not an answer.
    expect(
      (await owner.get(`/api/conversations/${conv.id}`)).body.conversation.firstUnansweredAt,
    ).not.toBeNull();

    moveTo(1, 10); // Monday 10:00: open
    expect((await api.post(inbound(contact, "good morning"))).status).toBe(200);
    await jobsSettled(t.server);
    expect(await botReplies(owner, conv.id)).toHaveLength(1);

    moveTo(1, 19); // Monday 19:00: a new closed period
    expect((await api.post(inbound(contact, "evening"))).status).toBe(200);
    await jobsSettled(t.server);
    expect(await botReplies(owner, conv.id)).toHaveLength(2);
  });

  it("respects WhatsApp's 24-hour window: a customer message delivered 25 hours late gets no automatic reply", async () => {
    const { owner } = await workspaceWithHours();
    const r = await owner.post("/api/connections", {
      type: "whatsapp",
      name: unique("wa"),
      credentials: { phoneNumberId: PNID, accessToken: TOKEN, appSecret: APP_SECRET },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const conn = r.body.connection;
    expect((await fake.subscribe(r.body.reveal.webhookUrl, r.body.reveal.verifyToken)).ok).toBe(true);
    await owner.put(`/api/hours/auto-replies/${conn.id}`, {
      enabled: true,
      language: "en",
      texts: { en: "Closed now." },
    });
    moveTo(6, 12);
    const late = `1631${crypto.randomInt(1_000_000, 9_999_999)}`;
    const old = fake.message(
      late,
      { type: "text", text: { body: "written yesterday" } },
      { at: clock.now().getTime() - 25 * H },
    );
    expect((await fake.deliver(old.payload)).status).toBe(200);
    const fresh = `1631${crypto.randomInt(1_000_000, 9_999_999)}`;
    const now = fake.message(
      fresh,
      { type: "text", text: { body: "written now" } },
      { at: clock.now().getTime() },
    );
    expect((await fake.deliver(now.payload)).status).toBe(200);
    await jobsSettled(t.server);
    const convs = (await owner.get("/api/conversations")).body.conversations as any[];
    const byPhone = (p: string) => convs.find((c) => c.contact.phone?.replace(/\D/g, "") === p)!;
    // The fresh message opened the window: the reply went to WhatsApp. The late one's window is closed.
    expect((await botReplies(owner, byPhone(fresh).id)).map((m) => m.text)).toEqual(["Closed now."]);
    expect(
      fake
        .requestsTo(`/${PNID}/messages`)
        .filter((q) => q.body?.to === fresh && q.body?.text?.body === "Closed now."),
    ).toHaveLength(1);
    expect(await botReplies(owner, byPhone(late).id)).toEqual([]);
    expect(fake.requestsTo(`/${PNID}/messages`).filter((q) => q.body?.to === late)).toEqual([]);
  });

  it("time limits count working time only: a Friday-evening wait turns yellow on Monday morning, not overnight", async () => {
    const { owner, workspaceId } = await workspaceWithHours();
    const me = owner.user!.id;
    expect(
      (await owner.patch("/api/workspace", { settings: { slaYellowMinutes: 30, slaRedMinutes: 120 } }))
        .status,
    ).toBe(200);
    const api = await apiConnection(t, owner);
    moveTo(5, 17); // Friday 17:00
    clock.advance(50 * 60_000); // 17:50: 10 working minutes left today
    const contact = unique("c");
    await api.post(inbound(contact, "before the weekend"));
    const [conv] = (await owner.get("/api/conversations")).body.conversations;
    expect((await owner.post(`/api/conversations/${conv.id}/assign`, { assigneeId: me })).status).toBe(200);
    const warnings = async () => {
      await sweepTimeLimits(t.server.ctx);
      return ((await owner.get("/api/notifications")).body.notifications as any[])
        .filter((n) => n.kind === "time_limit" && n.conversationId === conv.id)
        .map((n) => n.id);
    };
    moveTo(6, 12); // Saturday noon: 18 h on the wall clock, 10 working minutes
    expect(await warnings()).toEqual([]);
    expect(
      await workingMsBetween(t.db, workspaceId, null, new Date(conv.firstUnansweredAt), clock.now()),
    ).toBe(10 * 60_000);
    moveTo(1, 9);
    clock.advance(25 * 60_000); // Monday 09:25: 35 working minutes
    expect(await warnings()).toHaveLength(1);
    clock.advance(2 * H); // 11:25: 155 working minutes, red
    expect(await warnings()).toHaveLength(2);
  });

  it("the widget tells a visitor when we will reply and its offline form stores the message and the contact's email", async () => {
    const { owner } = await workspaceWithHours();
    const SITE = "https://shop.example";
    const w = await owner.post("/api/connections", {
      type: "widget",
      name: "Website",
      settings: { allowedOrigins: [SITE] },
    });
    expect(w.status).toBe(201);
    const call = async (method: string, p: string, body?: unknown, token?: string) => {
      const res = await fetch(t.url + p, {
        method,
        headers: {
          ...(body !== undefined ? { "content-type": "application/json" } : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          origin: t.url,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as any };
    };
    const s = await call("POST", "/api/widget/sessions", {
      connection: w.body.connection.id,
      page: { origin: SITE, url: `${SITE}/`, language: "uk-UA" },
    });
    expect(s.status, JSON.stringify(s.body)).toBe(200);
    const token = s.body.token as string;

    const monday = moveTo(1, 10);
    expect((await call("GET", "/api/widget/hours", undefined, token)).body).toEqual({
      open: true,
      replyBy: null,
    });
    moveTo(6, 12);
    const closed = await call("GET", "/api/widget/hours", undefined, token);
    expect(closed.body).toEqual({
      open: false,
      replyBy: monday.plus({ days: 7 }).set({ hour: 9 }).toUTC().toISO(),
    });
    expect((await call("GET", "/api/widget/hours")).status).toBe(401);

    const noWay = await call(
      "POST",
      "/api/widget/offline",
      { clientId: "offline-0001", message: "call me" },
      token,
    );
    expect(noWay.status).toBe(400);
    expect(noWay.body.error.message).toMatch(/email or a phone/);
    const badMail = await call(
      "POST",
      "/api/widget/offline",
      { clientId: "offline-0001", email: "nope", message: "x" },
      token,
    );
    expect(badMail.status).toBe(400);
    const sent = await call(
      "POST",
      "/api/widget/offline",
      { clientId: "offline-0002", email: "olena@example.com", message: "Please send me the price list" },
      token,
    );
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
    const conv = (await owner.get(`/api/conversations/${sent.body.conversationId}`)).body.conversation;
    expect(conv.contact.email).toBe("olena@example.com");
    expect(conv.lastMessagePreview ?? conv.lastMessage?.text ?? "").toContain("price list");
    // Sent twice (a retried request): stored once.
    await call(
      "POST",
      "/api/widget/offline",
      { clientId: "offline-0002", email: "olena@example.com", message: "Please send me the price list" },
      token,
    );
    const feed = (await owner.get(`/api/conversations/${conv.id}/messages`)).body.messages as any[];
    expect(feed.filter((m) => m.text === "Please send me the price list")).toHaveLength(1);
  });
});
