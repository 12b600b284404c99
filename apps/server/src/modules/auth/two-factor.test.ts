import { Secret, TOTP } from "otpauth";
import { describe, expect, it } from "vitest";
import { sha256Hex } from "../../lib/crypto";
import { MovableClock } from "../../lib/time";
import {
  addUser,
  apiConnection,
  Client,
  inbound,
  NO_RECEIVER,
  newWorkspace,
  PASSWORD,
  unique,
} from "../../testing/harness";
import { useTestServer } from "../../testing/use-test-server";
import { requireRecentAuth } from "./step-up";

/** The tests move this clock across code windows and the ten minutes a sign-in counts for step-up. */
const clock = new MovableClock();
const t = useTestServer({ clock });

/** The code an authenticator app shows for a secret at a moment (default: the server's now). */
const codeOf = (secret: string, at = clock.now()) =>
  new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: "SHA1" }).generate({
    timestamp: at.getTime(),
  });
/** Moves to the start of the next 30-second window, so the next code is a new one. */
const nextWindow = () => clock.advance(30_000 - (clock.now().getTime() % 30_000) + 1_000);
const TEN_MINUTES = 10 * 60_000;

const audits = async (userId: string, action: string) =>
  t.db.query<{ data: any; ip: string | null }>(
    "select data, ip from audit_log where user_id = $1 and action = $2 order by id",
    [userId, action],
  );

/** Turns two-factor sign-in on for a signed-in client; answers the secret and the recovery codes. */
async function enrol(client: Client) {
  const started = await client.post("/api/auth/two-factor/enrol");
  expect(started.status).toBe(200);
  const secret: string = started.body.secret;
  const confirmed = await client.post("/api/auth/two-factor/confirm", { code: codeOf(secret) });
  expect(confirmed.status).toBe(200);
  return { secret, recoveryCodes: confirmed.body.recoveryCodes as string[] };
}

/** The password step: answers the challenge of the second step (202, no cookie). */
async function passwordStep(browser: Client, email: string) {
  const r = await browser.post("/api/auth/sign-in", { email, password: PASSWORD });
  expect(r.status).toBe(202);
  expect(browser.cookie).toBeNull();
  return r.body as { next: "code" | "enrol"; challenge: string; enrolment: { secret: string } | null };
}

const secondStep = (browser: Client, body: Record<string, string>) =>
  browser.post("/api/auth/sign-in/two-factor", body);

describe("setting up two-factor sign-in", () => {
  it("turns on only after a right code, seals the secret and hands out ten recovery codes", async () => {
    const { owner } = await newWorkspace(t);
    expect((await owner.get("/api/auth/two-factor")).body).toMatchObject({ enabled: false, required: false });
    const started = await owner.post("/api/auth/two-factor/enrol");
    expect(started.body.otpauthUrl).toMatch(/^otpauth:\/\/totp\/.*secret=.*&period=30/);
    expect(started.body.otpauthUrl).toContain("digits=6");
    expect(started.body.qrDataUrl).toMatch(/^data:image\/png;base64,/);
    const secret: string = started.body.secret;
    const [stored] = await t.db.query<{ secret_enc: string }>(
      "select secret_enc from user_two_factor where user_id = $1",
      [owner.user!.id],
    );
    expect(stored!.secret_enc).not.toContain(secret);

    const wrong = await owner.post("/api/auth/two-factor/confirm", { code: "000000" });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe("invalid_credentials");
    expect((await owner.get("/api/auth/two-factor")).body.enabled).toBe(false);
    // Not on yet: signing in still takes the password alone.
    expect((await owner.signIn(owner.user!.email)).cookie).toBeTruthy();

    const ok = await owner.post("/api/auth/two-factor/confirm", { code: codeOf(secret) });
    expect(ok.status).toBe(200);
    expect(ok.body.recoveryCodes).toHaveLength(10);
    expect(new Set(ok.body.recoveryCodes).size).toBe(10);
    expect((await owner.get("/api/auth/two-factor")).body).toMatchObject({
      enabled: true,
      recoveryCodesLeft: 10,
    });
    expect(await audits(owner.user!.id, "auth.two_factor_enabled")).toHaveLength(1);
    expect(await audits(owner.user!.id, "auth.two_factor_failed")).toHaveLength(1);
    // A second setup while it is on is refused.
    expect((await owner.post("/api/auth/two-factor/enrol")).status).toBe(409);
  });
});

describe("signing in with a code", () => {
  it("asks for a code after the password, opens the session with it, and refuses the same or an older code", async () => {
    const { owner } = await newWorkspace(t);
    const email = owner.user!.email;
    const { secret } = await enrol(owner);
    nextWindow();

    const browser = new Client(t.url);
    const step = await passwordStep(browser, email);
    expect(step.next).toBe("code");
    // The challenge is not a session.
    expect((await browser.get("/api/auth/session")).status).toBe(401);
    const code = codeOf(secret);
    const ok = await secondStep(browser, { challenge: step.challenge, code });
    expect(ok.status).toBe(200);
    expect(ok.body.user.email).toBe(email);
    expect(browser.cookie).toMatch(/^parley_session=/);
    expect((await browser.get("/api/auth/session")).status).toBe(200);
    // The challenge is spent.
    expect((await secondStep(new Client(t.url), { challenge: step.challenge, code })).status).toBe(401);

    // Replayed in its window, with a new challenge: refused; so is the previous window's code.
    const again = await passwordStep(new Client(t.url), email);
    const replay = await secondStep(new Client(t.url), { challenge: again.challenge, code });
    expect(replay.status).toBe(401);
    expect(replay.body.error.code).toBe("invalid_credentials");
    const older = codeOf(secret, new Date(clock.now().getTime() - 30_000));
    expect((await secondStep(new Client(t.url), { challenge: again.challenge, code: older })).status).toBe(
      401,
    );
    // The next window's code is accepted.
    nextWindow();
    const next = await secondStep(new Client(t.url), { challenge: again.challenge, code: codeOf(secret) });
    expect(next.status).toBe(200);
  });

  it("slows wrong codes down like wrong passwords: 429 with Retry-After, then accepted once the wait is over", async () => {
    const { owner } = await newWorkspace(t);
    const email = owner.user!.email;
    const { secret } = await enrol(owner);
    nextWindow();
    const step = await passwordStep(new Client(t.url), email);
    for (let i = 0; i < 5; i++) {
      const wrong = await secondStep(new Client(t.url), { challenge: step.challenge, code: "123456" });
      expect(wrong.status, `attempt ${i + 1}`).toBe(401);
    }
    const limited = await secondStep(new Client(t.url), { challenge: step.challenge, code: codeOf(secret) });
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe("rate_limited");
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await audits(owner.user!.id, "auth.two_factor_failed")).toHaveLength(5);

    clock.advance(Number(limited.headers.get("retry-after")) * 1000);
    nextWindow();
    expect(
      (await secondStep(new Client(t.url), { challenge: step.challenge, code: codeOf(secret) })).status,
    ).toBe(200);
    // Leave the address's failure count behind for the other tests of this file.
    clock.advance(16 * 60_000);
  });

  it("accepts each recovery code once, says how many are left, and refuses them after they are replaced", async () => {
    const { owner } = await newWorkspace(t);
    const email = owner.user!.email;
    const { recoveryCodes } = await enrol(owner);

    const step = await passwordStep(new Client(t.url), email);
    const used = await secondStep(new Client(t.url), {
      challenge: step.challenge,
      recoveryCode: recoveryCodes[0]!.toUpperCase(),
    });
    expect(used.status).toBe(200);
    expect(used.body.twoFactor).toMatchObject({ usedRecoveryCode: true, recoveryCodesLeft: 9 });
    expect(await audits(owner.user!.id, "auth.recovery_code_used")).toEqual([
      expect.objectContaining({ data: { left: 9 } }),
    ]);
    const again = await passwordStep(new Client(t.url), email);
    expect(
      (await secondStep(new Client(t.url), { challenge: again.challenge, recoveryCode: recoveryCodes[0]! }))
        .status,
    ).toBe(401);

    // The last one: none left afterwards (all but the second are spent here; codes are hashed with the user id).
    const keep = sha256Hex(`${owner.user!.id}:${recoveryCodes[1]!.replace("-", "")}`);
    await t.db.query(
      "update two_factor_recovery_codes set used_at = now() where user_id = $1 and code_hash <> $2",
      [owner.user!.id, keep],
    );
    const lastUse = await secondStep(new Client(t.url), {
      challenge: again.challenge,
      recoveryCode: recoveryCodes[1]!,
    });
    expect(lastUse.status).toBe(200);
    const last = lastUse.body.twoFactor.recoveryCodesLeft;
    expect(last).toBe(0);

    const fresh = await owner.post("/api/auth/two-factor/recovery-codes");
    expect(fresh.status).toBe(200);
    expect(fresh.body.recoveryCodes).toHaveLength(10);
    expect((await owner.get("/api/auth/two-factor")).body.recoveryCodesLeft).toBe(10);
    expect(await audits(owner.user!.id, "auth.recovery_codes_regenerated")).toHaveLength(1);
    const third = await passwordStep(new Client(t.url), email);
    expect(
      (await secondStep(new Client(t.url), { challenge: third.challenge, recoveryCode: recoveryCodes[5]! }))
        .status,
    ).toBe(401);
    expect(
      (
        await secondStep(new Client(t.url), {
          challenge: third.challenge,
          recoveryCode: fresh.body.recoveryCodes[0],
        })
      ).status,
    ).toBe(200);
  });

  it("turns off with the password, and then the password alone signs in again", async () => {
    const { owner } = await newWorkspace(t);
    await enrol(owner);
    const wrong = await owner.post("/api/auth/two-factor/disable", { password: "not the password" });
    expect(wrong.status).toBe(401);
    expect((await owner.post("/api/auth/two-factor/disable", { password: PASSWORD })).status).toBe(204);
    expect(await audits(owner.user!.id, "auth.two_factor_disabled")).toHaveLength(1);
    expect(
      (await new Client(t.url).post("/api/auth/sign-in", { email: owner.user!.email, password: PASSWORD }))
        .status,
    ).toBe(200);
  });

  it("lets a challenge expire after ten minutes", async () => {
    const { owner } = await newWorkspace(t);
    const { secret } = await enrol(owner);
    const step = await passwordStep(new Client(t.url), owner.user!.email);
    clock.advance(TEN_MINUTES + 1000);
    const late = await secondStep(new Client(t.url), { challenge: step.challenge, code: codeOf(secret) });
    expect(late.status).toBe(401);
    expect(late.body.error.message).toMatch(/expired/);
  });
});

describe("the workspace's two-factor policy", () => {
  it("leads an agent whose role requires it through setup right after the password, and keeps it on", async () => {
    const { owner, workspaceId } = await newWorkspace(t);
    const admin = await addUser(t, owner, "admin");
    const agent = await addUser(t, owner, "agent");
    // An admin decides for supervisors and agents, not for admins and owners.
    const refused = await admin.client.put("/api/workspace/two-factor-policy", { roles: ["admin", "agent"] });
    expect(refused.status).toBe(403);
    expect((await agent.client.put("/api/workspace/two-factor-policy", { roles: [] })).status).toBe(403);
    const set = await admin.client.put("/api/workspace/two-factor-policy", { roles: ["agent"] });
    expect(set.status).toBe(200);
    expect(set.body.roles).toEqual(["agent"]);
    expect(
      (await owner.put("/api/workspace/two-factor-policy", { roles: ["agent", "admin"] })).body.roles,
    ).toEqual(["admin", "agent"]);
    expect((await owner.get("/api/workspace")).body.workspace.settings.twoFactorRoles).toEqual([
      "admin",
      "agent",
    ]);
    const [policy] = await t.db.query<{ data: any }>(
      "select data from audit_log where workspace_id = $1 and action = 'workspace.two_factor_policy' order by id desc limit 1",
      [workspaceId],
    );
    expect(policy!.data).toEqual({ before: ["agent"], after: ["admin", "agent"] });
    // A supervisor is not asked.
    const supervisor = await addUser(t, owner, "supervisor");
    expect(supervisor.client.cookie).toBeTruthy();

    const email = agent.client.user!.email;
    const browser = new Client(t.url);
    const step = await passwordStep(browser, email);
    expect(step.next).toBe("enrol");
    const secret = step.enrolment!.secret;
    expect((await secondStep(browser, { challenge: step.challenge, code: "000000" })).status).toBe(401);
    const done = await secondStep(browser, { challenge: step.challenge, code: codeOf(secret) });
    expect(done.status).toBe(200);
    expect(done.body.twoFactor.recoveryCodes).toHaveLength(10);
    browser.csrf = done.body.csrfToken;
    expect((await browser.get("/api/auth/two-factor")).body).toMatchObject({ enabled: true, required: true });
    const off = await browser.post("/api/auth/two-factor/disable", { password: PASSWORD });
    expect(off.status).toBe(409);
    // From now on the agent signs in with a code.
    nextWindow();
    const next = await passwordStep(new Client(t.url), email);
    expect(next.next).toBe("code");
    expect(
      (await secondStep(new Client(t.url), { challenge: next.challenge, code: codeOf(secret) })).status,
    ).toBe(200);
  });
});

describe("step-up before dangerous actions", () => {
  it("refuses each protected action on a session older than ten minutes until the person confirms again", async () => {
    const { owner } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    expect((await conn.post(inbound(unique("c"), "hello"))).status).toBe(200);
    const [row] = await t.db.query<{ id: string; contact_id: string }>(
      "select id, contact_id from conversations where connection_id = $1",
      [conn.id],
    );
    const actions: [string, () => Promise<{ status: number; body: any }>][] = [
      [
        "create a connection",
        () =>
          owner.post("/api/connections", {
            type: "api",
            name: unique("api"),
            settings: { outboundUrl: NO_RECEIVER },
          }),
      ],
      ["replace credentials", () => owner.put(`/api/connections/${conn.id}/credentials`, {})],
      ["rotate the secret", () => owner.post(`/api/connections/${conn.id}/rotate-secret`)],
      ["export the log", () => owner.get("/api/exports/conversations.csv?scope=log")],
      ["export a contact", () => owner.get(`/api/contacts/${row!.contact_id}/export`)],
      ["delete in bulk", () => owner.post("/api/conversations/bulk", { action: "delete", ids: [row!.id] })],
      ["erase a contact", () => owner.delete(`/api/contacts/${row!.contact_id}/data`)],
      [
        "create an API token",
        () => owner.post("/api/api-tokens", { name: unique("token"), permissions: ["reports.view"] }),
      ],
    ];

    clock.advance(TEN_MINUTES + 1000);
    expect((await owner.get("/api/auth/step-up")).body.recentUntil).toBeNull();
    for (const [name, act] of actions) {
      const r = await act();
      expect(r.status, name).toBe(403);
      expect(r.body.error.code, name).toBe("step_up_required");
    }
    // Closing in bulk is not dangerous: not asked.
    expect((await owner.post("/api/conversations/bulk", { action: "close", ids: [row!.id] })).status).toBe(
      202,
    );

    expect((await owner.post("/api/auth/step-up", { password: "wrong password" })).status).toBe(401);
    const confirmed = await owner.post("/api/auth/step-up", { password: PASSWORD });
    expect(confirmed.status).toBe(200);
    const until = new Date(confirmed.body.recentUntil).getTime() - TEN_MINUTES;
    expect(Math.abs(until - clock.now().getTime())).toBeLessThan(5_000);
    expect(await audits(owner.user!.id, "auth.step_up")).toHaveLength(1);
    for (const [name, act] of actions) {
      const r = await act();
      expect(r.status, `${name}: ${JSON.stringify(r.body)}`).toBeLessThan(300);
    }
  });

  it("renews with a current code for a person with two-factor sign-in, once per code", async () => {
    const { owner } = await newWorkspace(t);
    const { secret } = await enrol(owner);
    nextWindow();
    clock.advance(TEN_MINUTES);
    const create = () =>
      owner.post("/api/connections", {
        type: "api",
        name: unique("api"),
        settings: { outboundUrl: NO_RECEIVER },
      });
    expect((await create()).body.error.code).toBe("step_up_required");
    const code = codeOf(secret);
    expect((await owner.post("/api/auth/step-up", { code })).status).toBe(200);
    expect((await create()).status).toBe(201);
    expect((await owner.post("/api/auth/step-up", { code })).status).toBe(401);
  });

  it("renews with a recovery code, which is spent, for someone without their phone", async () => {
    const { owner } = await newWorkspace(t);
    const { recoveryCodes } = await enrol(owner);
    clock.advance(TEN_MINUTES + 1_000);
    const create = () =>
      owner.post("/api/connections", {
        type: "api",
        name: unique("api"),
        settings: { outboundUrl: NO_RECEIVER },
      });
    expect((await create()).body.error.code).toBe("step_up_required");
    const [first, second] = recoveryCodes;
    const wrong = await owner.post("/api/auth/step-up", { recoveryCode: "aaaaa-bbbbb" });
    expect(wrong.status).toBe(401);
    const confirmed = await owner.post("/api/auth/step-up", { recoveryCode: first });
    expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
    expect(confirmed.body.recoveryCodesLeft).toBe(9);
    expect((await create()).status).toBe(201);
    expect((await owner.get("/api/auth/two-factor")).body.recoveryCodesLeft).toBe(9);
    // Spent: the same code does not confirm again, another one does.
    clock.advance(TEN_MINUTES + 1_000);
    expect((await owner.post("/api/auth/step-up", { recoveryCode: first })).status).toBe(401);
    expect((await owner.post("/api/auth/step-up", { recoveryCode: second })).body.recoveryCodesLeft).toBe(8);
    const steps = await audits(owner.user!.id, "auth.step_up");
    expect(steps.map((a) => a.data.method)).toEqual(["recovery_code", "recovery_code"]);
    expect(await audits(owner.user!.id, "auth.recovery_code_used")).toHaveLength(2);
    // One proof at a time; and nobody without two-factor sign-in has recovery codes to give.
    const both = await owner.post("/api/auth/step-up", { password: PASSWORD, recoveryCode: second });
    expect(both.status).toBe(400);
    const { owner: plain } = await newWorkspace(t);
    clock.advance(TEN_MINUTES + 1_000);
    const none = await plain.post("/api/auth/step-up", { recoveryCode: "aaaaa-bbbbb" });
    expect(none.status).toBe(400);
    expect(none.body.error.message).toMatch(/password/);
  });

  it("does not ask callers without a session", async () => {
    await expect(requireRecentAuth(t.server.ctx, {})).resolves.toBeUndefined();
    await expect(requireRecentAuth(t.server.ctx, { sessionId: "no-such-session" })).rejects.toMatchObject({
      code: "step_up_required",
    });
  });
});
