import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signBody } from "../channels/api/adapter";
import { hashPassword } from "../modules/auth/sessions";
import { openTestDb } from "../testing/db";
import { eventually } from "../testing/eventually";
import { startTelegramFake, type TelegramFake } from "../testing/fakes/telegram";
import { uploadFile } from "../testing/files";
import { Client, inbound, NO_RECEIVER, PASSWORD, unique } from "../testing/harness";
import { holdLock } from "../testing/hold-lock";
import { scrapeMetric } from "../testing/metrics-text";
import { type S3Server, startS3Server } from "../testing/s3";
import { ensureServerBuilt, killAllChildren, type ServerProcess, spawnServer } from "../testing/spawn";

/**
 * One Parley as a cluster (R-issue 15): processes of the built server, each with its own data directory,
 * sharing nothing but PostgreSQL and an S3 server (s3rver). A = api, B = api+realtime, C = worker; D and E are
 * workers started later. What other process tests already prove is not repeated here: the roles' routes and
 * a webhook on one process reaching a socket on another (roles.test.ts, process.test.ts), rights taken away
 * across processes (permissions.test.ts), the bus reconnecting and catching up (bus-reconnect.test.ts).
 *
 * Only on PostgreSQL: the embedded database belongs to one process (vitest.config.ts leaves this file out of
 * the embedded project).
 */

const METRICS_TOKEN = "cluster-metrics-token-0123456789";
const READY = { readyTimeoutMs: 150_000, built: true };
/** The load balancer's address as the processes know it (the test talks to each process directly). */
const PUBLIC_URL = "http://parley.cluster.test";
const INGEST_LIMIT = 5;
const SIGNIN_LIMIT = 2;

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), "parley-cluster-"));
let testDb: Awaited<ReturnType<typeof openTestDb>>;
let s3: S3Server;
let fake: TelegramFake;
let a: ServerProcess;
let b: ServerProcess;
let c: ServerProcess;
const dataDirs: string[] = [];
/** The workers started after C: D, then E. */
const workers: ServerProcess[] = [];
let owner: Client;
const started = performance.now();

/** A process of the cluster with the given roles, on a data directory of its own. */
function start(roles: string, extra: Record<string, string> = {}) {
  const dir = fs.mkdtempSync(path.join(tmpRoot, `${roles.replace(/,/g, "-")}-`));
  dataDirs.push(dir);
  return spawnServer(
    {
      DATABASE_URL: testDb.url!,
      EVENT_BUS: "postgres",
      DATA_DIR: dir,
      PUBLIC_URL,
      METRICS_TOKEN,
      TELEGRAM_API_BASE: fake.url,
      SIGNIN_RATE_LIMIT: String(SIGNIN_LIMIT),
      // The test is the proxy: it says which address a request came from.
      TRUST_PROXY: "loopback",
      // A worker that dies mid-job leaves it to another after 4 s (the channel timeouts are shorter).
      JOB_LEASE_SECONDS: "4",
      OUTBOUND_TIMEOUT_MS: "3000",
      WEBHOOK_TIMEOUT_MS: "3000",
      ROLES: roles,
      ...s3.env,
      ...extra,
    },
    READY,
  );
}

const metric = (s: ServerProcess, name: string, labels: Record<string, string> = {}) =>
  scrapeMetric(s.url, METRICS_TOKEN, name, labels);

beforeAll(async () => {
  const built = ensureServerBuilt();
  [testDb, s3, fake] = await Promise.all([openTestDb(), startS3Server(), startTelegramFake()]);
  await built;
  [a, b, c] = await Promise.all([
    start("api", { INGEST_QUEUE_LIMIT: String(INGEST_LIMIT) }),
    start("api,realtime"),
    start("worker", { LOG_LEVEL: "debug" }),
  ]);
  const email = `${unique("owner")}@example.com`;
  const setup = await new Client(a.url).post("/api/setup", {
    workspaceName: unique("ws"),
    name: "Owner",
    email,
    password: PASSWORD,
  });
  expect(setup.status, JSON.stringify(setup.body)).toBe(201);
  owner = await new Client(a.url).signIn(email);
}, 300_000);

afterAll(async () => {
  await killAllChildren();
  await Promise.allSettled([fake?.close(), s3?.close()]);
  await testDb?.close();
  fs.rmSync(tmpRoot, { recursive: true, force: true });
  console.log(`[cluster] the whole file took ${((performance.now() - started) / 1000).toFixed(1)} s`);
});

/** The same browser session on another process (sessions live in the database). */
function sessionOn(client: Client, url: string): Client {
  const other = new Client(url);
  Object.assign(other, { cookie: client.cookie, csrf: client.csrf, user: client.user });
  return other;
}

let telegram: { token: string; conversationId: string } | undefined;

/** A Telegram connection made through A, and a conversation a customer started (its webhook through A). */
async function telegramConversation() {
  if (telegram) return telegram;
  const bot = fake.newBot();
  const created = await owner.post("/api/connections", {
    type: "telegram",
    name: unique("tg"),
    credentials: { botToken: bot.token },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const hook = fake.webhookOf(bot.token)!;
  expect(hook.url.startsWith(PUBLIC_URL)).toBe(true);
  const chatId = 410_000_000 + Math.floor(Math.random() * 1_000_000);
  const from = { id: chatId, is_bot: false, first_name: "Olena" };
  const res = await fetch(`${a.url}${new URL(hook.url).pathname}`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": hook.secret! },
    body: JSON.stringify({
      update_id: chatId,
      message: {
        message_id: 1,
        from,
        chat: { id: chatId, type: "private" },
        date: 1_700_000_000,
        text: "Hi",
      },
    }),
  });
  expect(res.status).toBe(200);
  const list = await owner.get(`/api/conversations?connection=${created.body.connection.id}`);
  expect(list.body.conversations).toHaveLength(1);
  telegram = { token: bot.token, conversationId: list.body.conversations[0].id };
  return telegram;
}

async function deliveryState(client: Client, conversationId: string, messageId: string) {
  const feed = await client.get(`/api/conversations/${conversationId}/messages`);
  return feed.body.messages.find((m: { id: string }) => m.id === messageId)?.delivery?.state as string;
}

describe("three processes sharing only PostgreSQL and S3", () => {
  it("a file uploaded through A downloads through B, and the worker on C sends it to the provider", async () => {
    const { token, conversationId } = await telegramConversation();
    const bytes = crypto.randomBytes(700 * 1024 + 3);
    const file = await uploadFile(a.url, owner, conversationId, "invoice.bin", bytes);
    const onB = sessionOn(owner, b.url);
    const down = await fetch(`${b.url}${file.url}`, { headers: { cookie: owner.cookie! } });
    expect(down.status).toBe(200);
    expect(Buffer.from(await down.arrayBuffer()).equals(bytes)).toBe(true);

    const sent = await onB.post(`/api/conversations/${conversationId}/messages`, {
      text: "Your invoice",
      attachments: [file],
    });
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
    await eventually(
      async () => (await deliveryState(onB, conversationId, sent.body.message.id)) === "sent",
      {
        timeout: 20_000,
        what: "the message sent",
      },
    );
    // The provider got Parley's signed link (at the public address); the bytes behind it, from any process.
    const [call] = fake.calls(token, "sendDocument");
    const link = new URL(call!.params.document as string);
    expect(link.origin).toBe(PUBLIC_URL);
    const fetched = await fetch(`${b.url}${link.pathname}${link.search}`);
    expect(fetched.status).toBe(200);
    expect(Buffer.from(await fetched.arrayBuffer()).equals(bytes)).toBe(true);
    // Only C runs jobs; no process kept the file on its own disk.
    expect(await metric(c, "parley_job_attempts_total", { outcome: "done" })).toBeGreaterThan(0);
    for (const s of [a, b]) expect(await metric(s, "parley_job_attempts_total")).toBe(0);
    for (const dir of dataDirs) expect(fs.existsSync(path.join(dir, "files")), dir).toBe(false);
  });

  it("deactivating an agent through A closes their socket on B within a second (close code 4001)", async () => {
    const email = `${unique("agent")}@example.com`;
    await testDb.db.query(
      "insert into users (workspace_id, email, name, role, password_hash) values ($1, $2, 'Agent', 'agent', $3)",
      [owner.workspaceId, email, await hashPassword(PASSWORD)],
    );
    const agent = await new Client(b.url).signIn(email);
    const socket = await agent.socket(b.wsUrl);
    await socket.waitFor((f) => f.type === "hello");
    const closed = new Promise<{ code: number; at: number }>((resolve) =>
      socket.ws.once("close", (code) => resolve({ code, at: performance.now() })),
    );
    const off = await owner.patch(`/api/users/${agent.user!.id}`, { status: "disabled" });
    const answeredAt = performance.now();
    expect(off.status).toBe(200);
    const { code, at } = await closed;
    expect(code).toBe(4001);
    expect(at - answeredAt).toBeLessThan(1000);
  });

  it("a worker SIGKILLed mid-send leaves the job to another worker, which sends it exactly once", async () => {
    const { token, conversationId } = await telegramConversation();
    fake.holdNext("sendMessage");
    const text = unique("held reply");
    const sent = await owner.post(`/api/conversations/${conversationId}/messages`, { text });
    expect(sent.status).toBe(201);
    // The provider has C's request and does not answer it: C is in the middle of the job.
    await eventually(() => fake.held.length === 1, { timeout: 10_000, what: "the request held" });
    const killed = await c.kill("SIGKILL");
    expect(killed.signal).toBe("SIGKILL");
    await eventually(() => fake.held[0]!.closed, { what: "the held request hung up" });
    expect(await deliveryState(owner, conversationId, sent.body.message.id)).not.toBe("sent");

    const d = await start("worker", { LOG_LEVEL: "debug" });
    // D counts among the workers from now on, whatever this test finds (the scheduled task's test reads its log).
    workers.push(d);
    await eventually(
      async () => (await deliveryState(owner, conversationId, sent.body.message.id)) === "sent",
      {
        timeout: 30_000,
        what: "the message sent by D",
      },
    );
    const delivered = fake.calls(token, "sendMessage").filter((r) => r.params.text === text);
    expect(delivered).toHaveLength(1);
    // The job is marked done just after the handler's own write: its row may trail the message's state.
    await eventually(async () => {
      const [job] = await testDb.db.query<{ status: string; attempts: number }>(
        "select status, attempts from jobs where payload->>'messageId' = $1",
        [sent.body.message.id],
      );
      expect(job).toEqual({ status: "done", attempts: 2 });
      return true;
    });
    expect(await metric(d, "parley_job_attempts_total", { outcome: "done" })).toBeGreaterThan(0);
  }, 90_000);

  it("sign-in's limit holds across processes: attempts spread over A and B stop at the same total", async () => {
    // Made-up accounts from one address: after 5 × SIGNIN_RATE_LIMIT failures the address is capped.
    const cap = 5 * SIGNIN_LIMIT;
    const attempt = async (s: ServerProcess) => {
      const res = await fetch(`${s.url}/api/auth/sign-in`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-forwarded-for": "198.51.100.77" },
        body: JSON.stringify({ email: `${unique("nobody")}@example.com`, password: "wrong password" }),
      });
      return { status: res.status, retryAfter: res.headers.get("retry-after") };
    };
    for (let i = 0; i < cap; i++) expect((await attempt(i % 2 ? b : a)).status, `attempt ${i + 1}`).toBe(401);
    for (const s of [a, b]) {
      const refused = await attempt(s);
      expect(refused.status).toBe(429);
      expect(Number(refused.retryAfter)).toBeGreaterThan(60);
    }
    // Another address is not affected.
    expect((await owner.get("/api/auth/session")).status).toBe(200);
  });

  it("floods of webhooks past A's ingest queue get 503 with Retry-After, and every acknowledged one is stored", async () => {
    const created = await owner.post("/api/connections", {
      type: "api",
      name: unique("api"),
      settings: { outboundUrl: NO_RECEIVER },
    });
    expect(created.status).toBe(201);
    const conn = { id: created.body.connection.id, secret: created.body.reveal.secret };
    const post = async (id: string) => {
      const raw = JSON.stringify(inbound(`contact-${id}`, `flood ${id}`, id));
      const res = await fetch(`${a.url}/api/webhooks/api/${conn.id}`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-parley-signature": signBody(conn.secret, raw) },
        body: raw,
      });
      return { id, status: res.status, retryAfter: res.headers.get("retry-after") };
    };
    expect((await post(unique("warm-up"))).status).toBe(200);

    // The database is slow: a transaction holds a lock every ingest transaction needs.
    const blocker = holdLock(testDb.db, (q) => q.query("lock table messages in share mode"));
    await blocker.taken;
    const flood = Array.from({ length: 40 }, () => unique("flood"));
    const answered: Awaited<ReturnType<typeof post>>[] = [];
    const requests = flood.map(async (id) => {
      const r = await post(id);
      answered.push(r);
      return r;
    });
    // The queue is full (A's health says so) and the rest were answered at once.
    await eventually(async () => {
      const h = (await (await fetch(`${a.url}/api/health`)).json()) as {
        ingestQueue: { waiting: number; writing: number };
      };
      expect(h.ingestQueue.waiting).toBe(INGEST_LIMIT);
      expect(answered.length + h.ingestQueue.waiting + h.ingestQueue.writing).toBe(flood.length);
      return true;
    });
    const refused = [...answered];
    for (const r of refused)
      expect(r).toMatchObject({ status: 503, retryAfter: expect.stringMatching(/^\d+$/) });
    blocker.release();
    await blocker.done;
    const all = await Promise.all(requests);
    const acked = all.filter((r) => r.status === 200);
    expect(acked.length + refused.length).toBe(flood.length);
    expect(acked.length).toBeGreaterThanOrEqual(INGEST_LIMIT);
    const stored = new Set(
      (
        await testDb.db.query<{ id: string }>(
          "select provider_message_id as id from messages where connection_id = $1",
          [conn.id],
        )
      ).map((r) => r.id),
    );
    for (const r of acked) expect(stored.has(r.id), r.id).toBe(true);
    for (const r of refused) expect(stored.has(r.id), r.id).toBe(false);
  });

  it("a scheduled task runs once per slot with two workers", async () => {
    // D (started above) and E both look at the minute tasks every 30 s.
    const e = await start("worker", { LOG_LEVEL: "debug" });
    workers.push(e);
    const [d] = workers;
    expect(workers).toHaveLength(2);
    const bothUp = new Date();
    const task = "time-limit-warnings";
    const slotsSince = async () =>
      testDb.db.query<{ slot: string }>(
        "select slot from scheduled_runs where task = $1 and started_at >= $2 order by slot",
        [task, bothUp],
      );
    await eventually(async () => (await slotsSince()).length >= 1, {
      timeout: 75_000,
      what: "a slot run while both workers were up",
    });
    const ranBy = (s: ServerProcess) =>
      s
        .stdout()
        .split("\n")
        .filter((l) => l.includes('"scheduled task runs"') && l.includes(`"task":"${task}"`)).length;
    // Every slot taken was run by exactly one of the workers that ever ran (C, D, E); a run's log line may
    // trail its slot's row a moment.
    await eventually(async () => {
      const [runs] = await testDb.db.query<{ n: number }>(
        "select count(*)::int as n from scheduled_runs where task = $1",
        [task],
      );
      expect(ranBy(c) + ranBy(d!) + ranBy(e)).toBe(runs!.n);
      return true;
    });
  }, 120_000);
});
