import { describe, expect, it } from "vitest";
import { MtprotoError } from "../../channels/telegram-user/boundary";
import { MovableClock } from "../../lib/time";
import { eventually } from "../../testing/eventually";
import { type FakeAccount, FakeTelegramCloud } from "../../testing/fakes/telegram-user";
import { addUser, type Client, newWorkspace, startTestServer, unique } from "../../testing/harness";
import { useTestServer } from "../../testing/use-test-server";

const clock = new MovableClock();
const cloud = new FakeTelegramCloud(clock);
const t = useTestServer(() => ({ clock, mtproto: cloud }));

const API = { apiId: 123456, apiHash: "0123456789abcdef0123456789abcdef" };
let phones = 0;
const newPhone = () =>
  `+4477009${String(process.pid % 100).padStart(2, "0")}${String(++phones).padStart(3, "0")}`;

async function start(owner: Client, phone: string, extra: Record<string, unknown> = {}) {
  return owner.post("/api/telegram-user/logins", { name: unique("tg-user"), ...API, phone, ...extra });
}

/** Signs an account in (code, and the password when it has one) and returns the new connection. */
async function connect(owner: Client, account: FakeAccount, password?: string) {
  const s = await start(owner, account.phone);
  expect(s.status, JSON.stringify(s.body)).toBe(201);
  const c = await owner.post(`/api/telegram-user/logins/${s.body.login.id}/code`, {
    code: cloud.lastCode(account.phone),
  });
  expect(c.status, JSON.stringify(c.body)).toBe(200);
  if (c.body.connection) return c.body.connection;
  const p = await owner.post(`/api/telegram-user/logins/${s.body.login.id}/password`, { password });
  expect(p.status, JSON.stringify(p.body)).toBe(200);
  return p.body.connection;
}

const held = (account: FakeAccount) =>
  eventually(() => cloud.listeners(account).length === 1, { what: "the session held" });

describe("signing a personal Telegram account in", () => {
  it("phone → code connects an account without a password; the session is stored sealed and held by a worker", async () => {
    const { owner } = await newWorkspace(t);
    const account = cloud.addAccount(newPhone());
    const s = await start(owner, account.phone);
    expect(s.status).toBe(201);
    expect(s.body.login).toMatchObject({ step: "code", passwordHint: null });
    const c = await owner.post(`/api/telegram-user/logins/${s.body.login.id}/code`, {
      code: cloud.lastCode(account.phone),
    });
    expect(c.status).toBe(200);
    expect(c.body.connection).toMatchObject({
      type: "telegram_user",
      enabled: true,
      health: { lastError: null },
    });
    const [row] = await t.db.query<{ credentials_enc: string }>(
      "select credentials_enc from channel_connections where id = $1",
      [c.body.connection.id],
    );
    const session = [...cloud.keys.entries()].find(([, u]) => u === account.userId)![0];
    expect(row!.credentials_enc).not.toContain(session);
    expect(
      t.server.ctx.secrets.open<{ session: string; userId: string }>(row!.credentials_enc),
    ).toMatchObject({
      session,
      userId: account.userId,
    });
    expect(
      await t.db.query("select 1 from telegram_user_logins where id = $1", [s.body.login.id]),
    ).toHaveLength(0);
    await held(account);
    expect(t.server.telegramSessions.holding()).toContain(c.body.connection.id);
  });

  it("a wrong code, then the password step with its hint, a wrong password, then the right one", async () => {
    const { owner } = await newWorkspace(t);
    const account = cloud.addAccount(newPhone(), { password: "sunflower-42", hint: "flower + number" });
    const s = await start(owner, account.phone);
    const wrong = await owner.post(`/api/telegram-user/logins/${s.body.login.id}/code`, { code: "00000" });
    expect(wrong.status).toBe(422);
    expect(wrong.body.error.details).toMatchObject({ reason: "code_invalid" });
    expect(wrong.body.error.message).toMatch(/code is wrong/);
    const c = await owner.post(`/api/telegram-user/logins/${s.body.login.id}/code`, {
      code: cloud.lastCode(account.phone),
    });
    expect(c.status).toBe(200);
    expect(c.body).toMatchObject({
      connection: null,
      login: { step: "password", passwordHint: "flower + number" },
    });
    const bad = await owner.post(`/api/telegram-user/logins/${s.body.login.id}/password`, {
      password: "tulip",
    });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details).toMatchObject({ reason: "password_invalid" });
    const ok = await owner.post(`/api/telegram-user/logins/${s.body.login.id}/password`, {
      password: "sunflower-42",
    });
    expect(ok.status).toBe(200);
    expect(ok.body.connection.type).toBe("telegram_user");
  });

  it("the next step may reach another process: the sign-in lives in the database", async () => {
    const { owner } = await newWorkspace(t);
    const account = cloud.addAccount(newPhone(), { password: "pw-1" });
    const other = await startTestServer(t.db, { clock, mtproto: cloud, env: { ROLES: "api" } });
    try {
      const s = await start(owner, account.phone);
      const there = new (owner.constructor as typeof Client)(other.url);
      there.cookie = owner.cookie;
      there.csrf = owner.csrf;
      const c = await there.post(`/api/telegram-user/logins/${s.body.login.id}/code`, {
        code: cloud.lastCode(account.phone),
      });
      expect(c.body.login?.step).toBe("password");
      const p = await owner.post(`/api/telegram-user/logins/${s.body.login.id}/password`, {
        password: "pw-1",
      });
      expect(p.status).toBe(200);
    } finally {
      await other.close();
    }
  });

  it("an expired code ends the sign-in; a flood wait says when to try again", async () => {
    const { owner } = await newWorkspace(t);
    const account = cloud.addAccount(newPhone());
    const s = await start(owner, account.phone);
    const code = cloud.lastCode(account.phone);
    clock.advance(cloud.codeLifetimeMs + 1000);
    const late = await owner.post(`/api/telegram-user/logins/${s.body.login.id}/code`, { code });
    expect(late.status).toBe(422);
    expect(late.body.error.details).toMatchObject({ reason: "code_expired" });
    expect(late.body.error.message).toMatch(/expired/);
    const again = await owner.post(`/api/telegram-user/logins/${s.body.login.id}/code`, { code });
    expect(again.status).toBe(404);

    cloud.inject("sendCode", new MtprotoError("FLOOD_WAIT", 420));
    const flood = await start(owner, account.phone);
    expect(flood.status).toBe(429);
    expect(flood.body.error.message).toBe("Telegram asks to wait: try again in 7 minutes.");
    expect(flood.body.error.details).toMatchObject({ reason: "flood_wait", seconds: 420 });
  });

  it("bad input is a 400 naming the field; only admins; another workspace's sign-in is not found", async () => {
    const { owner } = await newWorkspace(t);
    const bad = await owner.post("/api/telegram-user/logins", {
      name: "x",
      apiId: "abc",
      apiHash: "nope",
      phone: "12",
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toMatch(/api_hash/);
    const unknown = await start(owner, "+15550000000");
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.details).toMatchObject({ reason: "phone_unoccupied" });
    const agent = await addUser(t, owner, "agent");
    expect((await start(agent.client, newPhone())).status).toBe(403);

    const account = cloud.addAccount(newPhone());
    const s = await start(owner, account.phone);
    const stranger = await newWorkspace(t);
    const r = await stranger.owner.post(`/api/telegram-user/logins/${s.body.login.id}/code`, {
      code: cloud.lastCode(account.phone),
    });
    expect(r.status).toBe(404);
    // The generic form does not connect this channel.
    const generic = await owner.post("/api/connections", {
      type: "telegram_user",
      name: "x",
      credentials: {},
    });
    expect(generic.status).toBe(400);
    expect(generic.body.error.message).toMatch(/signing in/);
  });
});

/** A workspace with a connected personal account, held by this server's worker. */
async function connected() {
  const { owner } = await newWorkspace(t);
  const account = cloud.addAccount(newPhone());
  const connection = await connect(owner, account);
  await held(account);
  return { owner, account, connection };
}

/** The workspace's one conversation (each test has a workspace of its own). */
const conversationOf = (owner: Client) =>
  eventually(async () => ((await owner.get("/api/conversations")).body.conversations as any[])[0]);
const feed = async (owner: Client, convId: string) =>
  (await owner.get(`/api/conversations/${convId}/messages`)).body.messages as any[];

describe("a connected personal Telegram account", () => {
  it("customers' messages arrive as conversations; replies go as the account, sent then delivered, then read", async () => {
    const { owner, account } = await connected();
    const customer = cloud.addCustomer("Олена", "olena_k");
    const first = cloud.customerSends(account, customer.userId, "Добрий день! Чи є доставка?");
    const conv = await conversationOf(owner);
    await eventually(async () =>
      (await feed(owner, conv.id)).some((m) => m.text === "Добрий день! Чи є доставка?"),
    );

    const sent = await owner.post(`/api/conversations/${conv.id}/messages`, { text: "Так, доставляємо" });
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
    const call = await eventually(() =>
      cloud.calls.find((c) => c.method === "sendMessage" && c.text === "Так, доставляємо"),
    );
    expect(call).toMatchObject({ account: account.userId, peer: customer.userId });
    // Telegram's answer makes it "sent"; the message in the account's own update stream makes it "delivered".
    await eventually(async () => {
      const m = (await feed(owner, conv.id)).find((x) => x.id === sent.body.message.id);
      expect(m.providerMessageId).toBe(String(call.id));
      expect(m.delivery.state).toBe("delivered");
      return true;
    });
    // A reply quoting the customer's message.
    const quoted = (await feed(owner, conv.id)).find((m) => m.text === "Добрий день! Чи є доставка?");
    await owner.post(`/api/conversations/${conv.id}/messages`, {
      text: "Куди саме?",
      quotedMessageId: quoted.id,
    });
    const reply = await eventually(() => cloud.calls.find((c) => c.text === "Куди саме?"));
    expect(reply.replyTo).toBe(first);

    // The customer read everything up to our message: it is "read".
    cloud.customerReads(account, customer.userId, call.id!);
    await eventually(
      async () =>
        (await feed(owner, conv.id)).find((x) => x.id === sent.body.message.id).delivery.state === "read",
    );
  });

  it("edits arrive as a new message quoting the original; files come through the media job", async () => {
    const { owner, account } = await connected();
    const customer = cloud.addCustomer("Ірина");
    const id = cloud.customerSends(account, customer.userId, "Потрібно 2 штуки");
    const conv = await conversationOf(owner);
    await eventually(async () => (await feed(owner, conv.id)).length === 1);
    cloud.customerEdits(account, customer.userId, id, "Потрібно 3 штуки");
    await eventually(async () => (await feed(owner, conv.id)).some((m) => m.text === "Потрібно 3 штуки"));

    const pdf = Buffer.from("%PDF-1.4 fake invoice");
    cloud.customerSends(account, customer.userId, "Рахунок", {
      file: { name: "invoice.pdf", mimeType: "application/pdf", data: pdf },
    });
    const withFile = await eventually(async () =>
      (await feed(owner, conv.id)).find((m) => m.text === "Рахунок" && m.attachments?.[0]?.state === "ready"),
    );
    const file = await owner.request("GET", withFile.attachments[0].url);
    expect(file.status).toBe(200);
    expect(file.body).toBe(pdf.toString());
  });

  it("the workspace's seen policy marks the customer's messages read at Telegram (messages.readHistory)", async () => {
    const { owner, account } = await connected();
    const customer = cloud.addCustomer("Марко");
    const id = cloud.customerSends(account, customer.userId, "Є хтось?");
    const conv = await conversationOf(owner);
    await eventually(async () => (await feed(owner, conv.id)).length === 1);
    expect((await owner.patch("/api/workspace", { settings: { sendSeen: "on_open" } })).status).toBe(200);
    await owner.post(`/api/conversations/${conv.id}/read`, {});
    const call = await eventually(() =>
      cloud.calls.find((c) => c.method === "readHistory" && c.peer === customer.userId),
    );
    expect(call.maxId).toBe(id);
  });

  it("a revoked session turns the health red with what to do; signing in again repairs the connection", async () => {
    const { owner, account, connection } = await connected();
    cloud.revoke(account);
    const red = await eventually(async () => {
      const c = (await owner.get(`/api/connections/${connection.id}`)).body.connection;
      return c.health.lastError?.startsWith("reconnect:") ? c : null;
    });
    expect(red.health.lastError).toMatch(/AUTH_KEY_UNREGISTERED.*sign in again/);
    await eventually(() => !t.server.telegramSessions.holding().includes(connection.id));

    const s = await start(owner, account.phone, { connectionId: connection.id });
    expect(s.status).toBe(201);
    const c = await owner.post(`/api/telegram-user/logins/${s.body.login.id}/code`, {
      code: cloud.lastCode(account.phone),
    });
    expect(c.body.connection).toMatchObject({ id: connection.id, health: { lastError: null } });
    await held(account);
  });

  it("one process holds the session; another takes it over once the holder's lease runs out", async () => {
    const { account, connection } = await connected();
    // This server's worker dies: it stops renewing and leaves its lease behind (put back as a dead holder's).
    await t.server.telegramSessions.stop();
    await t.db.query(
      "update telegram_user_sessions set lease_owner = 'dead-process', lease_until = $2 where connection_id = $1",
      [connection.id, new Date(clock.now().getTime() + 60_000)],
    );
    const other = await startTestServer(t.db, { clock, mtproto: cloud, env: { ROLES: "worker" } });
    try {
      const sessions = other.server.telegramSessions;
      await eventually(() => sessions.refreshes >= 2, { what: "two refreshes of the other worker" });
      expect(sessions.holding()).not.toContain(connection.id);
      expect(cloud.listeners(account)).toHaveLength(0);
      clock.advance(61_000);
      await eventually(() => sessions.holding().includes(connection.id), {
        what: "the other worker took over",
      });
      const [row] = await t.db.query<{ lease_owner: string }>(
        "select lease_owner from telegram_user_sessions where connection_id = $1",
        [connection.id],
      );
      expect(row!.lease_owner).toBe(sessions.owner);
      await held(account);
    } finally {
      await other.close();
    }
  });
});
