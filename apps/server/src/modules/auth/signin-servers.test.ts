import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MovableClock } from "../../lib/time";
import { openTestDb } from "../../testing/db";
import { PASSWORD, startTestServer, type TestServer, unique } from "../../testing/harness";
import { setupWorkspace } from "./setup-workspace";

/** Two servers on one database, as two machines behind a load balancer. */
const clock = new MovableClock();
let testDb: Awaited<ReturnType<typeof openTestDb>>;
let servers: TestServer[] = [];
beforeAll(async () => {
  testDb = await openTestDb();
  const env = { TRUST_PROXY: "true" };
  servers = [
    await startTestServer(testDb.db, { clock, env }),
    await startTestServer(testDb.db, { clock, env }),
  ];
});
afterAll(async () => {
  for (const s of servers) await s.close();
  await testDb.close();
});

async function attempt(server: TestServer, email: string, password: string) {
  const res = await fetch(`${server.url}/api/auth/sign-in`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-for": "198.51.100.7" },
    body: JSON.stringify({ email, password }),
  });
  const body = (await res.json()) as { error?: { code: string; message: string } };
  return { status: res.status, body, retryAfter: res.headers.get("retry-after") };
}

describe("sign-in limits across servers", () => {
  it("count the wrong passwords made on either server (SIGNIN_RATE_LIMIT is 5 in tests)", async () => {
    const email = `${unique("shared-limit")}@example.com`;
    await setupWorkspace(
      servers[0]!.server.ctx,
      { workspaceName: unique("ws"), name: "Owner", email, password: PASSWORD },
      { onlyIfEmpty: false },
    );
    // The clock stands still: the waits are checked against a known time, not how long hashing took.
    clock.freeze();
    // Five failures spread over both servers: neither saw five on its own.
    for (let i = 1; i <= 5; i++)
      expect((await attempt(servers[i % 2]!, email, `wrong ${i}`)).status, `attempt ${i}`).toBe(401);
    for (const server of servers) {
      const slowed = await attempt(server, email, "wrong 6");
      expect(slowed.status).toBe(429);
      expect(slowed.retryAfter).toBe("1");
      expect(slowed.body.error).toMatchObject({ code: "rate_limited" });
      expect(slowed.body.error!.message).toMatch(/Too many wrong passwords\. Try again in 1 seconds/);
    }
    clock.advance(1000);
    // The right password after the wait, on the other server, clears the account's failures for both.
    expect((await attempt(servers[1]!, email, PASSWORD)).status).toBe(200);
    expect((await attempt(servers[0]!, email, "wrong 7")).status).toBe(401);
  });
});
