import { describe, expect, it } from "vitest";
import { addUser, apiConnection, type Client, inbound, newWorkspace, unique } from "../../testing/harness";
import { useTestServer } from "../../testing/use-test-server";

const t = useTestServer();

interface Counts {
  unread: number;
  waiting: number;
}
interface Views {
  views: ({ key: string } & Counts)[];
  teams: ({ id: string; name: string } & Counts)[];
  saved: ({ id: string; name: string; params: Record<string, string> } & Counts)[];
}

async function views(client: Client) {
  const r = await client.get<Views>("/api/inbox/views");
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}
const view = (v: Views, key: string) => v.views.find((x) => x.key === key)!;

/** The same counts taken from the list itself: conversations with unread messages, and those waiting. */
async function listed(client: Client, query: string): Promise<Counts> {
  const r = await client.get<{ conversations: { unreadCount?: number; firstUnansweredAt: string | null }[] }>(
    `/api/conversations?${query}&limit=200`,
  );
  expect(r.status).toBe(200);
  return {
    unread: r.body.conversations.filter((c) => (c.unreadCount ?? 0) > 0).length,
    waiting: r.body.conversations.filter((c) => c.firstUnansweredAt).length,
  };
}

async function converse(conn: Awaited<ReturnType<typeof apiConnection>>) {
  const r = await conn.post(inbound(unique("c"), "hello"));
  expect(r.status).toBe(200);
  return r.body.results[0].conversationId as string;
}

describe("inbox views: counts", () => {
  it("counts unread and waiting per view, per team and per saved filter, as the lists show them", async () => {
    const { owner } = await newWorkspace(t);
    const agent = await addUser(t, owner, "agent");
    const conn = await apiConnection(t, owner);
    const team = (await owner.post("/api/teams", { name: unique("billing") })).body.team.id as string;
    expect((await owner.put(`/api/teams/${team}/members/${agent.id}`)).status).toBe(200);
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push(await converse(conn));
    const [mineRead, mineUnread, teamQueued, closed] = ids as [string, string, string, string, string];
    const me = (await owner.get("/api/auth/session")).body.user.id as string;
    for (const id of [mineRead, mineUnread])
      expect((await owner.post(`/api/conversations/${id}/assign`, { assigneeId: me })).status).toBe(200);
    expect(
      (await owner.post(`/api/conversations/${teamQueued}/assign`, { assigneeId: null, teamId: team }))
        .status,
    ).toBe(200);
    expect((await owner.post(`/api/conversations/${mineRead}/read`, {})).status).toBe(200);
    expect((await owner.post(`/api/conversations/${closed}/status`, { status: "closed" })).status).toBe(200);

    const v = await views(owner);
    expect(view(v, "mine")).toEqual({ key: "mine", unread: 1, waiting: 2 });
    expect(view(v, "all")).toEqual({ key: "all", ...(await listed(owner, "status=open,in_progress")) });
    expect(view(v, "all")).toMatchObject({ unread: 3, waiting: 4 });
    expect(view(v, "unassigned")).toMatchObject(
      await listed(owner, "unassigned=true&status=open,in_progress"),
    );
    expect(view(v, "mine")).toMatchObject(await listed(owner, "mine=true&status=open,in_progress"));
    // The owner is in no team: no team views.
    expect(v.teams).toEqual([]);

    // The agent sees their team's queue and the general queue, not the owner's conversations.
    const a = await views(agent.client);
    expect(a.teams).toEqual([{ id: team, name: expect.any(String), unread: 1, waiting: 1 }]);
    expect(view(a, "all")).toMatchObject(await listed(agent.client, "status=open,in_progress"));
    expect(view(a, "all")).toMatchObject({ unread: 2, waiting: 2 });
    expect(view(a, "mine")).toMatchObject({ unread: 0, waiting: 0 });

    // The header badge and "all" agree.
    const badge = (await owner.get("/api/conversations/unread-count")).body.count;
    expect(view(v, "all").unread).toBe(badge);
  });
});

describe("saved filters", () => {
  it("are saved, listed with counts, renamed and deleted by their owner alone", async () => {
    const { owner } = await newWorkspace(t);
    const other = await addUser(t, owner, "admin");
    const conn = await apiConnection(t, owner);
    await converse(conn);
    await converse(conn);

    const saved = await owner.post("/api/saved-filters", {
      name: "API, waiting",
      params: { view: "all", channel: "api", type: "unanswered" },
    });
    expect(saved.status, JSON.stringify(saved.body)).toBe(201);
    const id = saved.body.savedFilter.id as string;
    expect((await views(owner)).saved).toEqual([
      {
        id,
        name: "API, waiting",
        params: { view: "all", channel: "api", type: "unanswered" },
        unread: 2,
        waiting: 2,
      },
    ]);
    const telegram = await owner.post("/api/saved-filters", {
      name: "Telegram",
      params: { channel: "telegram" },
    });
    expect(telegram.status).toBe(201);
    expect((await views(owner)).saved.find((s) => s.name === "Telegram")).toMatchObject({
      unread: 0,
      waiting: 0,
    });

    // Another person neither sees nor changes it.
    expect((await views(other.client)).saved).toEqual([]);
    expect((await other.client.patch(`/api/saved-filters/${id}`, { name: "Mine now" })).status).toBe(404);
    expect((await other.client.delete(`/api/saved-filters/${id}`)).status).toBe(404);

    const dup = await owner.post("/api/saved-filters", { name: "api, WAITING", params: {} });
    expect(dup.status).toBe(409);
    expect(dup.body.error.message).toContain("already have a saved filter");
    const bad = await owner.post("/api/saved-filters", { name: "Bad", params: { channel: "pigeon" } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain("channel");
    const unnamed = await owner.post("/api/saved-filters", { name: "  ", params: {} });
    expect(unnamed.status).toBe(400);

    const renamed = await owner.patch(`/api/saved-filters/${id}`, { name: "Waiting on the API" });
    expect(renamed.status).toBe(200);
    expect(renamed.body.savedFilter.name).toBe("Waiting on the API");
    expect((await owner.delete(`/api/saved-filters/${id}`)).status).toBe(204);
    expect((await views(owner)).saved.map((s) => s.name)).toEqual(["Telegram"]);
  });
});

describe("first-run checklist", () => {
  it("follows the workspace's data and stays away once dismissed", async () => {
    const { owner } = await newWorkspace(t);
    const first = await owner.get("/api/first-run");
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      show: true,
      steps: { channel: false, team: false, hours: false, testMessage: false },
    });

    const conn = await apiConnection(t, owner);
    expect((await owner.get("/api/first-run")).body.steps).toEqual({
      channel: true,
      team: false,
      hours: false,
      testMessage: false,
    });
    await converse(conn);
    const invite = await owner.post("/api/invitations", {
      email: `${unique("x")}@example.com`,
      role: "agent",
    });
    expect(invite.status, JSON.stringify(invite.body)).toBe(201);
    expect((await owner.get("/api/first-run")).body).toEqual({
      show: true,
      steps: { channel: true, team: true, hours: false, testMessage: true },
    });
    const hours = await owner.put("/api/hours/workspace", {
      timeZone: "Europe/Kyiv",
      weekly: [1, 2, 3, 4, 5].map((day) => ({ day, from: "09:00", to: "18:00" })),
    });
    expect(hours.status, JSON.stringify(hours.body)).toBe(200);
    expect((await owner.get("/api/first-run")).body).toEqual({
      show: false,
      steps: { channel: true, team: true, hours: true, testMessage: true },
    });

    // Dismissed by one person: gone for them, still shown to another in a workspace that is not done.
    const { owner: fresh } = await newWorkspace(t);
    const admin = await addUser(t, fresh, "admin");
    expect((await fresh.post("/api/first-run/dismiss", {})).status).toBe(204);
    expect((await fresh.get("/api/first-run")).body.show).toBe(false);
    expect((await admin.client.get("/api/first-run")).body).toMatchObject({
      show: true,
      steps: { team: true },
    });
  });
});
