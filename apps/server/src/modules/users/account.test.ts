import type { ServerFrame } from "@parley/protocol";
import { describe, expect, it } from "vitest";
import { TEST_DB } from "../../testing/db";
import { startSmtpSink } from "../../testing/fakes/email";
import {
  addUser,
  Client,
  newWorkspace,
  PASSWORD,
  type SocketClient,
  startTestServer,
  unique,
} from "../../testing/harness";
import { useTestServer } from "../../testing/use-test-server";

const t = useTestServer();

/** A real 1×1 PNG. */
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
  "base64",
);
const putAvatar = (c: Client, body: Buffer | string, type: string) =>
  c.request("PUT", "/api/me/avatar", body, { "content-type": type });

const presenceSignal = (userId: string, presence: string) => (f: ServerFrame) =>
  f.type === "signal" &&
  f.signal.type === "presence.changed" &&
  f.signal.userId === userId &&
  f.signal.presence === presence;

describe("profile", () => {
  it("changes my name and language; the session carries the language to a new sign-in", async () => {
    const { owner } = await newWorkspace(t);
    const r = await owner.patch("/api/me", { name: "  Olena  ", locale: "uk" });
    expect(r.status).toBe(200);
    expect(r.body.user).toMatchObject({ name: "Olena", locale: "uk" });
    // Another device signing in gets the language with the session.
    const other = await new Client(t.url).signIn(owner.user!.email);
    expect((await other.get("/api/auth/session")).body.user.locale).toBe("uk");
    expect((await owner.patch("/api/me", { locale: "de" })).status).toBe(400);
    expect((await owner.patch("/api/me", {})).body.error.code).toBe("validation_failed");
    expect((await owner.patch("/api/me", { name: "" })).status).toBe(400);
  });

  it("changes my password with the current one, and signs out my other sessions", async () => {
    const { owner } = await newWorkspace(t);
    const other = await new Client(t.url).signIn(owner.user!.email);
    const wrong = await owner.post("/api/me/password", {
      currentPassword: "nope",
      newPassword: "x".repeat(12),
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe("invalid_credentials");
    const short = await owner.post("/api/me/password", { currentPassword: PASSWORD, newPassword: "short" });
    expect(short.status).toBe(400);

    const ok = await owner.post("/api/me/password", {
      currentPassword: PASSWORD,
      newPassword: "a brand new passphrase",
    });
    expect(ok.status).toBe(200);
    expect(ok.body.signedOutSessions).toBe(1);
    expect((await owner.get("/api/auth/session")).status).toBe(200);
    expect((await other.get("/api/auth/session")).status).toBe(401);
    const old = await new Client(t.url).post("/api/auth/sign-in", {
      email: owner.user!.email,
      password: PASSWORD,
    });
    expect(old.status).toBe(401);
    await new Client(t.url).signIn(owner.user!.email, "a brand new passphrase");
  });
});

describe("avatar", () => {
  it("stores a real image, serves it to colleagues, and replaces and removes it", async () => {
    const { owner } = await newWorkspace(t);
    const agent = await addUser(t, owner, "agent");
    const r = await putAvatar(owner, PNG, "image/png");
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const url: string = r.body.user.avatarUrl;
    expect(url).toMatch(/^\/api\/files\/[0-9a-f-]{36}$/);
    const file = await fetch(t.url + url, { headers: { cookie: agent.client.cookie! } });
    expect(file.status).toBe(200);
    expect(file.headers.get("content-type")).toBe("image/png");
    expect(Buffer.from(await file.arrayBuffer()).equals(PNG)).toBe(true);
    expect((await agent.client.get("/api/users")).body.users).toContainEqual(
      expect.objectContaining({ id: owner.user!.id, avatarUrl: url }),
    );

    // A new avatar replaces the old file.
    const again = await putAvatar(owner, PNG, "image/png");
    expect(again.body.user.avatarUrl).not.toBe(url);
    const [gone] = await t.db.query("select 1 from files where id = $1", [url.split("/").at(-1)]);
    expect(gone).toBeUndefined();

    const removed = await owner.delete("/api/me/avatar");
    expect(removed.status).toBe(200);
    expect(removed.body.user.avatarUrl).toBeNull();
    const [left] = await t.db.query("select 1 from files where id = $1", [
      String(again.body.user.avatarUrl).split("/").at(-1),
    ]);
    expect(left).toBeUndefined();
  });

  it("refuses what is not a raster image whatever its declared type, SVG, and files over 2 MB", async () => {
    const { owner } = await newWorkspace(t);
    const fake = await putAvatar(owner, Buffer.from("<script>alert(1)</script>"), "image/png");
    expect(fake.status).toBe(415);
    expect(fake.body.error.code).toBe("unsupported_media_type");
    const svg = await putAvatar(
      owner,
      '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>',
      "image/svg+xml",
    );
    expect(svg.status).toBe(415);
    const big = Buffer.concat([PNG, Buffer.alloc(2 * 1024 * 1024)]);
    const tooLarge = await putAvatar(owner, big, "image/png");
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.error.code).toBe("payload_too_large");
    expect((await owner.get("/api/auth/session")).body.user.avatarUrl).toBeNull();
  });
});

describe("presence", () => {
  it("pushes online, away and offline to colleagues and answers the same from GET /api/presence", async () => {
    const { owner } = await newWorkspace(t);
    const agent = await addUser(t, owner, "agent");
    const other = await newWorkspace(t);
    const ownerSocket = await owner.socket(t.wsUrl);
    const strangerSocket = await other.owner.socket(t.wsUrl);
    let agentSocket: SocketClient | null = null;
    try {
      agentSocket = await agent.client.socket(t.wsUrl);
      await ownerSocket.waitFor(presenceSignal(agent.id, "online"));
      expect((await owner.get("/api/presence")).body.presence).toMatchObject({
        [agent.id]: "online",
        [owner.user!.id]: "online",
      });

      agentSocket.ws.send(JSON.stringify({ type: "presence", state: "away" }));
      await ownerSocket.waitFor(presenceSignal(agent.id, "away"));
      expect((await owner.get("/api/presence")).body.presence[agent.id]).toBe("away");

      // A second tab that is active makes the person online again; closing it leaves them away.
      const count = (p: string) => ownerSocket.frames.filter(presenceSignal(agent.id, p)).length;
      const second = await agent.client.socket(t.wsUrl);
      await ownerSocket.waitFor(() => count("online") >= 2);
      second.close();
      await ownerSocket.waitFor(() => count("away") >= 2);

      agentSocket.close();
      await ownerSocket.waitFor(presenceSignal(agent.id, "offline"));
      expect((await owner.get("/api/presence")).body.presence[agent.id]).toBeUndefined();
      // Another workspace hears nothing of it.
      expect(strangerSocket.frames.some(presenceSignal(agent.id, "online"))).toBe(false);
      expect((await other.owner.get("/api/presence")).body.presence[agent.id]).toBeUndefined();
    } finally {
      ownerSocket.close();
      strangerSocket.close();
      agentSocket?.close();
    }
  });

  it("ignores rows whose heartbeat is stale (a process that died)", async () => {
    const { owner } = await newWorkspace(t);
    const agent = await addUser(t, owner, "agent");
    await t.db.query(
      "insert into presence_sockets (id, workspace_id, user_id, state, seen_at) values ($1, $2, $3, 'online', now() - interval '10 minutes')",
      [unique("dead"), owner.workspaceId, agent.id],
    );
    expect((await owner.get("/api/presence")).body.presence[agent.id]).toBeUndefined();
  });
});

describe("user administration", () => {
  it("lets admins change roles and deactivate people, within the owner's and admins' limits", async () => {
    const { owner } = await newWorkspace(t);
    const admin = await addUser(t, owner, "admin");
    const agent = await addUser(t, owner, "agent");
    const supervisor = await addUser(t, owner, "supervisor");

    for (const c of [agent.client, supervisor.client]) {
      const r = await c.patch(`/api/users/${agent.id}`, { role: "supervisor" });
      expect(r.status).toBe(403);
      expect(r.body.error.code).toBe("forbidden");
    }
    const promoted = await admin.client.patch(`/api/users/${agent.id}`, { role: "supervisor" });
    expect(promoted.status).toBe(200);
    expect(promoted.body.user.role).toBe("supervisor");
    // Only the owner makes admins; nobody changes the owner or themselves; "owner" is not a role to give.
    expect((await admin.client.patch(`/api/users/${agent.id}`, { role: "admin" })).status).toBe(403);
    expect((await admin.client.patch(`/api/users/${owner.user!.id}`, { status: "disabled" })).status).toBe(
      403,
    );
    expect((await owner.patch(`/api/users/${owner.user!.id}`, { role: "agent" })).status).toBe(403);
    expect((await owner.patch(`/api/users/${agent.id}`, { role: "owner" })).status).toBe(400);
    expect((await owner.patch(`/api/users/${agent.id}`, {})).status).toBe(400);
    expect((await owner.patch(`/api/users/${agent.id}`, { role: "admin" })).body.user.role).toBe("admin");
    expect((await admin.client.patch(`/api/users/${agent.id}`, { role: "agent" })).status).toBe(403);
    expect((await owner.patch(`/api/users/${agent.id}`, { role: "agent" })).status).toBe(200);

    // Deactivation signs the person out everywhere and keeps them from signing in; reactivation lets them in.
    const socket = await agent.client.socket(t.wsUrl);
    const closed = new Promise<number>((resolve) => socket.ws.once("close", (code) => resolve(code)));
    const off = await admin.client.patch(`/api/users/${agent.id}`, { status: "disabled" });
    expect(off.body.user.status).toBe("disabled");
    expect(await closed).toBe(4001);
    expect((await agent.client.get("/api/auth/session")).status).toBe(401);
    const refused = await new Client(t.url).post("/api/auth/sign-in", {
      email: agent.client.user!.email,
      password: PASSWORD,
    });
    expect(refused.status).toBe(401);
    await admin.client.patch(`/api/users/${agent.id}`, { status: "active" });
    await new Client(t.url).signIn(agent.client.user!.email);

    const [row] = await t.db.query<{ n: number }>(
      "select count(*)::int as n from audit_log where workspace_id = $1 and action = 'user.updated' and target_id = $2",
      [owner.workspaceId, agent.id],
    );
    expect(row!.n).toBe(5);
    expect((await owner.patch(`/api/users/${crypto.randomUUID()}`, { role: "agent" })).status).toBe(404);
  });

  it("invites, and the invitee signs up from the link and appears in the team list", async () => {
    const { owner } = await newWorkspace(t);
    const email = `${unique("invitee")}@example.com`;
    const inv = await owner.post("/api/invitations", { email, role: "agent" });
    expect(inv.status).toBe(201);
    const token = String(inv.body.acceptUrl).split("/invite/")[1]!;
    const invitee = new Client(t.url);
    const accepted = await invitee.post("/api/invitations/accept", {
      token,
      name: "New Agent",
      password: PASSWORD,
    });
    expect(accepted.status).toBe(201);
    const team = await owner.post("/api/teams", { name: unique("Support") });
    expect(
      (await owner.put(`/api/teams/${team.body.team.id}/members/${accepted.body.user.id}`)).body.team
        .memberIds,
    ).toEqual([accepted.body.user.id]);
    const users = (await owner.get("/api/users")).body.users;
    expect(users).toContainEqual(expect.objectContaining({ email, name: "New Agent", role: "agent" }));
  });
});

describe("invitation emails", () => {
  it("emails the link when SMTP is configured, and still answers the link when the mail server refuses", async () => {
    const smtp = await startSmtpSink({ parley: "smtp-pass" });
    const mailing = await startTestServer(t.db, {
      env: {
        SMTP_HOST: smtp.host,
        SMTP_PORT: String(smtp.port),
        SMTP_USER: "parley",
        SMTP_PASSWORD: "smtp-pass",
        SMTP_FROM: "Parley <parley@example.com>",
      },
    });
    try {
      const { owner } = await newWorkspace(mailing);
      const email = `${unique("mailed")}@example.com`;
      const r = await owner.post("/api/invitations", { email, role: "agent" });
      expect(r.status).toBe(201);
      expect(r.body.emailed).toBe(true);
      const mail = smtp.mails.find((m) => m.to.includes(email));
      expect(mail, "the invitation mail").toBeDefined();
      expect(mail!.raw.replace(/=\r?\n/g, "")).toContain(r.body.acceptUrl);

      smtp.failNext(550, "5.1.1 No such user");
      const refused = await owner.post("/api/invitations", {
        email: `${unique("bounced")}@example.com`,
        role: "agent",
      });
      expect(refused.status).toBe(201);
      expect(refused.body.emailed).toBe(false);
      expect(refused.body.acceptUrl).toMatch(/\/invite\//);
      // Without SMTP the answer says the link was not emailed.
      const plain = await newWorkspace(t);
      const noSmtp = await plain.owner.post("/api/invitations", {
        email: `${unique("plain")}@example.com`,
        role: "agent",
      });
      expect(noSmtp.body.emailed).toBe(false);
    } finally {
      await mailing.close();
      await smtp.close();
    }
  });
});

// Several processes on one PostgreSQL (the bus is LISTEN/NOTIFY there): presence is the same from every one.
if (TEST_DB === "postgres") {
  describe("presence across processes", () => {
    it("tells sockets of another process, and answers the same presence from both", async () => {
      const other = await startTestServer(t.db);
      try {
        const { owner } = await newWorkspace(t);
        const agent = await addUser(t, owner, "agent");
        const watcher = await owner.socket(other.wsUrl);
        const agentSocket = await agent.client.socket(t.wsUrl);
        await watcher.waitFor(presenceSignal(agent.id, "online"));
        const viaOther = new Client(other.url);
        Object.assign(viaOther, { cookie: owner.cookie, csrf: owner.csrf });
        expect((await viaOther.get("/api/presence")).body.presence[agent.id]).toBe("online");
        agentSocket.close();
        await watcher.waitFor(presenceSignal(agent.id, "offline"));
        expect((await viaOther.get("/api/presence")).body.presence[agent.id]).toBeUndefined();
        watcher.close();
      } finally {
        await other.close();
      }
    });
  });
}
