import { describe, expect, it } from "vitest";
import { newWorkspace } from "../testing/harness";
import { useTestServer } from "../testing/use-test-server";
import { appendEvents, type EventDraft, readEvents } from "./store";

const t = useTestServer();

describe("the event log", () => {
  it("reads back what it appended, each event with its number, texts and audiences intact", async () => {
    const { workspaceId } = await newWorkspace(t);
    const at = new Date("2026-03-01T10:00:00.000Z");
    const drafts: EventDraft[] = [
      { type: "contact.erased", contactId: 'Anna "Ann" \\ Ånström ☕', byUserId: null },
      { type: "contact.erased", contactId: "second\nline", byUserId: "u-1", audience: { userIds: ["u-1"] } },
      { type: "contact.erased", contactId: "", byUserId: null },
    ];
    const before = await readEvents(t.db, workspaceId, 0, 1000);
    const { events } = await t.db.tx((tx) => appendEvents(tx, workspaceId, drafts, at));
    const after = before.at(-1)?.event.seq ?? 0;
    expect(events.map((e) => e.event.seq)).toEqual([after + 1, after + 2, after + 3]);
    // What the sockets get (the appended text with its number) is what a later reader gets.
    for (const e of events) expect(JSON.parse(e.json!)).toEqual(e.event);
    const read = await readEvents(t.db, workspaceId, after, 10);
    expect(read.map((r) => r.event)).toEqual(events.map((e) => e.event));
    expect(read.map((r) => r.audience)).toEqual([{}, { userIds: ["u-1"] }, {}]);
    // Up to a number, and from the middle.
    const middle = await readEvents(t.db, workspaceId, after + 1, 10, after + 2);
    expect(middle.map((r) => r.event.seq)).toEqual([after + 2]);
  });

  it("reads a row whose payload also holds its number as written before that moved to its own column", async () => {
    const { workspaceId } = await newWorkspace(t);
    const { events } = await t.db.tx((tx) =>
      appendEvents(
        tx,
        workspaceId,
        [{ type: "contact.erased", contactId: "c-9", byUserId: null }],
        new Date(),
      ),
    );
    const seq = events[0]!.event.seq;
    await t.db.query(
      "update events set payload = payload || jsonb_build_object('seq', seq) where workspace_id = $1 and seq = $2",
      [workspaceId, seq],
    );
    const [read] = await readEvents(t.db, workspaceId, seq - 1, 1);
    expect(read!.event).toEqual(events[0]!.event);
  });
});
