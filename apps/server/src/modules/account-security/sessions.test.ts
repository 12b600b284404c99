import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MovableClock } from "../../lib/time";
import { TEST_DB } from "../../testing/db";
import { addUser, Client, newWorkspace, PASSWORD } from "../../testing/harness";
import { killAllChildren, type ServerProcess, spawnServer } from "../../testing/spawn";
import { useTestServer } from "../../testing/use-test-server";

const clock = new MovableClock();
const t = useTestServer({ clock });
/** Where the second socket lives: on PostgreSQL another process, on the embedded database this one. */
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

const IPHONE =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1";
const WINDOWS_FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";

/** Signs in on a server as a browser with this user agent (the session remembers it). */
async function signInAs(base: string, email: string, userAgent: string) {
  const c = new Client(base);
  const r = await c.request(
    "POST",
    "/api/auth/sign-in",
    { email, password: PASSWORD },
    { "user-agent": userAgent },
  );
  if (r.status !== 200) throw new Error(`sign-in failed: ${r.status}`);
  c.csrf = r.body.csrfToken;
  c.user = r.body.user;
  c.workspaceId = r.body.workspace.id;
  return c;
}
const closeCode = (ws: { once(e: "close", f: (code: number) => void): unknown }) =>
  new Promise<number>((resolve) => ws.once("close", (code) => resolve(code)));
const ended = (workspaceId: string) =>
  t.db.query<{ user_id: string; target_id: string; data: any }>(
    "select user_id, target_id, data from audit_log where workspace_id = $1 and action = 'session.ended' order by id",
    [workspaceId],
  );

describe("my sessions", () => {
  it("lists my devices, keeps their last use current once a minute, and ends one: its socket closes on another process", async () => {
    const { owner, workspaceId } = await newWorkspace(t);
    const email = owner.user!.email;
    const phone = await signInAs(t.url, email, IPHONE);
    const list = (await owner.get("/api/me/sessions")).body.sessions;
    expect(list).toHaveLength(2);
    const mine = list.find((s: any) => s.current);
    const phoneRow = list.find((s: any) => !s.current);
    expect(mine).toBeDefined();
    expect(phoneRow).toMatchObject({
      browser: "Safari 17",
      os: "iOS 17",
      device: "mobile",
      ip: "127.0.0.1",
    });
    expect(phoneRow.id).toMatch(/^[0-9a-f-]{36}$/);
    // The session's id is the hash of its cookie: never shown.
    const [row] = await t.db.query<{ id: string }>("select id from sessions where public_id = $1", [
      phoneRow.id,
    ]);
    expect(JSON.stringify(list)).not.toContain(row!.id);

    // Last use: written when a minute has passed, not on every request.
    const lastSeen = async () =>
      (
        await t.db.query<{ at: Date }>("select last_seen_at as at from sessions where id = $1", [row!.id])
      )[0]!.at.getTime();
    const created = await lastSeen();
    await phone.get("/api/auth/session");
    expect(await lastSeen()).toBe(created);
    clock.advance(2 * 60_000);
    await phone.get("/api/auth/session");
    const touched = await lastSeen();
    expect(touched).toBeGreaterThan(created + 60_000);
    clock.advance(30_000);
    await phone.get("/api/auth/session");
    expect(await lastSeen()).toBe(touched);
    clock.advance(31_000);
    await phone.get("/api/auth/session");
    expect(await lastSeen()).toBeGreaterThan(touched);
    const relisted = (await owner.get("/api/me/sessions")).body.sessions;
    const phoneNow = relisted.find((s: any) => s.id === phoneRow.id);
    expect(new Date(phoneNow.lastSeenAt).getTime()).toBe(await lastSeen());

    // Ending the phone's session closes its socket on the other process and signs it out.
    const socket = await Object.assign(new Client(second.url), { cookie: phone.cookie }).socket(second.wsUrl);
    await socket.waitFor((f) => f.type === "hello", 15_000);
    const closed = closeCode(socket.ws);
    const r = await owner.delete(`/api/me/sessions/${phoneRow.id}`);
    expect(r.status).toBe(200);
    expect(r.body.ended).toBe(1);
    expect(await closed).toBe(4001);
    expect((await phone.get("/api/auth/session")).status).toBe(401);
    expect((await owner.get("/api/auth/session")).status).toBe(200);
    expect((await owner.delete(`/api/me/sessions/${phoneRow.id}`)).status).toBe(404);
    expect((await owner.delete("/api/me/sessions/not-a-uuid")).status).toBe(400);

    // All the others at once.
    const laptop = await signInAs(t.url, email, WINDOWS_FIREFOX);
    const tablet = await signInAs(t.url, email, IPHONE);
    const others = await owner.post("/api/me/sessions/end-others");
    expect(others.body.ended).toBe(2);
    expect((await laptop.get("/api/auth/session")).status).toBe(401);
    expect((await tablet.get("/api/auth/session")).status).toBe(401);
    expect((await owner.get("/api/me/sessions")).body.sessions).toEqual([
      expect.objectContaining({ current: true }),
    ]);

    expect(await ended(workspaceId)).toEqual([
      expect.objectContaining({
        user_id: owner.user!.id,
        data: { by: "self", scope: "one", sessions: [phoneRow.id] },
      }),
      expect.objectContaining({ data: expect.objectContaining({ by: "self", scope: "all" }) }),
    ]);
  });

  it("cannot end another person's session by its id", async () => {
    const { owner } = await newWorkspace(t);
    const agent = await addUser(t, owner, "agent");
    const theirs = (await agent.client.get("/api/me/sessions")).body.sessions[0].id;
    expect((await owner.delete(`/api/me/sessions/${theirs}`)).status).toBe(404);
    expect((await agent.client.get("/api/auth/session")).status).toBe(200);
  });
});

describe("a person's sessions, for admins", () => {
  it("shows and ends a person's sessions from the People panel; the person's sockets close", async () => {
    const { owner, workspaceId } = await newWorkspace(t);
    const admin = await addUser(t, owner, "admin");
    const agent = await addUser(t, owner, "agent");
    const phone = await signInAs(t.url, agent.client.user!.email, IPHONE);

    expect((await agent.client.get(`/api/users/${admin.id}/sessions`)).status).toBe(403);
    expect((await admin.client.get(`/api/users/${owner.user!.id}/sessions`)).status).toBe(403);
    expect((await admin.client.get(`/api/users/${crypto.randomUUID()}/sessions`)).status).toBe(404);
    const seen = (await admin.client.get(`/api/users/${agent.id}/sessions`)).body.sessions;
    expect(seen).toHaveLength(2);
    expect(seen.every((s: any) => s.current === false)).toBe(true);

    const phoneId = seen.find((s: any) => s.device === "mobile").id;
    const phoneSocket = await phone.socket(second.wsUrl);
    await phoneSocket.waitFor((f) => f.type === "hello", 15_000);
    const phoneClosed = closeCode(phoneSocket.ws);
    const one = await admin.client.delete(`/api/users/${agent.id}/sessions/${phoneId}`);
    expect(one.body.ended).toBe(1);
    expect(await phoneClosed).toBe(4001);
    expect((await agent.client.get("/api/auth/session")).status).toBe(200);

    const socket = await agent.client.socket(second.wsUrl);
    await socket.waitFor((f) => f.type === "hello", 15_000);
    const closed = closeCode(socket.ws);
    const all = await admin.client.delete(`/api/users/${agent.id}/sessions`);
    expect(all.body.ended).toBe(1);
    expect(await closed).toBe(4001);
    expect((await agent.client.get("/api/auth/session")).status).toBe(401);

    // Admins' own sessions from the panel: all but the one in use.
    await signInAs(t.url, admin.client.user!.email, WINDOWS_FIREFOX);
    expect((await admin.client.delete(`/api/users/${admin.id}/sessions`)).body.ended).toBe(1);
    expect((await admin.client.get("/api/auth/session")).status).toBe(200);

    expect((await ended(workspaceId)).slice(0, 2)).toEqual([
      expect.objectContaining({
        user_id: admin.id,
        target_id: agent.id,
        data: { by: "admin", scope: "one", sessions: [phoneId] },
      }),
      expect.objectContaining({
        user_id: admin.id,
        target_id: agent.id,
        data: expect.objectContaining({ scope: "all" }),
      }),
    ]);
  });
});
