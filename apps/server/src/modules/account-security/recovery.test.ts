import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MovableClock } from "../../lib/time";
import { eventually } from "../../testing/eventually";
import { linkIn, Mailbox } from "../../testing/fakes/mailbox";
import { addUser, Client, newWorkspace, PASSWORD, startTestServer, unique } from "../../testing/harness";
import { useTestServer } from "../../testing/use-test-server";

const clock = new MovableClock();
const mailbox = new Mailbox();
// Registered first: the mail server is up before the server that mails through it starts.
beforeAll(() => mailbox.start());
afterAll(() => mailbox.stop());
const t = useTestServer(() => ({ clock, env: mailbox.env() }));

const NEW_PASSWORD = "a fresh passphrase for reset";
const tokenOf = (url: string) => url.split("/").at(-1)!;
const audits = async (workspaceId: string, action: string) =>
  t.db.query<{ user_id: string | null; target_id: string; data: any; ip: string | null }>(
    "select user_id, target_id, data, ip from audit_log where workspace_id = $1 and action = $2 order by id",
    [workspaceId, action],
  );
const resetMail = (email: string) =>
  eventually(() => mailbox.to(email).find((m) => m.text.includes("/reset-password/")), {
    timeout: 20_000,
    what: `the reset mail to ${email}`,
  });

describe("forgot password", () => {
  it("mails a single-use link to a real account, answers the same for an unknown one, and signs out everywhere", async () => {
    const { owner, workspaceId } = await newWorkspace(t);
    const email = owner.user!.email;
    const other = await new Client(t.url).signIn(email);
    const socket = await other.socket(t.wsUrl);
    const closed = new Promise<number>((resolve) => socket.ws.once("close", (code) => resolve(code)));

    const anon = new Client(t.url);
    const known = await anon.post("/api/auth/password-reset", { email: email.toUpperCase() });
    const unknownEmail = `${unique("nobody")}@example.com`;
    const unknown = await anon.post("/api/auth/password-reset", { email: unknownEmail });
    expect(known.status).toBe(202);
    expect(unknown.status).toBe(202);
    expect(unknown.body).toEqual(known.body);
    expect((await anon.post("/api/auth/password-reset", { email: "not an email" })).status).toBe(400);

    const mail = await resetMail(email);
    const url = linkIn(mail, "/reset-password/");
    expect(url.startsWith(`${t.url}/reset-password/`)).toBe(true);
    // The token is stored hashed, never as is.
    const stored = await t.db.query<{ token_hash: string }>("select token_hash from account_links");
    expect(stored.some((r) => r.token_hash === tokenOf(url))).toBe(false);

    const short = await anon.post("/api/auth/password-reset/confirm", {
      token: tokenOf(url),
      password: "short",
    });
    expect(short.status).toBe(400);
    const done = await anon.post("/api/auth/password-reset/confirm", {
      token: tokenOf(url),
      password: NEW_PASSWORD,
    });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body.signedOutSessions).toBe(2);
    expect(await closed).toBe(4001);
    expect((await owner.get("/api/auth/session")).status).toBe(401);
    expect((await other.get("/api/auth/session")).status).toBe(401);
    expect((await anon.post("/api/auth/sign-in", { email, password: PASSWORD })).status).toBe(401);
    await new Client(t.url).signIn(email, NEW_PASSWORD);

    const again = await anon.post("/api/auth/password-reset/confirm", {
      token: tokenOf(url),
      password: "yet another one!",
    });
    expect(again.status).toBe(409);
    expect(again.body.error.details.reason).toBe("used");
    expect(again.body.error.message).toMatch(/already been used/);
    const bogus = await anon.post("/api/auth/password-reset/confirm", {
      token: "x".repeat(43),
      password: NEW_PASSWORD,
    });
    expect(bogus.status).toBe(404);

    // The unknown address got nothing; the known one left an audit trail, the unknown one none.
    expect(mailbox.to(unknownEmail)).toEqual([]);
    const requested = await audits(workspaceId, "auth.password_reset_requested");
    expect(requested).toEqual([
      expect.objectContaining({ user_id: null, target_id: owner.user!.id, ip: "127.0.0.1" }),
    ]);
    expect(await audits(workspaceId, "auth.password_reset")).toHaveLength(1);
    const [jobs] = await t.db.query<{ n: number }>(
      "select count(*)::int as n from jobs where type = 'account.password_reset_request' and payload->>'email' = $1",
      [unknownEmail],
    );
    expect(jobs!.n).toBe(1);
  });

  it("refuses a link after an hour, and only the newest link works", async () => {
    const { owner } = await newWorkspace(t);
    const email = owner.user!.email;
    const anon = new Client(t.url);
    await anon.post("/api/auth/password-reset", { email });
    const first = linkIn(await resetMail(email), "/reset-password/");
    await anon.post("/api/auth/password-reset", { email });
    const second = await eventually(() => {
      const links = mailbox.to(email).map((m) => linkIn(m, "/reset-password/"));
      return links.length === 2 && links[1];
    });
    expect(second).not.toBe(first);
    const replaced = await anon.post("/api/auth/password-reset/confirm", {
      token: tokenOf(first),
      password: NEW_PASSWORD,
    });
    expect(replaced.status).toBe(409);

    clock.advance(61 * 60_000);
    const late = await anon.post("/api/auth/password-reset/confirm", {
      token: tokenOf(second),
      password: NEW_PASSWORD,
    });
    expect(late.status).toBe(409);
    expect(late.body.error.details.reason).toBe("expired");
    expect(late.body.error.message).toMatch(/expired/);
    await new Client(t.url).signIn(email, PASSWORD);
  });

  it("delays the email through an SMTP outage and sends it once the server is back", async () => {
    const { owner } = await newWorkspace(t);
    const email = owner.user!.email;
    await mailbox.stop();
    try {
      expect((await new Client(t.url).post("/api/auth/password-reset", { email })).status).toBe(202);
      const failed = await eventually(
        async () => {
          const [job] = await t.db.query<{ attempts: number; status: string; last_error: string | null }>(
            "select attempts, status, last_error from jobs where type = 'account.mail' and status = 'pending' and attempts > 0",
          );
          return job;
        },
        { timeout: 20_000, what: "a failed mail attempt" },
      );
      expect(failed.last_error).toBeTruthy();
      expect(mailbox.to(email)).toEqual([]);
    } finally {
      await mailbox.start();
    }
    clock.advance(31_000);
    t.server.ctx.jobs.wake();
    const mail = await resetMail(email);
    expect(mailbox.to(email)).toHaveLength(1);
    const done = await new Client(t.url).post("/api/auth/password-reset/confirm", {
      token: tokenOf(linkIn(mail, "/reset-password/")),
      password: NEW_PASSWORD,
    });
    expect(done.status).toBe(200);
  });

  it("limits requests per email address", async () => {
    const email = `${unique("limited")}@example.com`;
    const anon = new Client(t.url);
    for (let i = 0; i < 3; i++)
      expect((await anon.post("/api/auth/password-reset", { email })).status).toBe(202);
    const refused = await anon.post("/api/auth/password-reset", { email });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(
      (await anon.post("/api/auth/password-reset", { email: `${unique("other")}@example.com` })).status,
    ).toBe(202);
  });

  it("lets an admin issue a reset link to hand over, and tells whether links can be emailed", async () => {
    const { owner, workspaceId } = await newWorkspace(t);
    const agent = await addUser(t, owner, "agent");
    const admin = await addUser(t, owner, "admin");
    expect((await agent.client.post(`/api/users/${admin.id}/password-reset-link`)).status).toBe(403);
    expect((await admin.client.post(`/api/users/${owner.user!.id}/password-reset-link`)).status).toBe(403);
    const issued = await admin.client.post(`/api/users/${agent.id}/password-reset-link`);
    expect(issued.status).toBe(201);
    expect(issued.body.url).toMatch(/\/reset-password\/[\w-]+$/);
    const used = await new Client(t.url).post("/api/auth/password-reset/confirm", {
      token: tokenOf(issued.body.url),
      password: NEW_PASSWORD,
    });
    expect(used.status).toBe(200);
    // The reset signed the agent out: they sign in with the new password.
    const back = await new Client(t.url).signIn(agent.client.user!.email, NEW_PASSWORD);
    expect(await audits(workspaceId, "auth.password_reset_requested")).toEqual([
      expect.objectContaining({
        user_id: admin.id,
        target_id: agent.id,
        data: { by: "admin", emailed: false },
      }),
    ]);

    expect((await new Client(t.url).get("/api/auth/password-reset")).body).toEqual({ byEmail: true });
    const plain = await startTestServer(t.db);
    try {
      expect((await new Client(plain.url).get("/api/auth/password-reset")).body).toEqual({ byEmail: false });
      const viaPlain = Object.assign(new Client(plain.url), { cookie: back.cookie, csrf: back.csrf });
      const refused = await viaPlain.post("/api/me/email", {
        email: `${unique("y")}@example.com`,
        password: NEW_PASSWORD,
      });
      expect(refused.status).toBe(422);
      expect(refused.body.error.message).toMatch(/SMTP/);
    } finally {
      await plain.close();
    }
  });
});

describe("email change", () => {
  it("asks for the password, confirms by a link to the new address, and tells the old one", async () => {
    const { owner, workspaceId } = await newWorkspace(t);
    const agent = await addUser(t, owner, "agent");
    const oldEmail = owner.user!.email;
    const newEmail = `${unique("renamed")}@example.com`;
    const wrong = await owner.post("/api/me/email", { email: newEmail, password: "not it" });
    expect(wrong.status).toBe(401);
    const taken = await owner.post("/api/me/email", { email: agent.client.user!.email, password: PASSWORD });
    expect(taken.status).toBe(409);
    expect(taken.body.error.message).toMatch(/already used/);

    const asked = await owner.post("/api/me/email", { email: newEmail.toUpperCase(), password: PASSWORD });
    expect(asked.status).toBe(202);
    expect(asked.body.email).toBe(newEmail);
    const mail = await eventually(() => mailbox.to(newEmail)[0], {
      timeout: 20_000,
      what: "the confirmation",
    });
    const url = linkIn(mail, "/confirm-email/");
    // Nothing changes until the link is used.
    expect((await owner.get("/api/auth/session")).body.user.email).toBe(oldEmail);

    const anon = new Client(t.url);
    const confirmed = await anon.post("/api/auth/email-change/confirm", { token: tokenOf(url) });
    expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
    expect(confirmed.body.email).toBe(newEmail);
    expect((await owner.get("/api/auth/session")).body.user.email).toBe(newEmail);
    const notice = await eventually(() => mailbox.to(oldEmail).find((m) => m.text.includes(newEmail)), {
      timeout: 20_000,
      what: "the notice to the old address",
    });
    expect(notice.text).not.toContain("/confirm-email/");
    await new Client(t.url).signIn(newEmail);
    expect((await anon.post("/api/auth/sign-in", { email: oldEmail, password: PASSWORD })).status).toBe(401);

    const again = await anon.post("/api/auth/email-change/confirm", { token: tokenOf(url) });
    expect(again.status).toBe(409);
    expect(await audits(workspaceId, "auth.email_change_requested")).toHaveLength(1);
    expect(await audits(workspaceId, "auth.email_changed")).toEqual([
      expect.objectContaining({ data: { from: oldEmail, to: newEmail } }),
    ]);

    // A link whose address was taken meanwhile is refused clearly.
    const third = `${unique("race")}@example.com`;
    await agent.client.post("/api/me/email", { email: third, password: PASSWORD });
    const link = linkIn(await eventually(() => mailbox.to(third)[0], { timeout: 20_000 }), "/confirm-email/");
    await t.db.query("update users set email = $1 where id = $2", [third, owner.user!.id]);
    const race = await anon.post("/api/auth/email-change/confirm", { token: tokenOf(link) });
    expect(race.status).toBe(409);
    expect(race.body.error.message).toMatch(/already used/);
  });

  it("audits a password change", async () => {
    const { owner, workspaceId } = await newWorkspace(t);
    const r = await owner.post("/api/me/password", { currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
    expect(r.status).toBe(200);
    expect(await audits(workspaceId, "auth.password_changed")).toEqual([
      expect.objectContaining({ user_id: owner.user!.id, target_id: owner.user!.id, ip: "127.0.0.1" }),
    ]);
  });
});
