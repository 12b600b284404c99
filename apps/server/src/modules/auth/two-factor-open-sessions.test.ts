import { Secret, TOTP } from "otpauth";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MovableClock } from "../../lib/time";
import { TEST_DB } from "../../testing/db";
import { addUser, Client, newWorkspace, PASSWORD } from "../../testing/harness";
import { killAllChildren, type ServerProcess, spawnServer } from "../../testing/spawn";
import { useTestServer } from "../../testing/use-test-server";

const clock = new MovableClock();
const t = useTestServer({ clock });
/** Where the sockets live: on PostgreSQL another process (the policy reaches it through the bus), else this one. */
let second: { url: string; wsUrl: string };
let child: ServerProcess | null = null;

beforeAll(async () => {
  if (TEST_DB !== "postgres") {
    second = t;
    return;
  }
  child = await spawnServer(
    { DATABASE_URL: t.dbUrl!, EVENT_BUS: "postgres", LOG_LEVEL: "warn" },
    { readyTimeoutMs: 100_000 },
  );
  second = child;
}, 150_000);
afterAll(async () => {
  await child?.kill("SIGTERM");
  await killAllChildren();
});

const codeOf = (secret: string) =>
  new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: "SHA1" }).generate({
    timestamp: clock.now().getTime(),
  });
const closeCode = (ws: { once(e: "close", f: (code: number, reason: Buffer) => void): unknown }) =>
  new Promise<[number, string]>((resolve) =>
    ws.once("close", (code, reason) => resolve([code, String(reason)])),
  );

describe("a role newly required to use two-factor sign-in, for sessions already open", () => {
  it("sends its people to the setup on their next request and closes their sockets in every process", async () => {
    const { owner } = await newWorkspace(t);
    const agent = await addUser(t, owner, "agent");
    const supervisor = await addUser(t, owner, "supervisor");
    expect((await agent.client.get("/api/conversations")).status).toBe(200);
    expect((await agent.client.get("/api/auth/session")).body.twoFactorEnrolmentRequired).toBe(false);

    const agentSocket = await agent.client.socket(second.wsUrl);
    await agentSocket.waitFor((f) => f.type === "hello", 15_000);
    const agentClosed = closeCode(agentSocket.ws);
    const supervisorSocket = await supervisor.client.socket(second.wsUrl);
    await supervisorSocket.waitFor((f) => f.type === "hello", 15_000);

    const set = await owner.put("/api/workspace/two-factor-policy", { roles: ["agent"] });
    expect(set.status).toBe(200);

    // The agent's socket is closed with the code the web app answers by showing the setup.
    expect(await agentClosed).toEqual([4003, "two-factor enrolment required"]);
    // The supervisor's role is not required: their socket was re-checked and carries on.
    await supervisorSocket.waitFor((f) => f.type === "access", 15_000);
    expect(supervisorSocket.ws.readyState).toBe(supervisorSocket.ws.OPEN);
    expect((await supervisor.client.get("/api/conversations")).status).toBe(200);

    // The agent's next requests, on either process, are refused with a code the web app understands.
    const refused = await agent.client.get("/api/conversations");
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe("two_factor_enrolment_required");
    expect(refused.body.error.message).toMatch(/Set it up \(Profile → Two-factor sign-in\)/);
    const there = Object.assign(new Client(second.url), {
      cookie: agent.client.cookie,
      csrf: agent.client.csrf,
    });
    const elsewhere = await there.get("/api/tags");
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.body.error.code).toBe("two_factor_enrolment_required");
    const write = await agent.client.post("/api/tags", { name: "x", color: "#112233" });
    expect(write.body.error.code).toBe("two_factor_enrolment_required");
    await expect(agent.client.socket(second.wsUrl)).rejects.toThrow(/socket refused: 403/);

    // Their session still answers (the web app learns it must show the setup) and the setup works.
    const session = await agent.client.get("/api/auth/session");
    expect(session.status).toBe(200);
    expect(session.body.twoFactorEnrolmentRequired).toBe(true);
    expect((await agent.client.get("/api/auth/two-factor")).body).toMatchObject({
      enabled: false,
      required: true,
    });
    const started = await agent.client.post("/api/auth/two-factor/enrol");
    expect(started.status).toBe(200);
    const confirmed = await agent.client.post("/api/auth/two-factor/confirm", {
      code: codeOf(started.body.secret),
    });
    expect(confirmed.status).toBe(200);

    // Set up: the same session goes on.
    expect((await agent.client.get("/api/conversations")).status).toBe(200);
    expect((await agent.client.get("/api/auth/session")).body.twoFactorEnrolmentRequired).toBe(false);
    const again = await agent.client.socket(second.wsUrl);
    await again.waitFor((f) => f.type === "hello", 15_000);
    again.ws.close();
    supervisorSocket.ws.close();
  });

  it("holds for a stale session too: setting up asks for the step-up first, which stays allowed", async () => {
    const { owner } = await newWorkspace(t);
    const agent = await addUser(t, owner, "agent");
    clock.advance(11 * 60_000);
    expect((await owner.put("/api/workspace/two-factor-policy", { roles: ["agent"] })).status).toBe(200);
    expect((await agent.client.get("/api/users")).body.error.code).toBe("two_factor_enrolment_required");
    expect((await agent.client.post("/api/auth/two-factor/enrol")).body.error.code).toBe("step_up_required");
    expect((await agent.client.get("/api/auth/step-up")).status).toBe(200);
    expect((await agent.client.post("/api/auth/step-up", { password: "x".repeat(12) })).status).toBe(401);
    const stepped = await agent.client.post("/api/auth/step-up", { password: PASSWORD });
    expect(stepped.status).toBe(200);
    expect((await agent.client.post("/api/auth/two-factor/enrol")).status).toBe(200);
    // Signing out stays allowed too.
    expect((await agent.client.post("/api/auth/sign-out")).status).toBe(204);
    expect((await agent.client.get("/api/auth/session")).status).toBe(401);
  });
});
