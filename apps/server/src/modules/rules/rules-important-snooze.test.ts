import { describe, expect, it } from "vitest";
import { MovableClock } from "../../lib/time";
import { eventually } from "../../testing/eventually";
import { apiConnection, type Client, inbound, newWorkspace, unique } from "../../testing/harness";
import { useTestServer } from "../../testing/use-test-server";

const clock = new MovableClock();
const t = useTestServer({ clock });

async function makeRule(owner: Client, rule: Record<string, unknown>) {
  const r = await owner.post("/api/rules", { name: unique("rule"), ...rule });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.rule as { id: string };
}
const runs = async (owner: Client, ruleId: string) =>
  (await owner.get(`/api/rules/${ruleId}/runs`)).body.runs as { outcome: string; reason: string | null }[];
const state = async (id: string) =>
  (
    await t.db.query<{ important_at: Date | null; snoozed_until: Date | null; snoozed_by: string | null }>(
      "select important_at, snoozed_until, snoozed_by from conversations where id = $1",
      [id],
    )
  )[0]!;

describe("rule actions: mark important and snooze", () => {
  it("a customer message marks the conversation important and snoozes it for the rule's time, as the rule", async () => {
    const { owner } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    const rule = await makeRule(owner, {
      trigger: "customer_message",
      conditions: { textContains: "later" },
      actions: [{ type: "mark_important" }, { type: "snooze", until: "for", minutes: 90 }],
    });
    clock.freeze();
    try {
      const r = await conn.post(inbound(unique("c"), "call me later please"));
      expect(r.status).toBe(200);
      const id = r.body.results[0].conversationId as string;
      const after = await eventually(async () => {
        const s = await state(id);
        return s.important_at && s.snoozed_until ? s : null;
      });
      expect(after.snoozed_until!.getTime()).toBe(clock.now().getTime() + 90 * 60_000);
      expect(after.snoozed_by).toBe(rule.id);
      expect(await runs(owner, rule.id)).toMatchObject([{ outcome: "matched", reason: null }]);
      const feed = await t.db.query<{ kind: string; by: string }>(
        "select event->>'kind' as kind, event->>'byUserId' as by from messages where conversation_id = $1 and kind = 'event' order by seq",
        [id],
      );
      expect(feed).toEqual([
        { kind: "marked_important", by: rule.id },
        { kind: "snoozed", by: rule.id },
      ]);
    } finally {
      clock.unfreeze();
    }
  });

  it("snoozes until the next opening of business hours, and fails in the log without them", async () => {
    const { owner } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    const rule = await makeRule(owner, {
      trigger: "conversation_created",
      actions: [{ type: "snooze", until: "next_opening" }, { type: "mark_important" }],
    });
    const first = (await conn.post(inbound(unique("c"), "hi"))).body.results[0].conversationId as string;
    const failed = await eventually(async () => {
      const list = await runs(owner, rule.id);
      return list[0]?.outcome === "failed" ? list[0] : null;
    });
    expect(failed.reason).toMatch(/^snooze: there are no business hours/);
    // The rule's other action still ran.
    expect((await state(first)).important_at).not.toBeNull();
    expect((await state(first)).snoozed_until).toBeNull();

    // Open Monday to Friday 09:00–18:00 in Kyiv; a Saturday noon conversation sleeps until Monday 09:00.
    const weekly = [1, 2, 3, 4, 5].map((day) => ({ day, from: "09:00", to: "18:00" }));
    expect((await owner.put("/api/hours/workspace", { timeZone: "Europe/Kyiv", weekly })).status).toBe(200);
    clock.freeze();
    clock.advance(Date.parse("2026-12-19T10:00:00.000Z") - clock.now().getTime());
    try {
      const second = (await conn.post(inbound(unique("c"), "hi"))).body.results[0].conversationId as string;
      const s = await eventually(async () => (await state(second)).snoozed_until);
      expect(s.toISOString()).toBe("2026-12-21T07:00:00.000Z");
    } finally {
      clock.unfreeze();
    }
  });

  it("refuses a snooze for a time without the time", async () => {
    const { owner } = await newWorkspace(t);
    const r = await owner.post("/api/rules", {
      name: unique("rule"),
      trigger: "customer_message",
      actions: [{ type: "snooze", until: "for" }],
    });
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.body)).toMatch(/for how long/);
    const tooLong = await owner.post("/api/rules", {
      name: unique("rule"),
      trigger: "customer_message",
      actions: [{ type: "snooze", until: "for", minutes: 60 * 24 * 31 }],
    });
    expect(tooLong.status).toBe(400);
  });
});
