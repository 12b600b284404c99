import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../config";
import { openTestDb } from "../testing/db";
import { newWorkspace, PASSWORD, startTestServer, type TestServer } from "../testing/harness";

/**
 * TRUST_PROXY decides whose X-Forwarded-For is believed: the address a sign-in is recorded with (audit log,
 * sessions) and counted by (rate limits) must not be one a client made up, unless it came through a proxy
 * Parley was told to trust. The test servers listen on 127.0.0.1, so the test is the peer.
 */

const trustOf = (value: string) => loadConfig({ TRUST_PROXY: value }).TRUST_PROXY;

describe("TRUST_PROXY's forms", () => {
  it("takes false, true, or a list of addresses, CIDR ranges and range names", () => {
    expect(trustOf("false")).toBe(false);
    expect(loadConfig({}).TRUST_PROXY).toBe(false);
    expect(trustOf("true")).toBe(true);
    expect(trustOf("1")).toBe(true);
    expect(trustOf(" 10.0.0.5, 10.1.0.0/16 ,loopback,::1 ")).toEqual([
      "10.0.0.5",
      "10.1.0.0/16",
      "loopback",
      "::1",
    ]);
  });

  it("stops on anything else with a message naming the variable and the bad part", () => {
    for (const [value, message] of [
      ["10.0.0.0/33", /TRUST_PROXY: "10\.0\.0\.0\/33" is not a proxy address, CIDR range or name/],
      ["proxy.internal", /TRUST_PROXY: "proxy\.internal" is not a proxy address/],
      // Fastify ignores X-Forwarded-For under a bare hop count: refused rather than silently useless.
      [
        "2",
        /TRUST_PROXY: a hop count \(2\) cannot tell the proxy from a client: list the proxies' addresses/,
      ],
    ] as const) {
      expect(() => loadConfig({ TRUST_PROXY: value })).toThrow(ConfigError);
      expect(() => loadConfig({ TRUST_PROXY: value })).toThrow(message);
    }
  });
});

describe("the address a sign-in is recorded with", () => {
  let testDb: Awaited<ReturnType<typeof openTestDb>>;
  const servers: Record<string, TestServer> = {};
  beforeAll(async () => {
    testDb = await openTestDb();
    // A proxy elsewhere (the test's loopback peer is not it), the loopback range, the proxy's one address.
    for (const trust of ["10.0.0.0/8", "loopback", "127.0.0.1", "false"])
      servers[trust] = await startTestServer(testDb.db, { env: { TRUST_PROXY: trust } });
  });
  afterAll(async () => {
    for (const s of Object.values(servers)) await s.close();
    await testDb?.close();
  });

  /** Signs in through `trust`'s server with the given X-Forwarded-For; the audit entry's and session's address. */
  async function recorded(trust: string, email: string, forwardedFor: string) {
    const res = await fetch(`${servers[trust]!.url}/api/auth/sign-in`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-for": forwardedFor },
      body: JSON.stringify({ email, password: PASSWORD }),
    });
    expect(res.status).toBe(200);
    const [audit] = await testDb.db.query<{ ip: string }>(
      "select a.ip from audit_log a join users u on u.id = a.user_id where u.email = $1 and a.action = 'auth.sign_in' order by a.id desc limit 1",
      [email],
    );
    const [session] = await testDb.db.query<{ ip: string }>(
      "select s.ip from sessions s join users u on u.id = s.user_id where u.email = $1 order by s.created_at desc limit 1",
      [email],
    );
    return { audit: audit?.ip, session: session?.ip };
  }

  it("ignores a spoofed X-Forwarded-For from a peer that is not a trusted proxy", async () => {
    const { owner } = await newWorkspace(servers.false!);
    const email = owner.user!.email as string;
    for (const trust of ["10.0.0.0/8", "false"])
      expect(await recorded(trust, email, "203.0.113.66"), trust).toEqual({
        audit: "127.0.0.1",
        session: "127.0.0.1",
      });
  });

  it("believes it from a trusted proxy: the nearest address that is not a trusted proxy", async () => {
    const { owner } = await newWorkspace(servers.false!);
    const email = owner.user!.email as string;
    // From a trusted proxy, the chain is read back to the first address that is not a trusted proxy.
    expect(await recorded("loopback", email, "198.51.100.1, 203.0.113.9, 127.0.0.1")).toEqual({
      audit: "203.0.113.9",
      session: "203.0.113.9",
    });
    // The proxy's one address: the address it saw, whatever the client put before it.
    expect(await recorded("127.0.0.1", email, "198.51.100.1, 203.0.113.10")).toEqual({
      audit: "203.0.113.10",
      session: "203.0.113.10",
    });
  });
});
