import { describe, expect, it } from "vitest";
import { Schedule } from "../../jobs/schedule";
import { scheduledTasks } from "../../jobs/scheduled-tasks";
import { MovableClock } from "../../lib/time";
import { eventually } from "../../testing/eventually";
import { addUser, apiConnection, type Client, inbound, newWorkspace, unique } from "../../testing/harness";
import { useTestServer } from "../../testing/use-test-server";
import { wakeDueSnoozes } from "./commands/wake-snoozed";

const clock = new MovableClock();
const t = useTestServer({ clock });

type Conn = Awaited<ReturnType<typeof apiConnection>>;
interface Conv {
  id: string;
  status: string;
  important?: boolean;
  snoozedUntil?: string | null;
}

async function converse(conn: Conn, contact = unique("c")) {
  const r = await conn.post(inbound(contact, "hello"));
  expect(r.status).toBe(200);
  return r.body.results[0].conversationId as string;
}
async function ids(client: Client, query: string) {
  const r = await client.get<{ conversations: Conv[] }>(`/api/conversations?${query}`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.conversations.map((c) => c.id).sort();
}
const DEFAULT_VIEW = "status=open,in_progress&snoozed=false";
const lines = async (conversationId: string, kind: string) =>
  (
    await t.db.query<{ event: Record<string, unknown> }>(
      "select event from messages where conversation_id = $1 and kind = 'event' and event->>'kind' = $2 order by seq",
      [conversationId, kind],
    )
  ).map((r) => r.event);
async function views(client: Client) {
  const r = await client.get<{ views: { key: string; unread: number; waiting: number }[] }>(
    "/api/inbox/views",
  );
  expect(r.status).toBe(200);
  return Object.fromEntries(r.body.views.map((v) => [v.key, v]));
}
const snooze = (client: Client, id: string, body: unknown) =>
  client.put<{ conversation: Conv; error?: { message: string } }>(`/api/conversations/${id}/snooze`, body);

describe("important conversations", () => {
  it("marks a conversation important for the team: a feed line, conversation.updated, the filter and the view's count", async () => {
    const { owner } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    const starred = await converse(conn);
    const plain = await converse(conn);
    const socket = await owner.socket(t.wsUrl);
    try {
      const r = await owner.put<{ conversation: Conv }>(`/api/conversations/${starred}/important`, {
        important: true,
      });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body.conversation.important).toBe(true);
      const event = await socket.waitForEvent(
        "conversation.updated",
        (e) => e.conversationId === starred && e.conversation.important === true,
      );
      expect(event.conversation.snoozedUntil).toBeNull();
    } finally {
      socket.close();
    }
    expect(await lines(starred, "marked_important")).toEqual([
      { kind: "marked_important", byUserId: owner.user!.id },
    ]);
    // Marking it again changes nothing and writes no second line.
    expect((await owner.put(`/api/conversations/${starred}/important`, { important: true })).status).toBe(
      200,
    );
    expect(await lines(starred, "marked_important")).toHaveLength(1);

    expect(await ids(owner, "important=true")).toEqual([starred]);
    expect(await ids(owner, "important=false")).toEqual([plain]);
    // Both are unread and waiting: the Important view counts the starred one only.
    expect((await views(owner)).important).toMatchObject({ unread: 1, waiting: 1 });
    expect((await owner.get(`/api/conversations/${starred}`)).body.conversation.important).toBe(true);

    const off = await owner.put<{ conversation: Conv }>(`/api/conversations/${starred}/important`, {
      important: false,
    });
    expect(off.body.conversation.important).toBe(false);
    expect(await lines(starred, "unmarked_important")).toHaveLength(1);
    expect(await ids(owner, "important=true")).toEqual([]);
    expect((await views(owner)).important).toMatchObject({ unread: 0, waiting: 0 });
  });

  it("needs the right to change the status; another workspace's or a hidden conversation is not found; bad bodies are refused", async () => {
    const { owner } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    const id = await converse(conn);
    const agent = await addUser(t, owner, "agent");
    // In the queue the agent handles it like its status.
    expect((await agent.client.put(`/api/conversations/${id}/important`, { important: true })).status).toBe(
      200,
    );
    // Assigned to the owner: the agent no longer sees it.
    expect((await owner.post(`/api/conversations/${id}/assign`, { assigneeId: owner.user!.id })).status).toBe(
      200,
    );
    expect((await agent.client.put(`/api/conversations/${id}/important`, { important: false })).status).toBe(
      404,
    );
    expect((await snooze(agent.client, id, { preset: "hour" })).status).toBe(404);
    expect((await agent.client.delete(`/api/conversations/${id}/snooze`)).status).toBe(404);
    const other = await newWorkspace(t);
    expect((await other.owner.put(`/api/conversations/${id}/important`, { important: false })).status).toBe(
      404,
    );
    expect((await snooze(other.owner, id, { preset: "hour" })).status).toBe(404);
    const bad = await owner.put(`/api/conversations/${id}/important`, { important: "yes" });
    expect(bad.status).toBe(400);
    expect(
      (
        await t.db.query<{ important_at: Date | null }>(
          "select important_at from conversations where id = $1",
          [id],
        )
      )[0]!.important_at,
    ).not.toBeNull();
  });
});

describe("snoozing", () => {
  it("leaves the default views for the Snoozed view with its time, refuses bad times, and ends by hand", async () => {
    const { owner } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    const id = await converse(conn);
    const other = await converse(conn);
    const until = new Date(clock.now().getTime() + 2 * 3600_000).toISOString();
    const r = await snooze(owner, id, { until });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.conversation).toMatchObject({ status: "open", snoozedUntil: until });
    expect(await ids(owner, DEFAULT_VIEW)).toEqual([other]);
    expect(await ids(owner, "status=open,in_progress&snoozed=true")).toEqual([id]);
    const counts = await views(owner);
    expect(counts.all).toMatchObject({ unread: 1, waiting: 1 });
    expect(counts.snoozed).toMatchObject({ unread: 1, waiting: 1 });
    expect(await lines(id, "snoozed")).toEqual([{ kind: "snoozed", byUserId: owner.user!.id, until }]);

    const past = await snooze(owner, id, { until: new Date(clock.now().getTime() - 60_000).toISOString() });
    expect(past.status).toBe(400);
    expect(past.body.error?.message).toMatch(/in the future/);
    const far = await snooze(owner, id, {
      until: new Date(clock.now().getTime() + 400 * 86_400_000).toISOString(),
    });
    expect(far.status).toBe(400);
    expect(far.body.error?.message).toMatch(/at most a year/);
    expect((await snooze(owner, id, {})).status).toBe(400);
    expect((await snooze(owner, id, { until, preset: "hour" })).status).toBe(400);
    expect((await snooze(owner, id, { preset: "tomorrow", timeZone: "Mars/Olympus" })).status).toBe(400);
    expect((await snooze(owner, id, { preset: "someday" })).status).toBe(400);

    const back = await owner.delete<{ conversation: Conv }>(`/api/conversations/${id}/snooze`);
    expect(back.status).toBe(200);
    expect(back.body.conversation.snoozedUntil).toBeNull();
    expect(await lines(id, "unsnoozed")).toEqual([
      { kind: "unsnoozed", byUserId: owner.user!.id, reason: "manual" },
    ]);
    expect(await ids(owner, DEFAULT_VIEW)).toEqual([id, other].sort());

    // Closing ends a snooze; a closed conversation cannot be snoozed.
    expect((await snooze(owner, id, { preset: "hour" })).status).toBe(200);
    expect((await owner.post(`/api/conversations/${id}/status`, { status: "closed" })).status).toBe(200);
    expect((await owner.get(`/api/conversations/${id}`)).body.conversation.snoozedUntil).toBeNull();
    const closed = await snooze(owner, id, { preset: "hour" });
    expect(closed.status).toBe(409);
    expect(closed.body.error?.message).toMatch(/reopen it first/);
  });

  it("works presets out against the business hours, else 09:00 in the agent's time zone", async () => {
    // Wednesday 2026-12-16, 15:00 UTC: 17:00 in Kyiv, 10:00 in New York.
    const wednesday = Date.parse("2026-12-16T15:00:00.000Z");
    clock.freeze();
    clock.advance(wednesday - clock.now().getTime());
    try {
      const { owner } = await newWorkspace(t);
      const conn = await apiConnection(t, owner);
      const id = await converse(conn);
      const at = async (body: unknown) => {
        const r = await snooze(owner, id, body);
        expect(r.status, JSON.stringify(r.body)).toBe(200);
        return r.body.conversation.snoozedUntil;
      };
      expect(await at({ preset: "hour" })).toBe("2026-12-16T16:00:00.000Z");
      expect(await at({ preset: "tomorrow", timeZone: "America/New_York" })).toBe("2026-12-17T14:00:00.000Z");
      expect(await at({ preset: "next_week", timeZone: "America/New_York" })).toBe(
        "2026-12-21T14:00:00.000Z",
      );
      expect(await at({ preset: "tomorrow" })).toBe("2026-12-17T09:00:00.000Z");
      const weekdays = [1, 2, 3, 4, 5].map((day) => ({ day, from: "10:00", to: "18:00" }));
      const hours = await owner.put("/api/hours/workspace", { timeZone: "Europe/Kyiv", weekly: weekdays });
      expect(hours.status, JSON.stringify(hours.body)).toBe(200);
      // The hours' opening and their time zone, whatever the agent's.
      expect(await at({ preset: "tomorrow", timeZone: "America/New_York" })).toBe("2026-12-17T08:00:00.000Z");
      expect(await at({ preset: "next_week" })).toBe("2026-12-21T08:00:00.000Z");
    } finally {
      clock.unfreeze();
    }
  });

  it("wakes at its time once, however many workers run the task, and tells the responsible agent", async () => {
    const { owner } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    const agent = await addUser(t, owner, "agent");
    const id = await converse(conn);
    expect((await owner.post(`/api/conversations/${id}/assign`, { assigneeId: agent.id })).status).toBe(200);
    const until = new Date(clock.now().getTime() + 10 * 60_000);
    expect((await snooze(agent.client, id, { until: until.toISOString() })).status).toBe(200);
    // Not yet due: a run leaves it snoozed.
    await wakeDueSnoozes(t.server.ctx);
    expect((await agent.client.get(`/api/conversations/${id}`)).body.conversation.snoozedUntil).toBe(
      until.toISOString(),
    );

    const socket = await agent.client.socket(t.wsUrl);
    try {
      clock.advance(11 * 60_000);
      // Two workers' schedules claim the same slot, and two sweeps run at once besides.
      const task = scheduledTasks(t.server.ctx).find((x) => x.name === "snooze-wake")!;
      const errors: unknown[] = [];
      const one = new Schedule(t.db, clock, [task], (err) => errors.push(err));
      const two = new Schedule(t.db, clock, [task], (err) => errors.push(err));
      const [a, b, c, d] = await Promise.all([
        one.tick(),
        two.tick(),
        wakeDueSnoozes(t.server.ctx),
        wakeDueSnoozes(t.server.ctx),
      ]);
      expect(errors).toEqual([]);
      // At most one schedule ran the slot (the server's own may have taken it first).
      expect(a.length + b.length).toBeLessThanOrEqual(1);
      expect(c + d).toBeLessThanOrEqual(1);
      await socket.waitForEvent(
        "conversation.updated",
        (e) => e.conversationId === id && e.conversation.snoozedUntil === null,
      );
      await socket.waitForEvent(
        "notification.created",
        (e) => e.notification.conversationId === id && e.notification.kind === "snooze_ended",
      );
    } finally {
      socket.close();
    }
    expect(await lines(id, "unsnoozed")).toEqual([{ kind: "unsnoozed", byUserId: null, reason: "time" }]);
    const notes = await t.db.query<{ kind: string }>(
      "select kind from notifications where conversation_id = $1 and user_id = $2 and kind = 'snooze_ended'",
      [id, agent.id],
    );
    expect(notes).toHaveLength(1);
    expect(await ids(agent.client, `${DEFAULT_VIEW}&mine=true`)).toEqual([id]);
    // A later run finds nothing to wake.
    expect(await wakeDueSnoozes(t.server.ctx)).toBe(0);
    expect(await lines(id, "unsnoozed")).toHaveLength(1);
  });

  it("wakes at once when the customer writes", async () => {
    const { owner } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    const contact = unique("c");
    const id = await converse(conn, contact);
    expect((await snooze(owner, id, { preset: "next_week" })).status).toBe(200);
    const socket = await owner.socket(t.wsUrl);
    try {
      expect((await conn.post(inbound(contact, "any news?"))).status).toBe(200);
      await socket.waitForEvent(
        "conversation.updated",
        (e) => e.conversationId === id && e.conversation.snoozedUntil === null,
      );
    } finally {
      socket.close();
    }
    expect(await lines(id, "unsnoozed")).toEqual([
      { kind: "unsnoozed", byUserId: null, byContact: true, reason: "customer" },
    ]);
    expect(await ids(owner, DEFAULT_VIEW)).toEqual([id]);
    // Once woken, the customer's next message writes no second line.
    expect((await conn.post(inbound(contact, "hello?"))).status).toBe(200);
    expect(await lines(id, "unsnoozed")).toHaveLength(1);
  });
});

describe("bulk: important and snooze", () => {
  it("marks, snoozes and unmarks the selected conversations in the background", async () => {
    const { owner } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    const a = await converse(conn);
    const b = await converse(conn);
    const run = async (body: Record<string, unknown>) => {
      const r = await owner.post("/api/conversations/bulk", { ids: [a, b], ...body });
      expect(r.status, JSON.stringify(r.body)).toBe(202);
      const opId = r.body.operation.id as string;
      return eventually(async () => {
        const op = (await owner.get(`/api/bulk-operations/${opId}`)).body.operation;
        return op.status === "completed" ? op : null;
      });
    };
    expect(await run({ action: "mark_important" })).toMatchObject({ done: 2, failed: 0 });
    expect(await ids(owner, "important=true")).toEqual([a, b].sort());
    expect(await run({ action: "snooze", snooze: { preset: "hour" } })).toMatchObject({ done: 2, failed: 0 });
    expect(await ids(owner, "snoozed=true")).toEqual([a, b].sort());
    expect(await ids(owner, DEFAULT_VIEW)).toEqual([]);
    expect(await run({ action: "unmark_important" })).toMatchObject({ done: 2 });
    expect(await ids(owner, "important=true")).toEqual([]);
    const missing = await owner.post("/api/conversations/bulk", { ids: [a], action: "snooze" });
    expect(missing.status).toBe(400);
  });
});
