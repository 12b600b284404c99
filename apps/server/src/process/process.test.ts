import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signBody } from "../channels/api/adapter";
import { openTestDb, TEST_DB } from "../testing/db";
import {
  Client,
  inbound,
  lastSeq,
  NO_RECEIVER,
  PASSWORD,
  type SocketClient,
  unique,
} from "../testing/harness";
import {
  freePort,
  killAllChildren,
  runCli,
  runServerToExit,
  SERVER_DEFAULTS,
  type ServerProcess,
  spawnServer,
} from "../testing/spawn";

/**
 * Process-level tests: the real entry point in child processes, real HTTP and WebSockets, real databases.
 * Only the cases that make sense on the current project's database are defined (none is skipped).
 */

const onPg = TEST_DB === "postgres";
const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), "parley-process-"));

afterAll(async () => {
  await killAllChildren();
  fs.rmSync(tmpRoot, { recursive: true, force: true });
});

const freshDir = (name: string) => path.join(tmpRoot, unique(name));

/** The same browser session, talking to another process (sessions live in the database). */
function sessionOn(client: Client, url: string): Client {
  const other = new Client(url);
  Object.assign(other, { cookie: client.cookie, csrf: client.csrf, user: client.user });
  return other;
}

// ---------------------------------------------------------------------------------------------------------
// Helpers

interface Connection {
  id: string;
  secret: string;
}

async function createApiConnection(owner: Client): Promise<Connection> {
  const r = await owner.post("/api/connections", {
    type: "api",
    name: unique("api"),
    settings: { outboundUrl: NO_RECEIVER },
  });
  if (r.status !== 201) throw new Error(`connection failed: ${r.status} ${JSON.stringify(r.body)}`);
  return { id: r.body.connection.id, secret: r.body.reveal.secret };
}

interface WebhookResult {
  status: number;
  body: { results?: { status: string }[]; error?: { code: string; message: string } } | null;
}

/** Posts a signed inbound message to a server's webhook for the connection. */
async function postInbound(base: string, conn: Connection, payload: unknown): Promise<WebhookResult> {
  const raw = JSON.stringify(payload);
  const res = await fetch(`${base}/api/webhooks/api/${conn.id}`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-parley-signature": signBody(conn.secret, raw) },
    body: raw,
  });
  const text = await res.text();
  let body: WebhookResult["body"] = null;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: res.status, body };
}

const contactOf = (id: string) => `contact-${id.split("-").at(-1)}`;

interface StreamOutcome {
  /** Every message id posted, acknowledged or not. */
  sent: string[];
  /** The ids answered 200 with status "created". */
  acked: string[];
  /** Answers that were neither an acknowledgement nor a dropped connection (should be none). */
  unexpected: string[];
  killMs: number;
}

/**
 * Several concurrent senders post signed inbound messages until `killAfterAcks` have been acknowledged,
 * then the server is SIGKILLed while the other senders' requests are in flight.
 */
async function streamAndKill(
  server: ServerProcess,
  conn: Connection,
  opts: { senders: number; contacts: number; killAfterAcks: number },
): Promise<StreamOutcome> {
  const sent: string[] = [];
  const acked: string[] = [];
  const unexpected: string[] = [];
  let killing: Promise<{ ms: number }> | null = null;
  const run = unique("run");
  let n = 0;
  const sender = async () => {
    while (!killing) {
      const k = n++;
      // Half go to a few returning contacts, half open new conversations: both kinds of ingest run together.
      const id = `${run}-${k}-${k % 2 ? `r${k % opts.contacts}` : `n${k}`}`;
      sent.push(id);
      let r: WebhookResult;
      try {
        r = await postInbound(server.url, conn, inbound(contactOf(id), `message ${k}`, id));
      } catch (err) {
        if (killing || server.dead) return; // the connection dropped with the process: not acknowledged
        unexpected.push(`${id}: ${String(err)}`);
        return;
      }
      const status = r.body?.results?.[0]?.status;
      if (r.status === 200 && status === "created") acked.push(id);
      else unexpected.push(`${id}: ${r.status} ${JSON.stringify(r.body)}`);
      if (acked.length >= opts.killAfterAcks && !killing) killing = server.kill("SIGKILL");
    }
  };
  await Promise.all(Array.from({ length: opts.senders }, sender));
  const killed = await (killing ?? server.kill("SIGKILL"));
  const exit = await server.exited;
  expect(exit.signal).toBe("SIGKILL");
  return { sent, acked, unexpected, killMs: killed.ms };
}

/** How many times each provider message id appears in the feeds of the connection's conversations. */
async function feedCounts(client: Client, connectionId: string): Promise<Map<string, number>> {
  const conversations: string[] = [];
  let cursor: string | null = null;
  do {
    const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
    const r = await client.get(`/api/conversations?connection=${connectionId}&limit=200${q}`);
    expect(r.status).toBe(200);
    conversations.push(...r.body.conversations.map((c: { id: string }) => c.id));
    cursor = r.body.nextCursor;
  } while (cursor);
  const counts = new Map<string, number>();
  for (const id of conversations) {
    let after = 0;
    for (;;) {
      const r = await client.get(`/api/conversations/${id}/messages?after=${after}&limit=200`);
      expect(r.status).toBe(200);
      const page = r.body.messages as { seq: number; providerMessageId: string | null }[];
      for (const m of page) {
        if (m.providerMessageId) counts.set(m.providerMessageId, (counts.get(m.providerMessageId) ?? 0) + 1);
      }
      if (!r.body.hasMore || page.length === 0) break;
      after = page.at(-1)!.seq;
    }
  }
  return counts;
}

/**
 * The SIGKILL scenario after the server is set up: stream, kill, restart on the same storage, then check
 * every acknowledged message is in the feeds exactly once, also after the provider retries everything.
 */
async function killDuringIngestAndRestart(
  server: ServerProcess,
  owner: Client,
  conn: Connection,
  restartEnv: Record<string, string>,
): Promise<{ restarted: ServerProcess; restartMs: number }> {
  const outcome = await streamAndKill(server, conn, { senders: 6, contacts: 8, killAfterAcks: 150 });
  expect(outcome.unexpected).toEqual([]);
  expect(outcome.acked.length).toBeGreaterThanOrEqual(150);

  const t0 = performance.now();
  const restarted = await spawnServer(restartEnv);
  const restartMs = performance.now() - t0;

  // The session survives the restart (it is in the database).
  const client = sessionOn(owner, restarted.url);

  const counts = await feedCounts(client, conn.id);
  const missing = outcome.acked.filter((id) => counts.get(id) !== 1);
  expect(missing, `acknowledged but not exactly once in the feeds: ${missing.length}`).toEqual([]);
  for (const [id, n] of counts) expect(n, id).toBe(1);
  for (const id of counts.keys()) expect(outcome.sent).toContain(id);

  // The provider retries everything it sent (it cannot know what was stored): an acknowledged message is
  // a duplicate, nothing is stored twice, and afterwards every sent message is there exactly once.
  const retried = new Map<string, string>();
  const queue = [...outcome.sent];
  await Promise.all(
    Array.from({ length: 6 }, async () => {
      for (let id = queue.shift(); id; id = queue.shift()) {
        const r = await postInbound(restarted.url, conn, inbound(contactOf(id), "retry", id));
        retried.set(id, r.status === 200 ? (r.body?.results?.[0]?.status ?? "?") : `http ${r.status}`);
      }
    }),
  );
  for (const id of outcome.acked) expect(retried.get(id), id).toBe("duplicate");
  for (const id of outcome.sent) expect(["created", "duplicate"], id).toContain(retried.get(id));
  const after = await feedCounts(client, conn.id);
  expect(after.size).toBe(outcome.sent.length);
  for (const id of outcome.sent) expect(after.get(id), id).toBe(1);

  console.log(
    `[process] ${TEST_DB}: ${outcome.acked.length} acknowledged of ${outcome.sent.length} sent before SIGKILL ` +
      `(kill took ${outcome.killMs.toFixed(0)} ms); restart until healthy took ${restartMs.toFixed(0)} ms`,
  );
  return { restarted, restartMs };
}

/** Sends SIGTERM with an agent socket open: the process must close it and exit 0 within a few seconds. */
async function expectGracefulStop(server: ServerProcess, owner: Client) {
  const socket = await owner.socket(server.wsUrl);
  await socket.waitFor((f) => f.type === "hello");
  const closed = new Promise<number>((resolve) => socket.ws.once("close", (code) => resolve(code)));
  const exit = await server.kill("SIGTERM", 10_000);
  expect(exit, server.stderr()).toMatchObject({ code: 0, signal: null });
  expect(exit.ms).toBeLessThan(5_000);
  expect(await closed).toBe(1012); // "server restarting": clients reconnect elsewhere
  expect(server.stdout()).toContain("SIGTERM: stopping");
  const health = await fetch(`${server.url}/api/health`).then(
    () => "answered",
    () => "refused",
  );
  expect(health).toBe("refused");
}

// ---------------------------------------------------------------------------------------------------------
// Both databases

describe("bad configuration", () => {
  it("PORT=abc, DATABASE_URL=mysql://x and SECRET_KEY=short each stop the process, naming the variable", async () => {
    const port = String(await freePort());
    const cases = [
      { variable: "PORT", env: { PORT: "abc" } },
      { variable: "DATABASE_URL", env: { PORT: port, DATABASE_URL: "mysql://x" } },
      { variable: "SECRET_KEY", env: { PORT: port, SECRET_KEY: "short" } },
    ];
    const results = await Promise.all(
      cases.map(async (c) => {
        const dataDir = freshDir("bad-config");
        const r = await runServerToExit({ ...SERVER_DEFAULTS, DATA_DIR: dataDir, ...c.env }, 20_000);
        return { ...c, ...r, dataDir };
      }),
    );
    for (const r of results) {
      const output = `${r.variable}: exit ${r.code}/${r.signal}\n${r.stderr}\n${r.stdout}`;
      expect(r.signal, output).toBeNull();
      expect(r.code, output).not.toBe(0);
      expect(r.stderr, output).toContain("Invalid configuration");
      expect(r.stderr, output).toMatch(new RegExp(`\\b${r.variable}\\b`));
      // It did not start: nothing listened, nothing was written.
      expect(r.stdout, output).not.toMatch(/listening|Parley is running/);
      expect(fs.existsSync(r.dataDir), output).toBe(false);
      expect(r.ms, output).toBeLessThan(15_000);
    }
    // The variable's problem is explained, not just named.
    const byVar = Object.fromEntries(results.map((r) => [r.variable, r.stderr]));
    expect(byVar.DATABASE_URL).toMatch(/postgres/);
    expect(byVar.SECRET_KEY).toMatch(/32 characters/);
  });
});

// ---------------------------------------------------------------------------------------------------------
// The embedded database

if (!onPg) {
  describe("on the embedded database", () => {
    let dataDir: string;
    let current: ServerProcess | null = null;
    let owner: Client | null = null;

    /** The server left by the SIGKILL test, or a fresh one if that test did not get that far. */
    async function running(): Promise<{ server: ServerProcess; owner: Client; dataDir: string }> {
      if (!current || current.dead || !owner) {
        dataDir = freshDir("data");
        current = await spawnServer({ DATA_DIR: dataDir });
        owner = await setUp(current);
      }
      return { server: current, owner: sessionOn(owner, current.url), dataDir };
    }

    async function setUp(server: ServerProcess): Promise<Client> {
      const client = new Client(server.url);
      const r = await client.post("/api/setup", {
        workspaceName: "Acme",
        name: "Owner",
        email: "owner@example.com",
        password: PASSWORD,
      });
      if (r.status !== 201) throw new Error(`setup failed: ${r.status} ${JSON.stringify(r.body)}`);
      client.csrf = r.body.csrfToken;
      return client;
    }

    it("loses no acknowledged message when SIGKILLed during ingest, and restarts on the same directory", async () => {
      dataDir = freshDir("data");
      const env = { DATA_DIR: dataDir };
      const first = await spawnServer(env);
      // The first lines a newcomer reads are plain text.
      await first.waitForStdout(/^No owner account yet\./m);
      const running = `Parley is running at http://localhost:${first.port} on the embedded database in ${dataDir}`;
      expect((await first.waitForStdout(/^Parley is running at .*$/m))[0]).toBe(running);
      owner = await setUp(first);
      const conn = await createApiConnection(owner);
      const pidFile = path.join(dataDir, "parley.pid");
      expect(JSON.parse(fs.readFileSync(pidFile, "utf8")).pid).toBe(first.pid);

      const { restarted, restartMs } = await killDuringIngestAndRestart(first, owner, conn, env);
      current = restarted;
      // The lock of the killed process was taken over.
      expect(JSON.parse(fs.readFileSync(pidFile, "utf8")).pid).toBe(restarted.pid);
      expect(restartMs).toBeLessThan(25_000);
    }, 60_000);

    it("refuses a second process on the same DATA_DIR quickly, and the first keeps serving", async () => {
      const { server, owner, dataDir } = await running();
      const second = await runServerToExit(
        { ...SERVER_DEFAULTS, DATA_DIR: dataDir, PORT: String(await freePort()) },
        20_000,
      );
      const output = `exit ${second.code}/${second.signal}\n${second.stderr}\n${second.stdout}`;
      expect(second.signal, output).toBeNull();
      expect(second.code, output).not.toBe(0);
      expect(second.stderr, output).toContain(dataDir);
      expect(second.stderr, output).toContain("in use");
      expect(second.stderr, output).toContain(`pid ${server.pid}`);
      expect(second.ms, output).toBeLessThan(10_000);

      // The first still owns the directory and still reads and writes.
      expect(server.dead).toBe(false);
      expect(JSON.parse(fs.readFileSync(path.join(dataDir, "parley.pid"), "utf8")).pid).toBe(server.pid);
      const health = await fetch(`${server.url}/api/health`);
      expect(health.status).toBe(200);
      const conn = await createApiConnection(owner);
      const id = unique("after-lock");
      const r = await postInbound(server.url, conn, inbound("c-lock", "still here", id));
      expect(r.status).toBe(200);
      expect((await feedCounts(owner, conn.id)).get(id)).toBe(1);
    }, 40_000);

    it("stops gracefully on SIGTERM: exit 0 within a few seconds, lock released", async () => {
      const { server, owner, dataDir } = await running();
      await expectGracefulStop(server, owner);
      // A graceful stop releases the directory: the next start needs no stale-lock takeover.
      expect(fs.existsSync(path.join(dataDir, "parley.lock"))).toBe(false);
      expect(fs.existsSync(path.join(dataDir, "parley.pid"))).toBe(false);
    }, 30_000);
  });
}

// ---------------------------------------------------------------------------------------------------------
// PostgreSQL

if (onPg) {
  describe("on PostgreSQL", () => {
    /** The file's own database (migrated): the processes of these tests share it, as a deployment's would. */
    const pgEnv = { DATABASE_URL: "", EVENT_BUS: "postgres" };
    let testDb: Awaited<ReturnType<typeof openTestDb>> | undefined;
    beforeAll(async () => {
      testDb = await openTestDb();
      pgEnv.DATABASE_URL = testDb.url!;
    });
    afterAll(async () => {
      await testDb?.close();
    });

    /** A new workspace and owner through the CLI (the shared database already has users: no /api/setup). */
    async function createOwner(): Promise<{ email: string; workspace: string }> {
      const email = `${unique("owner")}@example.com`;
      const workspace = unique("ws");
      const r = await runCli(
        [
          "create-owner",
          "--workspace",
          workspace,
          "--name",
          "Owner",
          "--email",
          email,
          "--password",
          PASSWORD,
        ],
        { ...SERVER_DEFAULTS, ...pgEnv, LOG_LEVEL: "warn" },
      );
      if (r.code !== 0) throw new Error(`create-owner failed (${r.code}):\n${r.stderr}\n${r.stdout}`);
      expect(r.stdout).toContain(`Created the owner ${email}`);
      return { email, workspace };
    }

    let current: ServerProcess | null = null;
    /** A signed-in owner's session (valid on every process: sessions live in the database). */
    let session: Client | null = null;

    it("loses no acknowledged message when SIGKILLed during ingest, and restarts", async () => {
      const [first, { email }] = await Promise.all([spawnServer(pgEnv), createOwner()]);
      const running = `Parley is running at http://localhost:${first.port} on PostgreSQL`;
      expect((await first.waitForStdout(/^Parley is running at .*$/m))[0]).toBe(running);
      const owner = await new Client(first.url).signIn(email);
      session = owner;
      const conn = await createApiConnection(owner);
      const { restarted, restartMs } = await killDuringIngestAndRestart(first, owner, conn, pgEnv);
      current = restarted;
      expect(restartMs).toBeLessThan(15_000);
    }, 60_000);

    it("two processes: an agent's socket on A receives B's inbound messages in order, and resumes with ?since", async () => {
      const [a, b, { email }] = await Promise.all([
        current && !current.dead ? current : spawnServer(pgEnv),
        spawnServer(pgEnv),
        createOwner(),
      ]);
      current = a;
      const owner = await new Client(b.url).signIn(email);
      session = owner;
      const conn = await createApiConnection(owner);
      // The owner's notifications are events only the owner sees: with them off, the agent sees every event.
      const off = { inApp: false, push: false, email: false };
      const quiet = await owner.put("/api/notifications/settings", {
        matrix: { new_conversation: off, new_message: off },
      });
      expect(quiet.status).toBe(200);

      // An agent, invited on B, accepts on A (sessions live in the shared database).
      const invite = await owner.post("/api/invitations", {
        email: `${unique("agent")}@example.com`,
        role: "agent",
      });
      expect(invite.status).toBe(201);
      const agent = new Client(a.url);
      const accepted = await agent.post("/api/invitations/accept", {
        token: String(invite.body.acceptUrl).split("/").at(-1),
        name: "Agent",
        password: PASSWORD,
      });
      expect(accepted.status).toBe(201);
      expect(accepted.body.user.role).toBe("agent");
      agent.csrf = accepted.body.csrfToken;

      const postToB = async (ids: string[]) => {
        for (const id of ids) {
          const r = await postInbound(b.url, conn, inbound(`c-${id.at(-1)}`, `text ${id}`, id));
          expect(r.status).toBe(200);
          expect(r.body?.results?.[0]?.status).toBe("created");
        }
      };
      const created = (s: SocketClient) =>
        s
          .events()
          .filter((e) => e.type === "message.created")
          .map((e) => (e.type === "message.created" ? e.message.providerMessageId : null));
      // Every event of this workspace is visible to the agent (unassigned, no teams, the owner's notifications
      // off): no gap, no repeat.
      const expectOrdered = (s: SocketClient, after: number) => {
        const seqs = s.events().map((e) => e.seq);
        expect(seqs.length).toBeGreaterThan(0);
        expect(seqs).toEqual(seqs.map((_, i) => after + 1 + i));
      };
      const waitForMessage = (s: SocketClient, id: string) =>
        s.waitForEvent("message.created", (e) => e.message.providerMessageId === id, 10_000);

      // Live: posted to B, delivered on A, in order.
      const live = await agent.socket(a.wsUrl);
      const hello = await live.waitFor((f) => f.type === "hello");
      const start = hello.type === "hello" ? hello.lastSeq : -1;
      const first = Array.from({ length: 5 }, (_, i) => `live-${unique("m")}-${i % 2}`);
      await postToB(first);
      await waitForMessage(live, first.at(-1)!);
      expect(created(live)).toEqual(first);
      expectOrdered(live, start);

      // Disconnected: messages posted to B meanwhile are replayed on reconnect to A, then live ones follow.
      const since = lastSeq(live);
      const closed = new Promise((resolve) => live.ws.once("close", resolve));
      live.close();
      await closed;
      const missed = Array.from({ length: 5 }, (_, i) => `missed-${unique("m")}-${i % 3}`);
      await postToB(missed);
      const resumed = await agent.socket(a.wsUrl, since);
      const hello2 = await resumed.waitFor((f) => f.type === "hello");
      expect(hello2).toMatchObject({ type: "hello", lastSeq: since });
      await waitForMessage(resumed, missed.at(-1)!);
      const after = [`after-${unique("m")}-1`];
      await postToB(after);
      await waitForMessage(resumed, after[0]!);
      expect(created(resumed)).toEqual([...missed, ...after]);
      expectOrdered(resumed, since);
      expect(resumed.frames.some((f) => f.type === "resync_required")).toBe(false);
      resumed.close();
    }, 60_000);

    it("stops gracefully on SIGTERM: exit 0 within a few seconds", async () => {
      const server = current && !current.dead ? current : await spawnServer(pgEnv);
      const owner = session
        ? sessionOn(session, server.url)
        : await new Client(server.url).signIn((await createOwner()).email);
      await expectGracefulStop(server, owner);
    }, 30_000);
  });
}
