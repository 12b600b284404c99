import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signBody } from "../channels/api/adapter";
import { openTestDb, TEST_DB } from "../testing/db";
import { eventually } from "../testing/eventually";
import { Client, inbound, NO_RECEIVER, PASSWORD, SocketClient, unique } from "../testing/harness";
import { scrapeMetric } from "../testing/metrics-text";
import { killAllChildren, runCli, SERVER_DEFAULTS, type ServerProcess, spawnServer } from "../testing/spawn";

/**
 * Processes started with some of the roles serve exactly those: real child processes on the test's database.
 * Several processes share a database only on PostgreSQL; the embedded database checks one process alone.
 */

const TOKEN = "metrics-token-0123456789abcdef";
/** A fresh embedded database migrates on its first start, which is slow on a busy machine. */
const READY = { readyTimeoutMs: 150_000 };

afterAll(async () => {
  await killAllChildren();
});

const health = async (s: ServerProcess) => {
  const r = await fetch(`${s.url}/api/health`);
  expect(r.status).toBe(200);
  return (await r.json()) as { roles: string[]; ingestQueue: { waiting: number; limit: number } };
};

const status = async (url: string, init?: RequestInit) => (await fetch(url, init)).status;

/** Whether a WebSocket upgrade at `url` is refused with 404 (no such route on that process). */
const socketStatus = (url: string, cookie = "") =>
  SocketClient.open(url, cookie).then(
    (s) => {
      s.close();
      return "open";
    },
    (err: Error) => err.message,
  );

const metric = (s: ServerProcess, name: string, labels: Record<string, string> = {}) =>
  scrapeMetric(s.url, TOKEN, name, labels);

/** The API role's routes answer 404 here: REST, providers' webhooks, the widget's HTTP side and files. */
async function expectNoApi(s: ServerProcess) {
  expect(await status(`${s.url}/api/conversations`)).toBe(404);
  expect(await status(`${s.url}/api/auth/sign-in`, { method: "POST" })).toBe(404);
  expect(
    await status(`${s.url}/api/webhooks/api/00000000-0000-4000-8000-000000000000`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    }),
  ).toBe(404);
  expect(await status(`${s.url}/api/widget/sessions`, { method: "POST" })).toBe(404);
  expect(await status(`${s.url}/widget/loader.js`)).toBe(404);
}

if (TEST_DB === "embedded") {
  describe("one process on the embedded database", () => {
    it("ROLES=worker answers health naming its role, and serves neither the API nor sockets", async () => {
      const s = await spawnServer({ DATA_DIR: `/tmp/${unique("parley-roles")}`, ROLES: "worker" }, READY);
      expect((await health(s)).roles).toEqual(["worker"]);
      await expectNoApi(s);
      expect(await socketStatus(`${s.wsUrl}/api/realtime`)).toBe("socket refused: 404");
      expect(await socketStatus(`${s.wsUrl}/api/widget/socket?token=x`)).toBe("socket refused: 404");
      await s.kill("SIGTERM");
    });
  });
}

if (TEST_DB === "postgres") {
  describe("three processes on one PostgreSQL, one role each", () => {
    const env = { DATABASE_URL: "", EVENT_BUS: "postgres", METRICS_TOKEN: TOKEN };
    let testDb: Awaited<ReturnType<typeof openTestDb>> | undefined;
    beforeAll(async () => {
      testDb = await openTestDb();
      env.DATABASE_URL = testDb.url!;
    });
    afterAll(async () => {
      await testDb?.close();
    });

    it("api serves REST and webhooks, realtime the sockets, worker the jobs; each says so in /api/health", async () => {
      const email = `${unique("owner")}@example.com`;
      const [api, realtime, worker, created] = await Promise.all([
        spawnServer({ ...env, ROLES: "api" }, READY),
        spawnServer({ ...env, ROLES: "realtime" }, READY),
        spawnServer({ ...env, ROLES: "worker" }, READY),
        runCli(
          [
            "create-owner",
            "--workspace",
            unique("ws"),
            "--name",
            "Owner",
            "--email",
            email,
            "--password",
            PASSWORD,
          ],
          { ...SERVER_DEFAULTS, ...env, LOG_LEVEL: "warn" },
          READY.readyTimeoutMs,
        ),
      ]);
      expect(created.code, created.stderr).toBe(0);
      expect((await health(api)).roles).toEqual(["api"]);
      expect((await health(realtime)).roles).toEqual(["realtime"]);
      expect((await health(worker)).roles).toEqual(["worker"]);

      // REST only on api.
      const owner = await new Client(api.url).signIn(email);
      await expectNoApi(realtime);
      await expectNoApi(worker);

      // Sockets only on realtime (the agents' and the visitors').
      expect(await socketStatus(`${api.wsUrl}/api/realtime`, owner.cookie!)).toBe("socket refused: 404");
      expect(await socketStatus(`${worker.wsUrl}/api/realtime`, owner.cookie!)).toBe("socket refused: 404");
      expect(await socketStatus(`${api.wsUrl}/api/widget/socket?token=x`)).toBe("socket refused: 404");
      // On realtime the visitors' socket exists: an unknown visitor token is refused by it, not by routing.
      expect(await socketStatus(`${realtime.wsUrl}/api/widget/socket?token=x`)).toMatch(
        /socket refused: 40[13]/,
      );
      const socket = await owner.socket(realtime.wsUrl);
      await socket.waitFor((f) => f.type === "hello");

      // A webhook on api reaches the agent's socket on realtime, and its fan-out job runs on worker only.
      const conn = await owner.post("/api/connections", {
        type: "api",
        name: unique("api"),
        settings: { outboundUrl: NO_RECEIVER },
      });
      expect(conn.status).toBe(201);
      const raw = JSON.stringify(inbound(unique("c"), "across roles"));
      const hook = await fetch(`${api.url}/api/webhooks/api/${conn.body.connection.id}`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-parley-signature": signBody(conn.body.reveal.secret, raw),
        },
        body: raw,
      });
      expect(hook.status).toBe(200);
      await socket.waitForEvent("message.created", (e) => e.message?.text === "across roles", 10_000);
      socket.close();
      await eventually(async () =>
        expect(await metric(worker, "parley_job_attempts_total", { outcome: "done" })).toBeGreaterThan(0),
      );
      expect(await metric(api, "parley_ingest_events_total")).toBe(1);
      expect(await metric(api, "parley_job_attempts_total")).toBe(0);
      expect(await metric(realtime, "parley_job_attempts_total")).toBe(0);
      expect(await metric(realtime, "parley_bus_lag_seconds_count")).toBeGreaterThan(0);

      await Promise.all([api.kill("SIGTERM"), realtime.kill("SIGTERM"), worker.kill("SIGTERM")]);
    });
  });
}
