import { afterEach, describe, expect, it } from "vitest";
import { MovableClock } from "../../lib/time";
import { eventually } from "../../testing/eventually";
import {
  addUser,
  apiConnection,
  type Client,
  inbound,
  newWorkspace,
  type SocketClient,
  unique,
} from "../../testing/harness";
import { jobsSettled } from "../../testing/settled";
import { useTestServer } from "../../testing/use-test-server";

const clock = new MovableClock();
const t = useTestServer({ clock });
const sockets: SocketClient[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
});

/** An agent signed in with the realtime socket open: online for distribution. */
async function onlineAgent(owner: Client) {
  const agent = await addUser(t, owner, "agent", unique("agent"));
  const socket = await agent.client.socket(t.wsUrl);
  sockets.push(socket);
  await eventually(async () => {
    const r = await t.db.query("select 1 from presence_sockets where user_id = $1 and state = 'online'", [
      agent.id,
    ]);
    return r.length > 0;
  });
  return { ...agent, socket };
}

async function arrive(conn: Awaited<ReturnType<typeof apiConnection>>) {
  const r = await conn.post(inbound(unique("c"), "hello"));
  expect(r.status).toBe(200);
  return r.body.results[0].conversationId as string;
}

/** Who has a notification of this kind about this conversation. */
const notified = async (conversationId: string, kind: string) =>
  (
    await t.db.query<{ user_id: string }>(
      "select user_id from notifications where conversation_id = $1 and kind = $2 order by user_id",
      [conversationId, kind],
    )
  ).map((r) => r.user_id);

describe("notifications of conversations that distribution hands out", () => {
  it("notifies the assignee of a distributed conversation and not every agent; one left waiting notifies as without distribution", async () => {
    const { owner } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    const manual = await apiConnection(t, owner);
    const set = await owner.put(`/api/distribution/connections/${conn.id}`, { mode: "round_robin" });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    const a = await onlineAgent(owner);
    const b = await onlineAgent(owner);

    // Without distribution every agent (and the owner) hears of a new conversation: the reference.
    const queued = await arrive(manual);
    const everyone = await eventually(async () => {
      const ids = await notified(queued, "new_conversation");
      return ids.length >= 3 && ids;
    });
    expect(everyone).toEqual(expect.arrayContaining([a.id, b.id, owner.user!.id]));

    // Distributed: the assignee hears of the assignment, on their socket too; nobody of a new conversation.
    await jobsSettled(t.server);
    const fanouts = async () =>
      (
        await t.db.query<{ n: number }>(
          "select count(*)::int as n from jobs where type = 'notify.events' and workspace_id = $1",
          [owner.workspaceId],
        )
      )[0]!.n;
    const fanoutsBefore = await fanouts();
    const given = await arrive(conn);
    const assignee = await eventually(async () => {
      const [row] = await t.db.query<{ assignee_id: string | null }>(
        "select assignee_id from conversations where id = $1",
        [given],
      );
      return row!.assignee_id;
    });
    const to = [a, b].find((x) => x.id === assignee)!;
    const frame = await to.socket.waitForEvent(
      "notification.created",
      (e) => e.notification.kind === "assigned" && e.notification.conversationId === given,
    );
    expect(frame.notification.alert).toBe(true);
    await jobsSettled(t.server);
    expect(await notified(given, "assigned")).toEqual([assignee]);
    expect(await notified(given, "new_conversation")).toEqual([]);
    // Its arrival wrote no fan-out job (it notifies nobody); its assignment wrote one.
    expect(await fanouts()).toBe(fanoutsBefore + 1);

    // Nobody eligible (both on vacation): it waits in the queue and notifies the same people as the manual one.
    for (const x of [a, b])
      expect((await owner.put(`/api/distribution/agents/${x.id}`, { onVacation: true })).status).toBe(200);
    const waiting = await arrive(conn);
    await eventually(async () => (await notified(waiting, "new_conversation")).length === everyone.length);
    await jobsSettled(t.server);
    expect(await notified(waiting, "new_conversation")).toEqual(everyone);
    const [row] = await t.db.query<{ assignee_id: string | null }>(
      "select assignee_id from conversations where id = $1",
      [waiting],
    );
    expect(row!.assignee_id).toBeNull();
    expect(await notified(waiting, "assigned")).toEqual([]);
  });
});
