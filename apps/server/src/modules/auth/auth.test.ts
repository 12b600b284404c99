import { describe, expect, it } from "vitest";
import { TEST_DB } from "../../testing/db";
import { addUser, Client, newWorkspace, PASSWORD, unique } from "../../testing/harness";
import { useTestServer } from "../../testing/use-test-server";

const t = useTestServer();

const userCount = async () => (await t.db.query<{ n: number }>("select count(*)::int as n from users"))[0]!.n;
const tokenOf = (acceptUrl: string) => acceptUrl.split("/invite/")[1]!;

/** A request with an explicit cookie (or none), no CSRF header unless given. */
async function raw(
  method: string,
  path: string,
  opts: { cookie?: string; csrf?: string; body?: unknown } = {},
) {
  const headers: Record<string, string> = {};
  if (opts.cookie) headers.cookie = opts.cookie;
  if (opts.csrf) headers["x-csrf-token"] = opts.csrf;
  if (opts.body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(t.url + path, {
    method,
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

describe("first-run setup", () => {
  it("answers needsSetup from whether any user exists, and refuses a second setup with 409", async () => {
    const before = await userCount();
    // The embedded database is fresh for this file, so there the real first run is exercised; the shared
    // PostgreSQL test database usually holds users already.
    if (TEST_DB === "embedded") expect(before).toBe(0);
    const status = await new Client(t.url).get("/api/setup");
    expect(status.status).toBe(200);
    expect(status.body).toEqual({ needsSetup: before === 0 });

    const browser = new Client(t.url);
    const email = `${unique("first")}@example.com`;
    const first = await browser.post("/api/setup", {
      workspaceName: "Acme",
      name: "First Owner",
      email,
      password: PASSWORD,
    });
    if (before === 0) {
      // The embedded database of this file starts empty: the first setup creates the owner and signs in.
      expect(first.status).toBe(201);
      expect(first.body.user).toMatchObject({ email, name: "First Owner", role: "owner" });
      expect(first.body.workspace.name).toBe("Acme");
      expect(first.body.csrfToken).toEqual(expect.any(String));
      expect(browser.cookie).toMatch(/^parley_session=.+/);
      const session = await browser.get("/api/auth/session");
      expect(session.status).toBe(200);
      expect(session.body.user.email).toBe(email);
    } else {
      expect(first.status).toBe(409);
      expect(first.body.error.code).toBe("already_set_up");
    }

    // Now at least one user exists, whatever the database held before.
    await newWorkspace(t);
    expect((await new Client(t.url).get("/api/setup")).body).toEqual({ needsSetup: false });
    const again = await new Client(t.url).post("/api/setup", {
      workspaceName: "Second",
      name: "Intruder",
      email: `${unique("second")}@example.com`,
      password: PASSWORD,
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("already_set_up");
    expect(again.headers.get("set-cookie")).toBeNull();
    const [intruder] = await t.db.query("select 1 from users where name = 'Intruder'");
    expect(intruder).toBeUndefined();
  });

  it("validates the setup form before anything else", async () => {
    const r = await new Client(t.url).post("/api/setup", {
      workspaceName: "Acme",
      name: "Owner",
      email: "not-an-email",
      password: "short",
    });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe("validation_failed");
  });
});

describe("sign-in and sessions", () => {
  it("signs in with the right password (email case-insensitively) and sets an HttpOnly, SameSite=Lax cookie", async () => {
    const { owner, workspaceId } = await newWorkspace(t);
    const email = owner.user!.email;
    const res = await fetch(`${t.url}/api/auth/sign-in`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: email.toUpperCase(), password: PASSWORD }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { user: { email: string; role: string }; workspace: { id: string } };
    expect(body.user).toMatchObject({ email, role: "owner" });
    expect(body.workspace.id).toBe(workspaceId);
    const cookie = res.headers.get("set-cookie")!;
    expect(cookie).toMatch(/^parley_session=[^;]+;/);
    expect(cookie).toMatch(/;\s*HttpOnly/i);
    expect(cookie).toMatch(/;\s*SameSite=Lax/i);
    expect(cookie).toMatch(/;\s*Path=\//i);
    // The token in the cookie is not stored as such: only its hash is.
    const token = cookie.split(";")[0]!.split("=")[1]!;
    const stored = await t.db.query("select 1 from sessions where id = $1", [token]);
    expect(stored).toHaveLength(0);
  });

  it("refuses a wrong password and an unknown email with the same 401 and message, and no cookie", async () => {
    const { owner } = await newWorkspace(t);
    const wrong = await new Client(t.url).post("/api/auth/sign-in", {
      email: owner.user!.email,
      password: "not the password at all",
    });
    const unknown = await new Client(t.url).post("/api/auth/sign-in", {
      email: `${unique("nobody")}@example.com`,
      password: PASSWORD,
    });
    for (const r of [wrong, unknown]) {
      expect(r.status).toBe(401);
      expect(r.body.error.code).toBe("invalid_credentials");
      expect(r.headers.get("set-cookie")).toBeNull();
    }
    expect(wrong.body.error.message).toBe(unknown.body.error.message);
  });

  it("returns the signed-in user, workspace and CSRF token from GET /api/auth/session", async () => {
    const { owner, workspaceId } = await newWorkspace(t);
    const r = await owner.get("/api/auth/session");
    expect(r.status).toBe(200);
    expect(r.body.user).toMatchObject({ id: owner.user!.id, email: owner.user!.email, role: "owner" });
    expect(r.body.workspace.id).toBe(workspaceId);
    expect(r.body.csrfToken).toBe(owner.csrf);
    expect(JSON.stringify(r.body)).not.toMatch(/password/i);
  });

  it("signs out: the cookie no longer works and the session row is gone", async () => {
    const { owner } = await newWorkspace(t);
    const cookie = owner.cookie!;
    const other = await new Client(t.url).signIn(owner.user!.email);
    const out = await owner.post("/api/auth/sign-out");
    expect(out.status).toBe(204);
    expect(out.headers.get("set-cookie")).toMatch(/^parley_session=;/);
    const after = await raw("GET", "/api/auth/session", { cookie });
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe("unauthenticated");
    const write = await raw("POST", "/api/tags", { cookie, csrf: owner.csrf!, body: { name: "after" } });
    expect(write.status).toBe(401);
    // Only that session ended: another tab of the same user is still signed in.
    expect((await other.get("/api/auth/session")).status).toBe(200);
  });

  it("ends the sessions of a disabled user and refuses their sign-in", async () => {
    const { owner } = await newWorkspace(t);
    const agent = await addUser(t, owner, "agent");
    expect((await agent.client.get("/api/auth/session")).status).toBe(200);
    await t.db.query("update users set status = 'disabled' where id = $1", [agent.id]);
    expect((await agent.client.get("/api/auth/session")).status).toBe(401);
    const r = await new Client(t.url).post("/api/auth/sign-in", {
      email: agent.client.user!.email,
      password: PASSWORD,
    });
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe("invalid_credentials");
  });

  it("answers 401 to requests without a session or with an unknown cookie", async () => {
    for (const [method, path] of [
      ["GET", "/api/conversations"],
      ["GET", "/api/users"],
      ["GET", "/api/auth/session"],
      ["POST", "/api/tags"],
      ["POST", "/api/auth/sign-out"],
    ] as const) {
      const anonymous = await raw(method, path, method === "POST" ? { body: {} } : {});
      expect(anonymous.status, `${method} ${path}`).toBe(401);
      expect(anonymous.body.error.code).toBe("unauthenticated");
      const forged = await raw(method, path, {
        cookie: "parley_session=forged-token-value",
        csrf: "x",
        ...(method === "POST" ? { body: {} } : {}),
      });
      expect(forged.status, `${method} ${path} (forged)`).toBe(401);
    }
  });
});

describe("CSRF protection", () => {
  it("refuses cookie-authenticated writes without, or with a wrong, X-CSRF-Token, changing nothing", async () => {
    const { owner, workspaceId } = await newWorkspace(t);
    const tag = (await owner.post("/api/tags", { name: "keep", color: "#112233" })).body.tag;
    const otherSession = await new Client(t.url).signIn(owner.user!.email);
    expect(otherSession.csrf).not.toBe(owner.csrf);

    const attempts = [
      { method: "POST", path: "/api/tags", body: { name: "forged" } },
      { method: "PATCH", path: `/api/tags/${tag.id}`, body: { name: "renamed" } },
      { method: "DELETE", path: `/api/tags/${tag.id}`, body: undefined },
      {
        method: "POST",
        path: "/api/invitations",
        body: { email: `${unique("x")}@example.com`, role: "agent" },
      },
      { method: "POST", path: "/api/auth/sign-out", body: {} },
    ];
    for (const a of attempts) {
      for (const csrf of [undefined, "wrong-token", otherSession.csrf!]) {
        const r = await raw(a.method, a.path, { cookie: owner.cookie!, csrf, body: a.body });
        expect(r.status, `${a.method} ${a.path} csrf=${csrf}`).toBe(403);
        expect(r.body.error.code).toBe("csrf_failed");
      }
    }
    const tags = await t.db.query<{ name: string }>("select name from tags where workspace_id = $1", [
      workspaceId,
    ]);
    expect(tags.map((x) => x.name)).toEqual(["keep"]);
    const invitations = await t.db.query("select 1 from invitations where workspace_id = $1", [workspaceId]);
    expect(invitations).toHaveLength(0);
    // Sign-out was refused too: the session still works.
    expect((await owner.get("/api/auth/session")).status).toBe(200);
    // GET needs no token, and the right token passes.
    expect((await raw("GET", "/api/tags", { cookie: owner.cookie! })).status).toBe(200);
    const ok = await raw("PATCH", `/api/tags/${tag.id}`, {
      cookie: owner.cookie!,
      csrf: owner.csrf!,
      body: { name: "renamed" },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.tag.name).toBe("renamed");
  });
});

describe("invitations", () => {
  it("lets an admin invite; the link shows the invitation, accepting creates the user and signs them in", async () => {
    const { owner, workspaceId } = await newWorkspace(t, unique("Invite Co"));
    const admin = await addUser(t, owner, "admin");
    const email = `${unique("invitee")}@example.com`;
    const created = await admin.client.post("/api/invitations", {
      email: email.toUpperCase(),
      role: "agent",
    });
    expect(created.status).toBe(201);
    expect(created.body.invitation).toMatchObject({ email, role: "agent", acceptedAt: null });
    expect(created.body.acceptUrl).toMatch(new RegExp(`^${t.url}/invite/[A-Za-z0-9_-]{20,}$`));
    const token = tokenOf(created.body.acceptUrl);
    // The token is not stored in clear.
    expect(await t.db.query("select 1 from invitations where token_hash = $1", [token])).toHaveLength(0);

    const list = await owner.get("/api/invitations");
    expect(list.status).toBe(200);
    expect(list.body.invitations.map((i: { id: string }) => i.id)).toEqual([created.body.invitation.id]);

    const visitor = new Client(t.url);
    const info = await visitor.get(`/api/invitations/accept/${token}`);
    expect(info.status).toBe(200);
    const [ws] = await t.db.query<{ name: string }>("select name from workspaces where id = $1", [
      workspaceId,
    ]);
    expect(info.body).toEqual({ email, role: "agent", workspaceName: ws!.name });

    const accepted = await visitor.post("/api/invitations/accept", {
      token,
      name: "New Agent",
      password: PASSWORD,
    });
    expect(accepted.status).toBe(201);
    expect(accepted.body.user).toMatchObject({ email, name: "New Agent", role: "agent", status: "active" });
    expect(accepted.body.workspace.id).toBe(workspaceId);
    expect(accepted.headers.get("set-cookie")).toMatch(/HttpOnly/i);
    visitor.csrf = accepted.body.csrfToken;
    const session = await visitor.get("/api/auth/session");
    expect(session.status).toBe(200);
    expect(session.body.user.email).toBe(email);
    // The new user can sign in with their password later, and appears in the workspace.
    await new Client(t.url).signIn(email);
    const users = await owner.get("/api/users");
    expect(users.body.users.map((u: { email: string }) => u.email)).toContain(email);
    const after = await owner.get("/api/invitations");
    expect(after.body.invitations[0].acceptedAt).not.toBeNull();

    // The link works once.
    const reuse = await new Client(t.url).post("/api/invitations/accept", {
      token,
      name: "Again",
      password: PASSWORD,
    });
    expect(reuse.status).toBe(404);
    expect(reuse.body.error.code).toBe("not_found");
    expect((await new Client(t.url).get(`/api/invitations/accept/${token}`)).status).toBe(404);
    // An accepted invitation can no longer be revoked.
    expect((await owner.delete(`/api/invitations/${created.body.invitation.id}`)).status).toBe(404);
  });

  it("refuses invitations from agents and supervisors, admin invitations from admins, and taken emails", async () => {
    const { owner, workspaceId } = await newWorkspace(t);
    const agent = await addUser(t, owner, "agent");
    const supervisor = await addUser(t, owner, "supervisor");
    const admin = await addUser(t, owner, "admin");
    const email = `${unique("x")}@example.com`;
    for (const c of [agent.client, supervisor.client]) {
      const r = await c.post("/api/invitations", { email, role: "agent" });
      expect(r.status).toBe(403);
      expect(r.body.error.code).toBe("forbidden");
      expect((await c.get("/api/invitations")).status).toBe(403);
    }
    const byAdmin = await admin.client.post("/api/invitations", { email, role: "admin" });
    expect(byAdmin.status).toBe(403);
    const taken = await owner.post("/api/invitations", { email: admin.client.user!.email, role: "agent" });
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe("conflict");
    const badRole = await owner.post("/api/invitations", { email, role: "owner" });
    expect(badRole.status).toBe(400);
    expect(await t.db.query("select 1 from invitations where workspace_id = $1", [workspaceId])).toHaveLength(
      0,
    );
    const byOwner = await owner.post("/api/invitations", { email, role: "admin" });
    expect(byOwner.status).toBe(201);
    expect(byOwner.body.invitation.role).toBe("admin");
  });

  it("answers 404 to invalid, revoked and expired tokens, and keeps a bad accept form from using the link", async () => {
    const { owner } = await newWorkspace(t);
    const visitor = new Client(t.url);
    expect((await visitor.get(`/api/invitations/accept/${"x".repeat(43)}`)).status).toBe(404);
    const invalid = await visitor.post("/api/invitations/accept", {
      token: "y".repeat(43),
      name: "Nobody",
      password: PASSWORD,
    });
    expect(invalid.status).toBe(404);
    expect(invalid.body.error.message).toMatch(/invalid, already used or expired/);

    const inv = (await owner.post("/api/invitations", { email: `${unique("r")}@example.com`, role: "agent" }))
      .body;
    const token = tokenOf(inv.acceptUrl);
    const weak = await visitor.post("/api/invitations/accept", { token, name: "Weak", password: "short" });
    expect(weak.status).toBe(400);
    expect((await visitor.get(`/api/invitations/accept/${token}`)).status).toBe(200);

    // Revoke: 204 once, then the invitation and its link are gone.
    const agent = await addUser(t, owner, "agent");
    expect((await agent.client.delete(`/api/invitations/${inv.invitation.id}`)).status).toBe(403);
    expect((await owner.delete(`/api/invitations/${inv.invitation.id}`)).status).toBe(204);
    expect((await owner.delete(`/api/invitations/${inv.invitation.id}`)).status).toBe(404);
    expect((await owner.get("/api/invitations")).body.invitations).toEqual([]);
    expect((await visitor.get(`/api/invitations/accept/${token}`)).status).toBe(404);
    const late = await visitor.post("/api/invitations/accept", { token, name: "Late", password: PASSWORD });
    expect(late.status).toBe(404);
    expect(
      await t.db.query("select 1 from users where lower(email) = $1", [inv.invitation.email]),
    ).toHaveLength(0);

    // Expired.
    const old = (await owner.post("/api/invitations", { email: `${unique("e")}@example.com`, role: "agent" }))
      .body;
    await t.db.query("update invitations set expires_at = now() - interval '1 minute' where id = $1", [
      old.invitation.id,
    ]);
    const oldToken = tokenOf(old.acceptUrl);
    expect((await visitor.get(`/api/invitations/accept/${oldToken}`)).status).toBe(404);
    const expired = await visitor.post("/api/invitations/accept", {
      token: oldToken,
      name: "Old",
      password: PASSWORD,
    });
    expect(expired.status).toBe(404);
  });

  it("answers 409, not an error, when the invited email got an account in the meantime", async () => {
    const { owner } = await newWorkspace(t);
    const { owner: otherOwner } = await newWorkspace(t);
    const email = `${unique("twice")}@example.com`;
    const first = (await owner.post("/api/invitations", { email, role: "agent" })).body;
    const second = (await otherOwner.post("/api/invitations", { email, role: "supervisor" })).body;
    expect(second.invitation.email).toBe(email);
    const ok = await new Client(t.url).post("/api/invitations/accept", {
      token: tokenOf(first.acceptUrl),
      name: "First",
      password: PASSWORD,
    });
    expect(ok.status).toBe(201);
    const clash = await new Client(t.url).post("/api/invitations/accept", {
      token: tokenOf(second.acceptUrl),
      name: "Second",
      password: PASSWORD,
    });
    expect(clash.status).toBe(409);
    expect(clash.body.error.code).toBe("conflict");
    const users = await t.db.query<{ workspace_id: string; role: string }>(
      "select workspace_id, role from users where email = $1",
      [email],
    );
    expect(users).toEqual([{ workspace_id: owner.workspaceId, role: "agent" }]);
    // The refused acceptance did not use up the invitation.
    const [inv] = await t.db.query<{ accepted_at: Date | null }>(
      "select accepted_at from invitations where id = $1",
      [second.invitation.id],
    );
    expect(inv!.accepted_at).toBeNull();
  });

  it("creates exactly one user when the same link is accepted twice at once", async () => {
    const { owner } = await newWorkspace(t);
    const email = `${unique("race")}@example.com`;
    const inv = (await owner.post("/api/invitations", { email, role: "agent" })).body;
    const token = tokenOf(inv.acceptUrl);
    const results = await Promise.all([
      new Client(t.url).post("/api/invitations/accept", { token, name: "One", password: PASSWORD }),
      new Client(t.url).post("/api/invitations/accept", { token, name: "Two", password: PASSWORD }),
    ]);
    const statuses = results.map((r) => r.status).sort();
    expect(statuses[0]).toBe(201);
    expect([404, 409]).toContain(statuses[1]);
    expect(await t.db.query("select 1 from users where email = $1", [email])).toHaveLength(1);
  });
});

describe("users and teams", () => {
  it("lists the people of the caller's workspace only, by name, without password hashes", async () => {
    const { owner } = await newWorkspace(t);
    // Capitalised like "Owner", so the order is the same under every collation.
    const a = await addUser(t, owner, "agent", unique("Zed"));
    const b = await addUser(t, owner, "supervisor", unique("Amy"));
    const { owner: stranger } = await newWorkspace(t);
    const r = await a.client.get("/api/users");
    expect(r.status).toBe(200);
    expect(r.body.users.map((u: { id: string }) => u.id)).toEqual([b.id, owner.user!.id, a.id]);
    expect(r.body.users.map((u: { role: string }) => u.role)).toEqual(["supervisor", "owner", "agent"]);
    expect(JSON.stringify(r.body)).not.toContain(stranger.user!.id);
    expect(JSON.stringify(r.body)).not.toMatch(/password|argon2/i);
  });

  it("creates teams (admins only, unique names), adds and removes members, and deletes teams", async () => {
    const { owner } = await newWorkspace(t);
    const agent = await addUser(t, owner, "agent");
    const supervisor = await addUser(t, owner, "supervisor");
    const admin = await addUser(t, owner, "admin");

    for (const c of [agent.client, supervisor.client]) {
      const r = await c.post("/api/teams", { name: "Nope" });
      expect(r.status).toBe(403);
      expect(r.body.error.code).toBe("forbidden");
    }
    const created = await admin.client.post("/api/teams", { name: "  Support  " });
    expect(created.status).toBe(201);
    expect(created.body.team).toMatchObject({ name: "Support", memberIds: [] });
    const team = created.body.team;
    const dupe = await owner.post("/api/teams", { name: "SUPPORT" });
    expect(dupe.status).toBe(409);
    expect(dupe.body.error.code).toBe("conflict");
    expect((await owner.post("/api/teams", { name: "" })).status).toBe(400);
    await owner.post("/api/teams", { name: "Billing" });

    // Members.
    expect((await agent.client.put(`/api/teams/${team.id}/members/${agent.id}`)).status).toBe(403);
    const added = await owner.put(`/api/teams/${team.id}/members/${agent.id}`);
    expect(added.status).toBe(200);
    expect(added.body.team.memberIds).toEqual([agent.id]);
    const twice = await owner.put(`/api/teams/${team.id}/members/${agent.id}`);
    expect(twice.body.team.memberIds).toEqual([agent.id]);
    await owner.put(`/api/teams/${team.id}/members/${supervisor.id}`);
    const { owner: stranger } = await newWorkspace(t);
    const foreignUser = await owner.put(`/api/teams/${team.id}/members/${stranger.user!.id}`);
    expect(foreignUser.status).toBe(404);
    const missingTeam = await owner.put(
      `/api/teams/00000000-0000-4000-8000-000000000000/members/${agent.id}`,
    );
    expect(missingTeam.status).toBe(404);

    const list = await agent.client.get("/api/teams");
    expect(list.status).toBe(200);
    expect(list.body.teams.map((x: { name: string }) => x.name)).toEqual(["Billing", "Support"]);
    const support = list.body.teams.find((x: { id: string }) => x.id === team.id);
    expect([...support.memberIds].sort()).toEqual([agent.id, supervisor.id].sort());

    expect((await agent.client.delete(`/api/teams/${team.id}/members/${agent.id}`)).status).toBe(403);
    expect((await owner.delete(`/api/teams/${team.id}/members/${agent.id}`)).status).toBe(204);
    expect((await owner.delete(`/api/teams/${team.id}/members/${agent.id}`)).status).toBe(404);
    expect(
      (await owner.get("/api/teams")).body.teams.find((x: { id: string }) => x.id === team.id).memberIds,
    ).toEqual([supervisor.id]);

    expect((await agent.client.delete(`/api/teams/${team.id}`)).status).toBe(403);
    expect((await owner.delete(`/api/teams/${team.id}`)).status).toBe(204);
    expect((await owner.delete(`/api/teams/${team.id}`)).status).toBe(404);
    expect((await owner.get("/api/teams")).body.teams.map((x: { name: string }) => x.name)).toEqual([
      "Billing",
    ]);
    expect(await t.db.query("select 1 from team_members where team_id = $1", [team.id])).toHaveLength(0);
  });
});
