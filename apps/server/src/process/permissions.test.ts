import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signBody } from "../channels/api/adapter";
import type { Db } from "../db/client";
import { hashPassword } from "../modules/auth/sessions";
import { openTestDb, TEST_DB } from "../testing/db";
import {
  Client,
  inbound,
  NO_RECEIVER,
  newWorkspace,
  PASSWORD,
  type SocketClient,
  unique,
} from "../testing/harness";
import { killAllChildren, spawnServer } from "../testing/spawn";
import { useTestServer } from "../testing/use-test-server";

/**
 * Rights taken away reach open sockets at once (R801): a supervisor's socket receives the events of a
 * colleague's conversation until supervisors lose `conversations.view_all`; then it is told (an `access`
 * frame) and receives them no more, while the queue's events still arrive. On PostgreSQL the socket is on
 * one process and the change and the messages go through another; on the embedded database (one process
 * per data directory) all of it is one process.
 */

interface World {
  db: Db;
  /** Where the owner changes rights and customers' messages arrive. */
  apiUrl: string;
  /** Where the supervisor's socket is open. */
  wsUrl: string;
  owner: Client;
}

/** A person of the owner's workspace with a role, signed in on `url`. */
async function person(w: World, role: "supervisor" | "agent", url: string) {
  const email = `${unique(role)}@example.com`;
  const [row] = await w.db.query<{ id: string }>(
    "insert into users (workspace_id, email, name, role, password_hash) values ($1, $2, $3, $4, $5) returning id",
    [w.owner.workspaceId, email, role, role, await hashPassword(PASSWORD)],
  );
  return { id: row!.id, client: await new Client(url).signIn(email) };
}

async function scenario(w: World) {
  const supervisor = await person(w, "supervisor", w.apiUrl);
  const agent = await person(w, "agent", w.apiUrl);
  const created = await w.owner.post("/api/connections", {
    type: "api",
    name: unique("api"),
    settings: { outboundUrl: NO_RECEIVER },
  });
  expect(created.status).toBe(201);
  const { connection, reveal } = created.body;
  const post = async (contact: string, id: string) => {
    const raw = JSON.stringify(inbound(contact, `text ${id}`, id));
    const res = await fetch(`${w.apiUrl}/api/webhooks/api/${connection.id}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-parley-signature": signBody(reveal.secret, raw) },
      body: raw,
    });
    const body = (await res.json()) as { results: { conversationId: string }[] };
    expect(res.status, JSON.stringify(body)).toBe(200);
    return body.results[0]!.conversationId;
  };
  const received = (s: SocketClient) =>
    s
      .events()
      .filter((e) => e.type === "message.created")
      .map((e) => (e.type === "message.created" ? e.message.providerMessageId : null));

  // A colleague's conversation: assigned to the agent.
  const colleague = unique("colleague");
  const conversationId = await post(colleague, unique("m"));
  const assigned = await w.owner.post(`/api/conversations/${conversationId}/assign`, {
    assigneeId: agent.id,
  });
  expect(assigned.status).toBe(200);

  const socket = await supervisor.client.socket(w.wsUrl);
  await socket.waitFor((f) => f.type === "hello");
  const seen = unique("seen");
  await post(colleague, seen);
  await socket.waitForEvent("message.created", (e) => e.message.providerMessageId === seen, 10_000);

  // Supervisors lose "see all conversations": the open socket is told at once.
  const roles = (await w.owner.get("/api/roles")).body.roles as { id: string; permissions: string[] }[];
  const current = roles.find((r) => r.id === "supervisor")!.permissions;
  const changed = await w.owner.patch("/api/roles/supervisor", {
    permissions: current.filter((p) => p !== "conversations.view_all"),
  });
  expect(changed.status).toBe(200);
  await socket.waitFor((f) => f.type === "access", 10_000);

  // The colleague's next message is not delivered; the queue's (unassigned) one, posted after it, is.
  const hidden = unique("hidden");
  const queued = unique("queued");
  await post(colleague, hidden);
  await post(unique("newcomer"), queued);
  await socket.waitForEvent("message.created", (e) => e.message.providerMessageId === queued, 10_000);
  expect(received(socket)).toContain(seen);
  expect(received(socket)).not.toContain(hidden);
  // The session answer agrees with what the socket applies.
  const session = await supervisor.client.get("/api/auth/session");
  expect(session.body.permissions).not.toContain("conversations.view_all");
  socket.close();
}

if (TEST_DB === "postgres") {
  describe("rights taken away, across two processes on PostgreSQL", () => {
    let testDb: Awaited<ReturnType<typeof openTestDb>> | undefined;
    beforeAll(async () => {
      testDb = await openTestDb();
    });
    afterAll(async () => {
      await killAllChildren();
      await testDb?.close();
    });

    it("a supervisor's socket on A stops receiving a colleague's conversation when B takes view_all away", async () => {
      const env = { DATABASE_URL: testDb!.url!, EVENT_BUS: "postgres" };
      const [a, b] = await Promise.all([
        // Generous: a loaded machine starts a process (tsx compiling the sources) slowly.
        spawnServer(env, { readyTimeoutMs: 150_000 }),
        spawnServer(env, { readyTimeoutMs: 150_000 }),
      ]);
      // The file's database is fresh: the first run's set-up creates the workspace and its owner.
      const email = `${unique("owner")}@example.com`;
      const setup = await new Client(b.url).post("/api/setup", {
        workspaceName: unique("ws"),
        name: "Owner",
        email,
        password: PASSWORD,
      });
      expect(setup.status, JSON.stringify(setup.body)).toBe(201);
      const owner = await new Client(b.url).signIn(email);
      await scenario({ db: testDb!.db, apiUrl: b.url, wsUrl: a.wsUrl, owner });
    }, 300_000);
  });
} else {
  const t = useTestServer();
  describe("rights taken away, in one process on the embedded database", () => {
    it("a supervisor's socket stops receiving a colleague's conversation when view_all is taken away", async () => {
      const { owner } = await newWorkspace(t);
      await scenario({ db: t.db, apiUrl: t.url, wsUrl: t.wsUrl, owner });
    });
  });
}
