import { describe, expect, it } from "vitest";
import { eventually } from "../../testing/eventually";
import { addUser, apiConnection, inbound, newWorkspace, unique } from "../../testing/harness";
import { useTestServer } from "../../testing/use-test-server";

const t = useTestServer();

async function setup() {
  const { owner } = await newWorkspace(t);
  const conn = await apiConnection(t, owner);
  const r = await conn.post(inbound(unique("c"), "hello"));
  return { owner, id: r.body.results[0].conversationId as string };
}

const inMs = (ms: number) => new Date(Date.now() + ms).toISOString();

describe("tasks", () => {
  it("creates tasks, events and reminders from a conversation and lists mine by due time", async () => {
    const { owner, id } = await setup();
    const later = await owner.post("/api/tasks", {
      title: "Call back",
      conversationId: id,
      dueAt: inMs(86_400_000),
    });
    expect(later.status, JSON.stringify(later.body)).toBe(201);
    expect(later.body.task).toMatchObject({
      kind: "task",
      conversationId: id,
      assigneeId: owner.user!.id,
      doneAt: null,
    });
    expect(later.body.task.contactId).toBeTruthy();
    const soon = await owner.post("/api/tasks", {
      kind: "event",
      title: "Demo",
      dueAt: inMs(3_600_000),
      endsAt: inMs(7_200_000),
    });
    expect(soon.status).toBe(201);
    const list = await owner.get("/api/tasks");
    expect(list.body.tasks.map((x: { title: string }) => x.title)).toEqual(["Demo", "Call back"]);
    const forConv = await owner.get(`/api/tasks?conversationId=${id}`);
    expect(forConv.body.tasks.map((x: { title: string }) => x.title)).toEqual(["Call back"]);

    const done = await owner.patch(`/api/tasks/${later.body.task.id}`, { done: true });
    expect(done.body.task.doneAt).toBeTruthy();
    expect((await owner.get("/api/tasks")).body.tasks).toHaveLength(1);
    expect((await owner.get("/api/tasks?status=done")).body.tasks[0].id).toBe(later.body.task.id);
    expect((await owner.delete(`/api/tasks/${soon.body.task.id}`)).status).toBe(204);
    expect((await owner.get("/api/tasks")).body.tasks).toHaveLength(0);
  });

  it("refuses what makes no sense, with a reason", async () => {
    const { owner } = await setup();
    const noTime = await owner.post("/api/tasks", { kind: "reminder", title: "x" });
    expect(noTime.status).toBe(400);
    expect(noTime.body.error.message).toMatch(/reminder needs a time/);
    const backwards = await owner.post("/api/tasks", {
      kind: "event",
      title: "x",
      dueAt: inMs(7_200_000),
      endsAt: inMs(3_600_000),
    });
    expect(backwards.body.error.message).toMatch(/cannot end before it starts/);
    expect((await owner.post("/api/tasks", { title: "" })).status).toBe(400);
  });

  it("keeps tasks to their assignee, author and supervisors; another workspace sees none", async () => {
    const { owner, id } = await setup();
    const agent = await addUser(t, owner, "agent");
    const other = await addUser(t, owner, "agent");
    const forAgent = await owner.post("/api/tasks", { title: "For the agent", assigneeId: agent.id });
    expect(forAgent.status).toBe(201);
    expect((await agent.client.get("/api/tasks")).body.tasks.map((x: { id: string }) => x.id)).toEqual([
      forAgent.body.task.id,
    ]);
    expect((await other.client.get("/api/tasks")).body.tasks).toHaveLength(0);
    expect((await other.client.patch(`/api/tasks/${forAgent.body.task.id}`, { done: true })).status).toBe(
      404,
    );
    expect((await other.client.get("/api/tasks?scope=all")).status).toBe(403);
    expect((await owner.get("/api/tasks?scope=all")).body.tasks).toHaveLength(1);
    // An agent cannot attach a task to a conversation they cannot see.
    await owner.post(`/api/conversations/${id}/assign`, { assigneeId: owner.user!.id });
    expect((await other.client.post("/api/tasks", { title: "x", conversationId: id })).status).toBe(404);

    const stranger = await newWorkspace(t);
    expect((await stranger.owner.delete(`/api/tasks/${forAgent.body.task.id}`)).status).toBe(404);
    const foreign = await stranger.owner.post("/api/tasks", { title: "x", assigneeId: agent.id });
    expect(foreign.status).toBe(400);
  });

  it("reminds the assignee on their socket at the reminder time, once; a moved reminder fires at the new time", async () => {
    const { owner, id } = await setup();
    const socket = await owner.socket(t.wsUrl);
    try {
      const created = await owner.post("/api/tasks", {
        kind: "reminder",
        title: "Напомнить клиенту",
        conversationId: id,
        dueAt: inMs(60_000),
      });
      // Moved to a second from now: the first schedule does nothing, the new one fires.
      const moved = await owner.patch(`/api/tasks/${created.body.task.id}`, { remindAt: inMs(1000) });
      expect(moved.status, JSON.stringify(moved.body)).toBe(200);
      const event = await socket.waitForEvent(
        "task.reminder",
        (e) => e.task.id === created.body.task.id,
        10_000,
      );
      expect(event.task).toMatchObject({ title: "Напомнить клиенту", conversationId: id });
      expect(event.task.remindedAt).toBeTruthy();
      const after = (await owner.get("/api/tasks")).body.tasks[0];
      expect(after.remindedAt).toBeTruthy();

      // A reminder already done when its time comes stays silent.
      const quiet = await owner.post("/api/tasks", { kind: "reminder", title: "quiet", dueAt: inMs(800) });
      await owner.patch(`/api/tasks/${quiet.body.task.id}`, { done: true });
      // Its reminder job ran at the time and decided: nothing to tell.
      await eventually(async () => {
        const [job] = await t.server.ctx.db.query<{ status: string }>(
          "select status from jobs where type = 'task.reminder' and payload->>'taskId' = $1",
          [quiet.body.task.id],
        );
        expect(job?.status).toBe("done");
        return true;
      });
      const [row] = await t.server.ctx.db.query<{ reminded_at: Date | null }>(
        "select reminded_at from tasks where id = $1",
        [quiet.body.task.id],
      );
      expect(row!.reminded_at).toBeNull();
    } finally {
      socket.close();
    }
  });
});

describe("contact links", () => {
  it("links two contacts from either side, once; unlinking keeps both contacts", async () => {
    const { owner } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    await conn.post(inbound(unique("a"), "hi"));
    await conn.post(inbound(unique("b"), "hi"));
    const contacts = (await owner.get("/api/contacts")).body.contacts as { id: string }[];
    const [a, b] = contacts.map((c) => c.id) as [string, string];
    expect((await owner.put(`/api/contacts/${a}/links/${b}`)).status).toBe(200);
    expect((await owner.put(`/api/contacts/${b}/links/${a}`)).status).toBe(200);
    expect(
      (await owner.get(`/api/contacts/${a}/links`)).body.contacts.map((c: { id: string }) => c.id),
    ).toEqual([b]);
    expect(
      (await owner.get(`/api/contacts/${b}/links`)).body.contacts.map((c: { id: string }) => c.id),
    ).toEqual([a]);
    expect((await owner.put(`/api/contacts/${a}/links/${a}`)).status).toBe(400);

    const stranger = await newWorkspace(t);
    expect((await stranger.owner.put(`/api/contacts/${a}/links/${b}`)).status).toBe(404);
    expect((await stranger.owner.delete(`/api/contacts/${a}/links/${b}`)).status).toBe(404);

    expect((await owner.delete(`/api/contacts/${b}/links/${a}`)).status).toBe(204);
    expect((await owner.get(`/api/contacts/${a}/links`)).body.contacts).toEqual([]);
    expect((await owner.get(`/api/contacts/${b}`)).status).toBe(200);
    expect((await owner.delete(`/api/contacts/${b}/links/${a}`)).status).toBe(404);
  });
});
