import crypto from "node:crypto";
import type http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../../testing/eventually";
import { startSmtpSink } from "../../testing/fakes/email";
import { TEST_CA_FILE, testTls } from "../../testing/fakes/tls";
import {
  addUser,
  apiConnection,
  type Client,
  inbound,
  newWorkspace,
  type SocketClient,
  unique,
} from "../../testing/harness";
import { startReceiver } from "../../testing/outbound-receiver";
import { jobsSettled, socketsPast } from "../../testing/settled";
import { useTestServer } from "../../testing/use-test-server";
import { localParts } from "./settings";
import { sweepTimeLimits } from "./time-limits";

let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
const secrets: string[] = [];

beforeAll(async () => {
  smtp = await startSmtpSink({ notifier: "smtp-pass" });
  receiver = await startReceiver(() => secrets.at(-1) ?? "");
});
afterAll(async () => {
  await smtp.close();
  await receiver.close();
});

const t = useTestServer(() => ({
  env: {
    SMTP_HOST: smtp.host,
    SMTP_PORT: String(smtp.port),
    SMTP_USER: "notifier",
    SMTP_PASSWORD: "smtp-pass",
    SMTP_FROM: "Parley <parley@example.com>",
    NOTIFY_EMAIL_INTERVAL_SECONDS: "3",
    NOTIFY_ATTEMPTS: "2",
    // The fake push service speaks https (push endpoints must) with a certificate of its own.
    OUTBOUND_CA_FILE: TEST_CA_FILE,
  },
}));

const OFF = { inApp: false, push: false, email: false };

/** A workspace with agents A and B, and a conversation assigned to A. */
async function setup(settingsA: Record<string, unknown> = {}) {
  const { owner } = await newWorkspace(t);
  const conn = await apiConnection(t, owner, receiver.url);
  secrets.push(conn.secret);
  const aName = unique("anna");
  const bName = unique("boris");
  const a = { ...(await addUser(t, owner, "agent", aName)), name: aName };
  const b = { ...(await addUser(t, owner, "agent", bName)), name: bName };
  const put = await a.client.put("/api/notifications/settings", settingsA);
  expect(put.status, JSON.stringify(put.body)).toBe(200);
  const contact = unique("c");
  const r = await conn.post(inbound(contact, "hello"));
  const conversationId = r.body.results[0].conversationId as string;
  const assign = await owner.post(`/api/conversations/${conversationId}/assign`, { assigneeId: a.id });
  expect(assign.status).toBe(200);
  return { owner, conn, a, b, contact, conversationId };
}

const mailsTo = (email: string) => smtp.mails.filter((m) => m.to.includes(email));
const emailOf = (c: Client) => c.user!.email as string;
const notifications = async (c: Client) => (await c.get("/api/notifications")).body;

describe("in-app notifications", () => {
  it("sends the customer's message to the assignee's sockets only, and counts it unread", async () => {
    const { conn, a, b, contact, conversationId } = await setup();
    const sa = await a.client.socket(t.wsUrl);
    const sb = await b.client.socket(t.wsUrl);
    await conn.post(inbound(contact, "Where is my order?"));
    const e = await sa.waitForEvent("notification.created", (x) => x.notification.kind === "new_message");
    expect(e.notification).toMatchObject({
      kind: "new_message",
      conversationId,
      body: "Where is my order?",
      alert: true,
      readAt: null,
    });
    expect(e.notification.title).toContain("Contact");
    // B is not on the conversation: nothing of A's reaches B (once the fan-out ran and B's socket got past it).
    await jobsSettled(t.server);
    await socketsPast(t.server, a.client.workspaceId!, [sb]);
    const bFrames = sb.events().filter((x: any) => x.type === "notification.created");
    expect(bFrames.map((x: any) => x.notification.kind)).not.toContain("new_message");
    expect(bFrames.every((x: any) => x.notification.id !== e.notification.id)).toBe(true);

    const list = await notifications(a.client);
    expect(list.notifications[0]).toMatchObject({ id: e.notification.id, body: "Where is my order?" });
    expect(list.unread).toBeGreaterThanOrEqual(1);
    const read = await a.client.post("/api/notifications/read", { ids: [e.notification.id] });
    expect(read.body.unread).toBe(list.unread - 1);
    // B cannot mark A's notification read.
    await b.client.post("/api/notifications/read", { all: true });
    expect((await notifications(a.client)).unread).toBe(list.unread - 1);
    sa.close();
    sb.close();
  });

  it("notifies a mentioned colleague of a note who may read the conversation, not the author", async () => {
    const { owner, a, b, conversationId } = await setup();
    const sb = await b.client.socket(t.wsUrl);
    const so = await owner.socket(t.wsUrl);
    // B cannot see A's conversation: a mention tells B nothing (it would leak the note).
    await a.client.post(`/api/conversations/${conversationId}/notes`, {
      text: `@${b.name} hidden`,
    });
    // The owner (first name "Owner") can.
    const note = await a.client.post(`/api/conversations/${conversationId}/notes`, {
      text: "@owner please look",
    });
    expect(note.status).toBe(201);
    const e = await so.waitForEvent("notification.created", (x) => x.notification.kind === "mention");
    expect(e.notification).toMatchObject({ body: "@owner please look", title: a.name });
    expect(
      sb.events().some((x: any) => x.type === "notification.created" && x.notification.kind === "mention"),
    ).toBe(false);
    // Once an operator of the conversation, B is notified.
    await owner.post(`/api/conversations/${conversationId}/operators`, { userId: b.id });
    await a.client.post(`/api/conversations/${conversationId}/notes`, { text: `cc @${b.name}` });
    const eb = await sb.waitForEvent("notification.created", (x) => x.notification.kind === "mention");
    expect(eb.notification.body).toContain("cc @");
    expect((await notifications(a.client)).notifications.some((n: any) => n.kind === "mention")).toBe(false);
    sb.close();
    so.close();
  });

  it("does not alert during do-not-disturb or quiet hours, and a muted conversation notifies nothing", async () => {
    const now = localParts(new Date(), "Asia/Tokyo").minutes;
    const hh = (m: number) =>
      `${String(Math.floor((((m + 1440) % 1440) / 60) | 0)).padStart(2, "0")}:${String((m + 1440) % 60).padStart(2, "0")}`;
    const { conn, a, contact, conversationId } = await setup({
      matrix: { new_message: { inApp: true, push: true, email: true } },
      timeZone: "Asia/Tokyo",
      quietHours: { from: hh(now - 60), to: hh(now + 60) },
    });
    const s = await a.client.socket(t.wsUrl);
    await conn.post(inbound(contact, "during quiet hours"));
    const quiet = await s.waitForEvent(
      "notification.created",
      (x) => x.notification.body === "during quiet hours",
    );
    expect(quiet.notification.alert).toBe(false);

    await a.client.put("/api/notifications/settings", { quietHours: null, dnd: true });
    await conn.post(inbound(contact, "during dnd"));
    const dnd = await s.waitForEvent("notification.created", (x) => x.notification.body === "during dnd");
    expect(dnd.notification.alert).toBe(false);

    await a.client.put("/api/notifications/settings", { dnd: false });
    const mute = await a.client.put(`/api/conversations/${conversationId}/mute`, { muted: true });
    expect(mute.body).toEqual({ muted: true });
    await conn.post(inbound(contact, "while muted"));
    await conn.post(inbound(contact, "after unmute check"));
    await jobsSettled(t.server);
    await socketsPast(t.server, a.client.workspaceId!, [s]);
    expect(
      s.events().some((x: any) => x.type === "notification.created" && x.notification.body === "while muted"),
    ).toBe(false);
    await a.client.put(`/api/conversations/${conversationId}/mute`, { muted: false });
    await conn.post(inbound(contact, "loud again"));
    const loud = await s.waitForEvent("notification.created", (x) => x.notification.body === "loud again");
    expect(loud.notification.alert).toBe(true);
    // No email was sent for the silenced ones (the batched email carries only "loud again").
    const mail = await eventually(async () => mailsTo(emailOf(a.client))[0], { what: "the email" });
    expect(mail.raw).toContain("loud again");
    expect(mail.raw).not.toContain("during dnd");
    expect(mail.raw).not.toContain("while muted");
    s.close();
  });

  it("warns the assignee once when a waiting customer crosses the time limits, once more at red", async () => {
    const { owner, a, b, conn, contact, conversationId } = await setup();
    expect(
      (await owner.patch("/api/workspace", { settings: { slaYellowMinutes: 5, slaRedMinutes: 30 } })).status,
    ).toBe(200);
    await conn.post(inbound(contact, "still waiting"));
    const sa = await a.client.socket(t.wsUrl);
    const sb = await b.client.socket(t.wsUrl);
    const wait = async (minutes: number) =>
      t.server.ctx.db.query(
        "update conversations set first_unanswered_at = now() - make_interval(mins => $2) where id = $1",
        [conversationId, minutes],
      );
    // Other workspaces may have waiting conversations too: count this agent's warnings.
    const warnings = async () => {
      await sweepTimeLimits(t.server.ctx);
      return (await notifications(a.client)).notifications.filter((n: any) => n.kind === "time_limit").length;
    };
    await wait(2);
    expect(await warnings()).toBe(0); // under the yellow limit
    await wait(6);
    expect(await warnings()).toBe(1);
    const e = await sa.waitForEvent("notification.created", (x) => x.notification.kind === "time_limit");
    expect(e.notification).toMatchObject({ conversationId, body: "still waiting" });
    expect(await warnings()).toBe(1); // once per level
    await wait(31);
    expect(await warnings()).toBe(2);
    await jobsSettled(t.server);
    await socketsPast(t.server, a.client.workspaceId!, [sa, sb]);
    expect(
      sb.events().some((x: any) => x.type === "notification.created" && x.notification.kind === "time_limit"),
    ).toBe(false);
    sa.close();
    sb.close();
  });

  it("validates settings at the edge", async () => {
    const { owner } = await newWorkspace(t);
    const bad = await owner.put("/api/notifications/settings", {
      timeZone: "Mars/Olympus",
      quietHours: { from: "25:00", to: "07:00" },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("validation_failed");
    expect(JSON.stringify(bad.body.error)).toContain("time zone");
  });
});

describe("email notifications", () => {
  it("batches: at most one email per conversation per interval, the rest together after it", async () => {
    const { conn, a, contact } = await setup({
      matrix: {
        new_message: { inApp: true, push: false, email: true },
        assigned: OFF,
        new_conversation: OFF,
      },
    });
    const to = emailOf(a.client);
    await conn.post(inbound(contact, "first-question"));
    const first = await eventually(async () => mailsTo(to)[0], { what: "the first email" });
    expect(first.raw).toContain("first-question");
    expect(first.auth).toBe("notifier");
    for (const text of ["second-question", "third-question"]) await conn.post(inbound(contact, text));
    // The fan-out decided: both wait for the next batch, and none is mailed while within the interval.
    await eventually(
      async () => {
        const [d] = await t.server.ctx.db.query<{ n: number }>(
          "select count(*)::int as n from notification_deliveries where user_id = $1 and mode = 'batched' and status = 'pending'",
          [a.id],
        );
        return d!.n === 2;
      },
      { what: "two batched deliveries waiting" },
    );
    expect(mailsTo(to)).toHaveLength(1); // still within the interval
    const second = await eventually(async () => mailsTo(to)[1], { what: "the batched email", timeout: 8000 });
    expect(second.raw).toContain("second-question");
    expect(second.raw).toContain("third-question");
    expect(second.raw).toMatch(/Subject: Parley: 2 notifications/);
    await jobsSettled(t.server);
    expect(mailsTo(to)).toHaveLength(2);
  });

  it("collects a daily digest at the agent's hour in their time zone and sends it as one email", async () => {
    const { conn, a, contact } = await setup({
      matrix: {
        new_message: { inApp: true, push: false, email: true },
        assigned: OFF,
        new_conversation: OFF,
      },
      emailMode: "daily",
      timeZone: "Europe/Kyiv",
      digestHour: 7,
    });
    const to = emailOf(a.client);
    for (const text of ["digest-one", "digest-two"]) await conn.post(inbound(contact, text));
    const job = await eventually(
      async () => {
        const rows = await t.server.ctx.db.query<{ id: number; run_at: Date; payload: any }>(
          "select id, run_at, payload from jobs where type = 'notify.digest' and payload->>'userId' = $1",
          [a.id],
        );
        const pending = await t.server.ctx.db.query<{ n: number }>(
          "select count(*)::int as n from notification_deliveries where user_id = $1 and mode = 'daily' and status = 'pending'",
          [a.id],
        );
        return rows.length === 1 && pending[0]!.n === 2 ? rows[0] : null;
      },
      { what: "the digest job" },
    );
    expect(job.run_at.getTime()).toBeGreaterThan(Date.now());
    expect(job.run_at.getTime()).toBeLessThanOrEqual(Date.now() + 24 * 3600_000);
    expect(localParts(job.run_at, "Europe/Kyiv").minutes).toBe(7 * 60);
    expect(mailsTo(to)).toHaveLength(0);
    // Its hour has come.
    await t.server.ctx.db.query("update jobs set run_at = now() where id = $1", [job.id]);
    t.server.ctx.jobs.wake();
    const digest = await eventually(async () => mailsTo(to)[0], { what: "the digest" });
    expect(digest.raw).toMatch(/Subject: Parley digest: 2 notifications/);
    expect(digest.raw).toContain("digest-one");
    expect(digest.raw).toContain("digest-two");
  });

  it("retries when the SMTP server fails and then tells the agent in the app", async () => {
    const { conn, a, contact } = await setup({
      matrix: {
        new_message: { inApp: true, push: false, email: true },
        assigned: OFF,
        new_conversation: OFF,
      },
    });
    const s = await a.client.socket(t.wsUrl);
    smtp.failNext(451, "4.3.0 Mail server temporarily rejected message", 2);
    await conn.post(inbound(contact, "will-not-mail"));
    const notice = await s.waitForEvent(
      "notification.created",
      (x) => x.notification.kind === "delivery_failed",
      15_000,
    );
    expect(notice.notification).toMatchObject({ title: "email", alert: true });
    expect(notice.notification.body).toContain("temporarily rejected");
    const [job] = await t.server.ctx.db.query<{ status: string; attempts: number }>(
      "select status, attempts from jobs where type = 'notify.email' and payload->>'userId' = $1",
      [a.id],
    );
    expect(job).toMatchObject({ status: "dead", attempts: 2 });
    const [d] = await t.server.ctx.db.query<{ status: string; error: string }>(
      "select status, error from notification_deliveries where user_id = $1 and means = 'email'",
      [a.id],
    );
    expect(d!.status).toBe("failed");
    expect(mailsTo(emailOf(a.client))).toHaveLength(0);
    s.close();
  }, 20_000);
});

/** RFC 8291 decryption with node:crypto alone (an implementation independent of the sender's library). */
function decryptPush(body: Buffer, ua: crypto.ECDH, authSecret: Buffer): string {
  const salt = body.subarray(0, 16);
  const rs = body.readUInt32BE(16);
  const idlen = body[20]!;
  const asPublic = body.subarray(21, 21 + idlen);
  const ciphertext = body.subarray(21 + idlen);
  expect(ciphertext.length).toBeLessThanOrEqual(rs);
  const hmac = (key: Buffer, data: Buffer) => crypto.createHmac("sha256", key).update(data).digest();
  const shared = ua.computeSecret(asPublic);
  const prkKey = hmac(authSecret, shared);
  const keyInfo = Buffer.concat([
    Buffer.from("WebPush: info\0"),
    ua.getPublicKey(),
    asPublic,
    Buffer.from([1]),
  ]);
  const ikm = hmac(prkKey, keyInfo);
  const prk = hmac(salt, ikm);
  const cek = hmac(prk, Buffer.from("Content-Encoding: aes128gcm\0\x01", "binary")).subarray(0, 16);
  const nonce = hmac(prk, Buffer.from("Content-Encoding: nonce\0\x01", "binary")).subarray(0, 12);
  const decipher = crypto.createDecipheriv("aes-128-gcm", cek, nonce);
  decipher.setAuthTag(ciphertext.subarray(ciphertext.length - 16));
  const plain = Buffer.concat([
    decipher.update(ciphertext.subarray(0, ciphertext.length - 16)),
    decipher.final(),
  ]);
  // The last record ends with the delimiter 0x02, then padding zeros.
  let end = plain.length - 1;
  while (end >= 0 && plain[end] === 0) end--;
  expect(plain[end]).toBe(2);
  return plain.subarray(0, end).toString("utf8");
}

/** A push service on loopback (https, as push endpoints must be): records each request and answers as told. */
async function startPushService() {
  const received: { path: string; headers: http.IncomingHttpHeaders; body: Buffer }[] = [];
  let status = 201;
  let answerBody = "";
  const server = https.createServer(testTls(), (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      received.push({ path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(status).end(answerBody);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    base: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    answer(s: number, body = "") {
      status = s;
      answerBody = body;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe("browser (Web Push) notifications", () => {
  it("posts an aes128gcm payload signed with the stored VAPID key; a 410 removes the subscription and says so", async () => {
    const push = await startPushService();
    try {
      const { conn, a, contact, conversationId } = await setup({
        matrix: {
          new_message: { inApp: true, push: true, email: false },
          assigned: OFF,
          new_conversation: OFF,
        },
      });
      const ua = crypto.createECDH("prime256v1");
      ua.generateKeys();
      const auth = crypto.randomBytes(16);
      const endpoint = `${push.base}/push/${unique("sub")}`;
      const key = (await a.client.get("/api/notifications/push-key")).body.publicKey as string;
      expect(Buffer.from(key, "base64url")).toHaveLength(65);
      expect((await a.client.get("/api/notifications/push-key")).body.publicKey).toBe(key); // generated once
      const sub = await a.client.post("/api/notifications/push-subscriptions", {
        endpoint,
        keys: { p256dh: ua.getPublicKey().toString("base64url"), auth: auth.toString("base64url") },
      });
      expect(sub.status).toBe(201);

      await conn.post(inbound(contact, "Привет, push!"));
      const req = await eventually(async () => push.received[0], { what: "the push request" });
      expect(req.headers["content-encoding"]).toBe("aes128gcm");
      expect(req.headers.ttl).toBeDefined();
      const vapid = String(req.headers.authorization);
      expect(vapid).toMatch(/^vapid t=[\w-]+\.[\w-]+\.[\w-]+, k=/);
      expect(vapid.split("k=")[1]).toBe(key);
      // The JWT is signed (ES256) by the key the server published.
      const jwt = vapid.slice("vapid t=".length).split(",")[0]!;
      const [h, p, sig] = jwt.split(".");
      const pub = crypto.createPublicKey({
        key: {
          kty: "EC",
          crv: "P-256",
          x: Buffer.from(key, "base64url").subarray(1, 33).toString("base64url"),
          y: Buffer.from(key, "base64url").subarray(33).toString("base64url"),
        },
        format: "jwk",
      });
      expect(
        crypto.verify(
          "sha256",
          Buffer.from(`${h}.${p}`),
          { key: pub, dsaEncoding: "ieee-p1363" },
          Buffer.from(sig!, "base64url"),
        ),
      ).toBe(true);
      expect(JSON.parse(Buffer.from(p!, "base64url").toString()).aud).toBe(push.base);

      const payload = JSON.parse(decryptPush(req.body, ua, auth));
      expect(payload).toMatchObject({
        kind: "new_message",
        body: "Привет, push!",
        url: `/inbox/${conversationId}`,
      });
      expect(payload.title).toMatch(/^New message — Contact /);

      // The browser unsubscribed: the push service answers 410 Gone.
      push.answer(410);
      const s = await a.client.socket(t.wsUrl);
      await conn.post(inbound(contact, "to a gone endpoint"));
      const notice = await s.waitForEvent(
        "notification.created",
        (x) => x.notification.kind === "delivery_failed",
      );
      expect(notice.notification.title).toBe("push");
      expect(notice.notification.body).toContain("410");
      const left = await t.server.ctx.db.query("select 1 from push_subscriptions where endpoint = $1", [
        endpoint,
      ]);
      expect(left).toHaveLength(0);
      expect((await a.client.get("/api/notifications/settings")).body.pushSubscriptions).toBe(0);
      s.close();
    } finally {
      await push.close();
    }
  });

  it("refuses an endpoint that is not https or not on the public internet at registration, saying why", async () => {
    const { a } = await setup();
    const ua = crypto.createECDH("prime256v1");
    ua.generateKeys();
    const keys = {
      p256dh: ua.getPublicKey().toString("base64url"),
      auth: crypto.randomBytes(16).toString("base64url"),
    };
    const cases: [string, RegExp][] = [
      ["http://127.0.0.1:9/push/x", /http URLs are not allowed \(only https\)/],
      ["https://10.0.0.1/push/x", /10\.0\.0\.1 is not a public address/],
      ["https://169.254.169.254/latest/meta-data/", /169\.254\.169\.254 is a cloud metadata address/],
      ["https://metadata.google.internal/computeMetadata/v1/", /cloud metadata service/],
      ["https://[::1]:9/push/x", /::1 is not a public address/],
      ["https://[::ffff:192.168.0.1]/push/x", /not a public address/],
      // Loopback, but outside the test servers' EGRESS_ALLOW=127.0.0.1/32.
      ["https://127.0.0.2:9/push/x", /127\.0\.0\.2 is not a public address/],
    ];
    for (const [endpoint, why] of cases) {
      const r = await a.client.post("/api/notifications/push-subscriptions", { endpoint, keys });
      expect(r.status, endpoint).toBe(400);
      expect(r.body.error.message, endpoint).toMatch(/^This push endpoint cannot be used: /);
      expect(r.body.error.message, endpoint).toMatch(why);
    }
    expect((await a.client.get("/api/notifications/settings")).body.pushSubscriptions).toBe(0);
  });

  it("checks a stored endpoint again when sending, and keeps nothing of a refusal's body", async () => {
    const push = await startPushService();
    try {
      const { owner, conn, a, contact } = await setup({
        matrix: {
          new_message: { inApp: true, push: true, email: false },
          assigned: OFF,
          new_conversation: OFF,
        },
      });
      const ua = crypto.createECDH("prime256v1");
      ua.generateKeys();
      const keys = [ua.getPublicKey().toString("base64url"), crypto.randomBytes(16).toString("base64url")];
      // Saved before endpoints were checked: plain http to the push service's port.
      const plain = `${push.base.replace("https:", "http:")}/push/${unique("old")}`;
      await t.server.ctx.db.query(
        "insert into push_subscriptions (workspace_id, user_id, endpoint, p256dh, auth) values ($1, $2, $3, $4, $5)",
        [owner.workspaceId, a.id, plain, ...keys],
      );
      const s = await a.client.socket(t.wsUrl);
      await conn.post(inbound(contact, "to an old endpoint"));
      const refused = await s.waitForEvent(
        "notification.created",
        (x) => x.notification.kind === "delivery_failed",
      );
      expect(refused.notification.body).toMatch(/push endpoint refused: http URLs are not allowed/);
      expect(push.received).toHaveLength(0);
      await t.server.ctx.db.query("delete from push_subscriptions where endpoint = $1", [plain]);

      // A push service that refuses with a body: only its status and a short JSON reason reach the agent.
      const secret = "ami-id instance-id local-ipv4 iam/security-credentials";
      push.answer(400, `<html>${secret}</html>`);
      const sub = await a.client.post("/api/notifications/push-subscriptions", {
        endpoint: `${push.base}/push/${unique("sub")}`,
        keys: { p256dh: keys[0], auth: keys[1] },
      });
      expect(sub.status).toBe(201);
      await conn.post(inbound(contact, "to a refusing service"));
      const failed = await s.waitForEvent(
        "notification.created",
        (x) => x.notification.kind === "delivery_failed" && x.notification.id !== refused.notification.id,
      );
      expect(push.received).toHaveLength(1);
      expect(failed.notification.body).toContain("push refused (400 Bad Request)");
      expect(failed.notification.body).not.toContain("ami-id");
      s.close();
    } finally {
      await push.close();
    }
  });
});

describe("read notifications (R304)", () => {
  async function sendAndRead(ctx: Awaited<ReturnType<typeof setup>>, text: string, important = false) {
    const sent = await ctx.a.client.post(`/api/conversations/${ctx.conversationId}/messages`, { text });
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
    const id = sent.body.message.id as string;
    if (important)
      expect((await ctx.a.client.put(`/api/messages/${id}/important`, { important: true })).status).toBe(200);
    await eventually(
      async () => {
        const [m] = await t.server.ctx.db.query<{ delivery_state: string }>(
          "select delivery_state from messages where id = $1",
          [id],
        );
        return m?.delivery_state === "sent";
      },
      { what: "the message sent" },
    );
    await ctx.conn.post({
      type: "read",
      contactId: ctx.contact,
      watermark: new Date(Date.now() + 1000).toISOString(),
    });
    return id;
  }
  const readNotice = async (c: Client, id: string) =>
    (await notifications(c)).notifications.find((n: any) => n.kind === "customer_read" && n.messageId === id);

  it("tells the author when the customer reads their message; their own rules choose which messages", async () => {
    const ctx = await setup();
    const s: SocketClient = await ctx.a.client.socket(t.wsUrl);
    const first = await sendAndRead(ctx, "plain reply");
    const e = await s.waitForEvent("notification.created", (x) => x.notification.kind === "customer_read");
    expect(e.notification).toMatchObject({ messageId: first, body: "plain reply" });

    const rules = await ctx.a.client.put("/api/notification-rules/mine", {
      rules: [{ match: "important", means: ["inApp"], timing: "immediate" }],
    });
    expect(rules.status, JSON.stringify(rules.body)).toBe(200);
    const ordinary = await sendAndRead(ctx, "ordinary reply");
    const important = await sendAndRead(ctx, "important reply", true);
    await eventually(() => readNotice(ctx.a.client, important), { what: "the important read notice" });
    expect(await readNotice(ctx.a.client, ordinary)).toBeUndefined();
    s.close();
  });

  it("lets admins set workspace rules and who receives them; agents may not", async () => {
    const ctx = await setup();
    const denied = await ctx.a.client.put("/api/notification-rules/workspace", {
      rules: [],
      policy: { readReceive: null, readManage: null },
    });
    expect(denied.status).toBe(403);
    const set = await ctx.owner.put("/api/notification-rules/workspace", {
      rules: [
        {
          match: "channel",
          connectionId: ctx.conn.id,
          means: ["email"],
          timing: "weekly",
          recipients: { userIds: [ctx.a.id] },
        },
      ],
      policy: { readReceive: null, readManage: { roles: ["admin"] } },
    });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    // The policy no longer lets agents manage their own rules.
    const mine = await ctx.a.client.put("/api/notification-rules/mine", { rules: [] });
    expect(mine.status).toBe(403);
    const view = (await ctx.a.client.get("/api/notification-rules")).body;
    expect(view.canManageOwn).toBe(false);
    expect(view.workspace).toHaveLength(1);
    const id = await sendAndRead(ctx, "weekly-digest reply");
    await eventually(
      async () => {
        const [d] = await t.server.ctx.db.query<{ n: number }>(
          `select count(*)::int as n from notification_deliveries d join notifications n on n.id = d.notification_id
         where n.message_id = $1 and d.mode = 'weekly' and d.status = 'pending'`,
          [id],
        );
        return d!.n === 1;
      },
      { what: "a weekly digest delivery" },
    );
    // Receiving is limited to admins: a further read notifies the agent of nothing.
    await ctx.owner.put("/api/notification-rules/workspace", {
      rules: [],
      policy: { readReceive: { roles: ["admin", "owner"] }, readManage: null },
    });
    const later = await sendAndRead(ctx, "nobody told");
    await jobsSettled(t.server);
    expect(await readNotice(ctx.a.client, later)).toBeUndefined();
    // Another workspace's connection cannot be named in a rule.
    const other = await newWorkspace(t);
    const foreign = await other.owner.put("/api/notification-rules/mine", {
      rules: [{ match: "channel", connectionId: ctx.conn.id, means: ["inApp"], timing: "immediate" }],
    });
    expect(foreign.status).toBe(404);
  });
});

describe("notification configuration", () => {
  it("refuses incomplete or malformed SMTP and VAPID settings, naming the variable", async () => {
    const { ConfigError, loadConfig } = await import("../../config");
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig({ NODE_ENV: "test", ...env });
        return [];
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return (err as InstanceType<typeof ConfigError>).problems;
      }
    };
    expect(problems({ SMTP_HOST: "smtp.example.com" })).toEqual(["SMTP_FROM: is required with SMTP_HOST"]);
    expect(problems({ SMTP_HOST: "smtp.example.com", SMTP_FROM: "not an address" })[0]).toMatch(
      /^SMTP_FROM: must be an address/,
    );
    expect(problems({ SMTP_HOST: "h", SMTP_FROM: "a@b.c", SMTP_USER: "u" })[0]).toMatch(/^SMTP_PASSWORD:/);
    expect(problems({ SMTP_PORT: "70000" })[0]).toMatch(/^SMTP_PORT:/);
    expect(problems({ VAPID_SUBJECT: "http://example.com" })[0]).toMatch(/^VAPID_SUBJECT: must be a mailto:/);
    expect(
      problems({ SMTP_HOST: "h", SMTP_FROM: "Parley <a@b.c>", VAPID_SUBJECT: "mailto:ops@example.com" }),
    ).toEqual([]);
  });
});
