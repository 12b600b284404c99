import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDb, TEST_DB } from "../../testing/db";
import { newWorkspace, startTestServer, type TestServer } from "../../testing/harness";
import { killAllChildren, type ServerProcess, spawnServer } from "../../testing/spawn";
import { useTestServer } from "../../testing/use-test-server";
import { createTokenAs, withToken } from "./test-helpers";

/**
 * Tokens are looked up in the database on every request, and counted there: a revocation and a rate limit hold
 * in every process at once. On PostgreSQL against a second, spawned server process; the embedded database has
 * one process.
 */

afterAll(() => killAllChildren());

if (TEST_DB === "postgres") {
  describe("API tokens across two processes on PostgreSQL", () => {
    let testDb: Awaited<ReturnType<typeof openTestDb>> | undefined;
    let local: TestServer | undefined;
    let remote: ServerProcess | undefined;
    beforeAll(async () => {
      testDb = await openTestDb();
      [local, remote] = await Promise.all([
        startTestServer(testDb.db),
        // A loaded machine compiles the entry point slowly.
        spawnServer({ DATABASE_URL: testDb.url!, EVENT_BUS: "postgres" }, { readyTimeoutMs: 150_000 }),
      ]);
    }, 200_000);
    afterAll(async () => {
      await remote?.kill("SIGTERM");
      await local?.close();
      await testDb?.close();
    });

    it("a token revoked on one process is refused by the other on its very next request", async () => {
      const { owner } = await newWorkspace(local!);
      const { secret, id } = await createTokenAs(owner, ["reports.view"], { name: "Shared" });
      expect((await withToken(remote!.url, secret, "GET", "/api/tags")).status).toBe(200);
      expect((await owner.post(`/api/api-tokens/${id}/revoke`, {})).status).toBe(200);
      const refused = await withToken(remote!.url, secret, "GET", "/api/tags");
      expect(refused.status).toBe(401);
      expect(refused.body.error.message).toContain('"Shared" was revoked');
    });

    it("counts a token's requests on both processes against one limit", async () => {
      const { owner } = await newWorkspace(local!);
      const { secret } = await createTokenAs(owner, ["reports.view"], { rateLimit: 4 });
      const statuses: number[] = [];
      for (const base of [local!.url, remote!.url, local!.url, remote!.url, remote!.url, local!.url])
        statuses.push((await withToken(base, secret, "GET", "/api/tags")).status);
      // Within the minute (the window is far longer than these six requests take).
      expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
      const limited = await withToken(remote!.url, secret, "GET", "/api/tags");
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    });
  });
} else {
  describe("API tokens in the one embedded process", () => {
    const t = useTestServer();
    it("a revoked token is refused on its very next request (no cached answer)", async () => {
      const { owner } = await newWorkspace(t);
      const { secret, id } = await createTokenAs(owner, ["reports.view"], { name: "Local" });
      expect((await withToken(t.url, secret, "GET", "/api/tags")).status).toBe(200);
      expect((await owner.post(`/api/api-tokens/${id}/revoke`, {})).status).toBe(200);
      expect((await withToken(t.url, secret, "GET", "/api/tags")).status).toBe(401);
    });
  });
}
