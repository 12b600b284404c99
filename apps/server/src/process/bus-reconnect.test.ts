import type { WidgetServerFrame } from "@parley/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { signBody } from "../channels/api/adapter";
import { openPostgres } from "../db/client";
import { LISTENER_APPLICATION_NAME } from "../db/listener";
import { migrate } from "../db/migrate";
import type { Health } from "../http/health";
import { TEST_DB } from "../testing/db";
import { eventually } from "../testing/eventually";
import { Client, inbound, NO_RECEIVER, PASSWORD, type SocketClient, unique } from "../testing/harness";
import { adminQuery, type Cluster, startCluster } from "../testing/pg-cluster";
import { killAllChildren, type ServerProcess, spawnServer } from "../testing/spawn";
import { useTestServer } from "../testing/use-test-server";

/**
 * The event bus across a lost LISTEN connection (PostgreSQL restarted, or the connection ended by a proxy):
 * two server processes on a PostgreSQL of this file's own (the suite's shared one is never restarted),
 * owners' sockets on both, messages written through B. Process A connects as its own role, which the test
 * can keep from reconnecting: the events committed while A's LISTEN connection is down are then certain to
 * reach A only through its catch-up from the log. Every socket must receive every event exactly once, in
 * order, and `/api/health` must say the bus is down while it is, then ok.
 */

async function health(base: string): Promise<{ status: number; body: Health }> {
  const r = await fetch(`${base}/api/health`);
  return { status: r.status, body: (await r.json()) as Health };
}

/** Waits until `base`'s health matches. */
const healthBecomes = (base: string, expected: { status: number; body: Partial<Health> }) =>
  eventually(
    async () => {
      expect(await health(base)).toMatchObject(expected);
      return true;
    },
    { timeout: 30_000 },
  );

if (TEST_DB === "postgres") {
  describe("the event bus across a lost LISTEN connection, on PostgreSQL", () => {
    let cluster: Cluster | null = null;
    let a: ServerProcess;
    let b: ServerProcess;
    let owner: Client;
    let conn: { id: string; secret: string };
    /** `start`: the workspace's last seq when the socket opened; every event after it must reach it. */
    const sockets: { on: "A" | "B"; s: SocketClient; start: number }[] = [];
    /** The messages acknowledged by B, in the order they were written. */
    const written: string[] = [];
    const admin = (sql: string, params: unknown[] = []) => adminQuery(cluster!.url("parley"), sql, params);

    beforeAll(async () => {
      cluster = await startCluster();
      await adminQuery(cluster.url("postgres"), "create database parley");
      for (const role of ["parley_a", "parley_b"])
        await admin(`create role ${role} login superuser password 'secret'`);
      const db = await openPostgres(cluster.url("parley"), 2);
      try {
        await migrate(db);
      } finally {
        await db.close();
      }
      const url = (role: string) => `postgres://${role}:secret@127.0.0.1:${cluster!.port}/parley`;
      [a, b] = await Promise.all([
        // Generous: a loaded machine starts a process (tsx compiling the sources) slowly.
        spawnServer({ DATABASE_URL: url("parley_a"), EVENT_BUS: "postgres" }, { readyTimeoutMs: 150_000 }),
        spawnServer({ DATABASE_URL: url("parley_b"), EVENT_BUS: "postgres" }, { readyTimeoutMs: 150_000 }),
      ]);
      const email = `${unique("owner")}@example.com`;
      const setup = await new Client(b.url).post("/api/setup", {
        workspaceName: unique("ws"),
        name: "Owner",
        email,
        password: PASSWORD,
      });
      expect(setup.status, JSON.stringify(setup.body)).toBe(201);
      owner = await new Client(b.url).signIn(email);
      const created = await owner.post("/api/connections", {
        type: "api",
        name: "api",
        settings: { outboundUrl: NO_RECEIVER },
      });
      expect(created.status).toBe(201);
      conn = { id: created.body.connection.id, secret: created.body.reveal.secret };
      for (const on of ["A", "A", "B", "B"] as const) {
        const s = await owner.socket(on === "A" ? a.wsUrl : b.wsUrl);
        const hello = await s.waitFor((f) => f.type === "hello");
        sockets.push({ on, s, start: hello.type === "hello" ? hello.lastSeq : -1 });
      }
    }, 300_000);

    afterAll(async () => {
      for (const { s } of sockets) s.close();
      await killAllChildren();
      await cluster?.remove();
    });

    /** Posts one message to B: "created" or "duplicate" (a retry of one that committed), else throws. */
    async function post(id: string): Promise<void> {
      const raw = JSON.stringify(inbound("customer", `text ${id}`, id));
      const res = await fetch(`${b.url}/api/webhooks/api/${conn.id}`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-parley-signature": signBody(conn.secret, raw) },
        body: raw,
        signal: AbortSignal.timeout(10_000),
      });
      const body = (await res.json()) as { results?: { status: string }[] };
      const status = body.results?.[0]?.status;
      if (res.status !== 200 || (status !== "created" && status !== "duplicate"))
        throw new Error(`${res.status} ${JSON.stringify(body)}`);
      written.push(id);
    }

    /**
     * Writes messages one after another until stopped, each retried until B accepts it (as a provider
     * retries): a database that is down only delays the stream.
     */
    function writer() {
      let stopping = false;
      const done = (async () => {
        for (let n = 0; !stopping; n++) {
          const id = unique(`stream-${n}`);
          for (;;) {
            try {
              await post(id);
              break;
            } catch {
              await new Promise((r) => setTimeout(r, 100)); // the pace of retries, not an assertion
            }
          }
        }
      })();
      return {
        async stop() {
          stopping = true;
          await done;
        },
      };
    }

    /** Every socket has received every event of the log after the one it started at, once each, in order. */
    async function expectEverySocketComplete() {
      const [ws] = await admin("select id from workspaces");
      // Notifications of the messages are events too, written by the workers a moment later: the log is
      // read again until every socket matches it.
      await eventually(
        async () => {
          const rows = await admin("select seq from events where workspace_id = $1 order by seq", [ws!.id]);
          const log = rows.map((r) => Number(r.seq));
          for (const { on, s, start } of sockets) {
            const expected = log.filter((seq) => seq > start);
            // The log itself has no gap: seqs are start+1, start+2, …
            expect(expected).toEqual(expected.map((_, i) => start + 1 + i));
            expect(
              s.events().map((e) => e.seq),
              `events on a socket of ${on}`,
            ).toEqual(expected);
            const messages = s
              .events()
              .filter((e) => e.type === "message.created")
              .map((e) => e.message.providerMessageId);
            expect(messages, `messages on a socket of ${on}`).toEqual(written);
          }
          return true;
        },
        { timeout: 30_000, what: "every event on every socket" },
      );
    }

    it("catches up after its LISTEN connection is terminated (a proxy's idle timeout)", async () => {
      // A may not reconnect until the test allows it: what B writes meanwhile is not announced to A.
      await admin("alter role parley_a nologin");
      const ended = await admin(
        "select pg_terminate_backend(pid) as ok from pg_stat_activity where usename = 'parley_a' and application_name = $1",
        [LISTENER_APPLICATION_NAME],
      );
      expect(ended).toEqual([{ ok: true }]);
      const down = await eventually(async () => {
        const h = await health(a.url);
        expect(h.status).toBe(503);
        expect(h.body).toMatchObject({ ok: false, bus: "down" });
        return h.body;
      });
      expect(Date.parse(down.busDownSince!)).not.toBeNaN();
      expect(await health(b.url)).toMatchObject({ status: 200, body: { ok: true, bus: "up" } });

      for (let i = 0; i < 10; i++) await post(unique(`while-a-is-down-${i}`));
      const onB = sockets.filter((x) => x.on === "B");
      for (const { s } of onB)
        await s.waitForEvent(
          "message.created",
          (e) => e.message.providerMessageId === written.at(-1),
          10_000,
        );
      // Still down: A cannot sign in to the database yet.
      expect(await health(a.url)).toMatchObject({ status: 503, body: { bus: "down" } });

      await admin("alter role parley_a login");
      await healthBecomes(a.url, { status: 200, body: { ok: true, bus: "up", busDownSince: null } });
      await expectEverySocketComplete();
      // Access changes sent while A was down were lost: A re-checked its sockets (and told them).
      for (const { s } of sockets.filter((x) => x.on === "A")) await s.waitFor((f) => f.type === "access");
    }, 120_000);

    it("loses no event and repeats none when PostgreSQL restarts mid-stream", async () => {
      const stream = writer();
      const before = written.length;
      await eventually(() => written.length >= before + 10, { timeout: 30_000 });
      // A stays out after the restart until allowed: B's writes after the restart reach A by catch-up.
      await admin("alter role parley_a nologin");
      await cluster!.stop();
      for (const base of [a.url, b.url]) {
        await eventually(async () => {
          const h = await health(base);
          expect(h.status).toBe(503);
          expect(h.body).toMatchObject({ ok: false, bus: "down", databaseUp: false });
          expect(Date.parse(h.body.busDownSince!)).not.toBeNaN();
          return true;
        });
      }
      const duringOutage = written.length;
      await cluster!.start();
      await healthBecomes(b.url, { status: 200, body: { ok: true, bus: "up" } });
      await eventually(() => written.length >= duringOutage + 10, { timeout: 30_000 });
      expect(await health(a.url)).toMatchObject({ status: 503, body: { bus: "down" } });

      await admin("alter role parley_a login");
      await healthBecomes(a.url, { status: 200, body: { ok: true, bus: "up", busDownSince: null } });
      const resumed = written.length;
      await eventually(() => written.length >= resumed + 10, { timeout: 30_000 });
      await stream.stop();
      await expectEverySocketComplete();
      console.log(
        `[bus] ${written.length} messages written across a PostgreSQL restart; every one reached ${sockets.length} sockets on 2 processes once, in order`,
      );
    }, 180_000);

    it("a visitor's widget socket on A catches up on the agents' replies sent through B while A's bus was down", async () => {
      const site = "https://shop.example";
      const created = await owner.post("/api/connections", {
        type: "widget",
        name: unique("site"),
        settings: { allowedOrigins: [site] },
      });
      expect(created.status).toBe(201);
      const widget = async (base: string, p: string, body: unknown, token?: string) => {
        const res = await fetch(`${base}${p}`, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
          body: JSON.stringify(body),
        });
        return { status: res.status, body: (await res.json()) as Record<string, any> };
      };
      const session = await widget(a.url, "/api/widget/sessions", {
        connection: created.body.connection.id,
        page: { origin: site, url: `${site}/help` },
      });
      expect(session.status).toBe(200);
      const token = session.body.token as string;
      const first = await widget(
        a.url,
        "/api/widget/messages",
        { clientId: unique("c"), text: "Hello?" },
        token,
      );
      expect(first.status, JSON.stringify(first.body)).toBe(200);
      const conversationId = first.body.conversationId as string;

      const visitor = new WebSocket(`${a.wsUrl}/api/widget/socket?token=${token}`);
      const replies: string[] = [];
      visitor.on("message", (d) => {
        const frame = JSON.parse(d.toString()) as WidgetServerFrame;
        if (frame.type === "messages")
          for (const m of frame.messages) if (m.from === "agent" && m.text) replies.push(m.text);
      });
      await new Promise((resolve, reject) => visitor.once("open", resolve).once("error", reject));
      const reply = async (text: string) => {
        const r = await sessionOnB.post(`/api/conversations/${conversationId}/messages`, { text });
        expect(r.status).toBe(201);
      };
      const sessionOnB = Object.assign(new Client(b.url), {
        cookie: owner.cookie,
        csrf: owner.csrf,
        user: owner.user,
      });
      await reply("live before");
      await eventually(() => replies.includes("live before"), { what: "the live reply" });

      // A's LISTEN connection is cut and kept down: B's replies are not announced to A.
      await admin("alter role parley_a nologin");
      await admin(
        "select pg_terminate_backend(pid) from pg_stat_activity where usename = 'parley_a' and application_name = $1",
        [LISTENER_APPLICATION_NAME],
      );
      await healthBecomes(a.url, { status: 503, body: { bus: "down" } });
      const missed = ["while down 1", "while down 2", "while down 3"];
      for (const text of missed) await reply(text);
      // B announced them (its agents' sockets have the last one), yet A's visitor has none of them.
      await sockets
        .find((x) => x.on === "B")!
        .s.waitForEvent("message.created", (e) => e.message.text === missed.at(-1), 10_000);
      expect(replies).toEqual(["live before"]);

      await admin("alter role parley_a login");
      await healthBecomes(a.url, { status: 200, body: { ok: true, bus: "up" } });
      await eventually(() => replies.length >= 4, { timeout: 20_000, what: "the missed replies" });
      await reply("live after");
      await eventually(() => replies.includes("live after"), { what: "the reply after" });
      // Each once, in order.
      expect(replies).toEqual(["live before", ...missed, "live after"]);
      visitor.close();
    }, 120_000);
  });
} else {
  const t = useTestServer();
  describe("the event bus in one process, on the embedded database", () => {
    it("is never down: /api/health reports the bus up (no LISTEN connection to lose)", async () => {
      const h = await health(t.url);
      expect(h).toEqual({
        status: 200,
        body: {
          ok: true,
          database: "pglite",
          databaseUp: true,
          bus: "up",
          busDownSince: null,
          roles: ["api", "worker", "realtime"],
          realtimeClients: expect.any(Number),
          widgetClients: expect.any(Number),
          ingestQueue: { waiting: 0, writing: 0, limit: expect.any(Number) },
          limits: "postgres",
        },
      });
    });
  });
}
