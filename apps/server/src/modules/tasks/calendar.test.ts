import { describe, expect, it } from "vitest";
import { addUser, apiConnection, inbound, newWorkspace, unique } from "../../testing/harness";
import { useTestServer } from "../../testing/use-test-server";

const t = useTestServer();

/** A calendar's period: tasks due in it, events overlapping it, reminders set in it, by their time in it. */
describe("tasks in a calendar period", () => {
  it("lists what falls in the period by its first time in it, done ones too when asked, and only the caller's", async () => {
    const { owner } = await newWorkspace(t);
    const agent = await addUser(t, owner, "agent", unique("cal"));
    const conn = await apiConnection(t, owner);
    const conversationId = (await conn.post(inbound(unique("c"), "hello"))).body.results[0]
      .conversationId as string;
    const make = async (body: Record<string, unknown>) => {
      const r = await owner.post("/api/tasks", { conversationId, ...body });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      return r.body.task.id as string;
    };
    const due = await make({ title: "Send the invoice", dueAt: "2031-03-10T09:00:00Z" });
    const event = await make({
      kind: "event",
      title: "Trade fair",
      dueAt: "2031-02-27T08:00:00Z",
      endsAt: "2031-03-02T18:00:00Z",
    });
    const reminder = await make({
      kind: "reminder",
      title: "Ask about the parcel",
      remindAt: "2031-03-05T07:30:00Z",
    });
    const remindedTask = await make({
      title: "Quote for the wholesale order",
      dueAt: "2031-04-02T12:00:00Z",
      remindAt: "2031-03-31T08:00:00Z",
    });
    const done = await make({ title: "Done already", dueAt: "2031-03-20T10:00:00Z" });
    expect((await owner.patch(`/api/tasks/${done}`, { done: true })).status).toBe(200);
    await make({ title: "Next month", dueAt: "2031-04-10T09:00:00Z" });
    await make({ title: "Someone else's", dueAt: "2031-03-11T09:00:00Z", assigneeId: agent.id });

    const march = "from=2031-03-01T00:00:00Z&to=2031-04-01T00:00:00Z";
    const open = await owner.get(`/api/tasks?${march}`);
    expect(open.status).toBe(200);
    expect(open.body.tasks.map((x: { id: string }) => x.id)).toEqual([event, reminder, due, remindedTask]);
    const all = await owner.get(`/api/tasks?${march}&status=all`);
    expect(all.body.tasks.map((x: { id: string }) => x.id)).toEqual([
      event,
      reminder,
      due,
      done,
      remindedTask,
    ]);
    // The agent sees their own task only.
    const theirs = await agent.client.get(`/api/tasks?${march}`);
    expect(theirs.body.tasks.map((x: { title: string }) => x.title)).toEqual(["Someone else's"]);
  });

  it("refuses a period without an end, ending before it starts or longer than 62 days, saying why", async () => {
    const { owner } = await newWorkspace(t);
    for (const [query, words] of [
      ["from=2031-03-01T00:00:00Z", "needs both"],
      ["to=2031-03-01T00:00:00Z", "needs both"],
      ["from=2031-03-02T00:00:00Z&to=2031-03-01T00:00:00Z", "end after it starts"],
      ["from=2031-01-01T00:00:00Z&to=2031-04-01T00:00:00Z", "at most 62 days"],
      ["from=yesterday&to=2031-04-01T00:00:00Z", ""],
    ] as const) {
      const r = await owner.get(`/api/tasks?${query}`);
      expect(r.status, query).toBe(400);
      expect(r.body.error.code).toBe("validation_failed");
      expect(JSON.stringify(r.body.error)).toContain(words);
    }
  });
});
