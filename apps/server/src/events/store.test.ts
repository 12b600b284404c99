import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { newWorkspace } from "../testing/harness";
import { useTestServer } from "../testing/use-test-server";
import { appendEvents, currentSeq, type EventDraft, readEvents } from "./store";

const t = useTestServer();

describe("the event log", () => {
  it("reads back what it appended, each event with its number, texts and audiences intact", async () => {
    const { workspaceId } = await newWorkspace(t);
    const at = new Date("2026-03-01T10:00:00.000Z");
    const conversationId = crypto.randomUUID();
    const drafts: EventDraft[] = [
      { type: "contact.erased", contactId: 'Anna "Ann" \\ Ånström ☕', byUserId: null },
      { type: "conversation.deleted", conversationId, byUserId: "u-1", audience: { userIds: ["u-1"] } },
      { type: "contact.erased", contactId: "second\nline", byUserId: null },
    ];
    const after = await currentSeq(t.db, workspaceId);
    const { events } = await t.db.tx((tx) => appendEvents(tx, workspaceId, drafts, at));
    expect(events.map((e) => e.event.seq)).toEqual([after + 1, after + 2, after + 3]);
    // What the sockets get (the appended text with its number) is what a later reader gets.
    for (const e of events) expect(JSON.parse(e.json!)).toEqual(e.event);
    const read = await readEvents(t.db, workspaceId, after, 10);
    expect(read.map((r) => r.event)).toEqual(events.map((e) => e.event));
    expect(read.map((r) => r.audience)).toEqual([{}, { userIds: ["u-1"] }, {}]);
    // Each row's columns line up with its own payload, which is stored as written: the event without its number,
    // which readers take from the column.
    const rows = await t.db.query<{
      seq: number;
      type: string;
      conversation_id: string | null;
      payload: string;
    }>(
      `select seq, type, conversation_id, payload::text as payload
       from events where workspace_id = $1 and seq > $2 order by seq`,
      [workspaceId, after],
    );
    expect(rows.map(({ payload: _p, ...columns }) => columns)).toEqual([
      { seq: after + 1, type: "contact.erased", conversation_id: null },
      { seq: after + 2, type: "conversation.deleted", conversation_id: conversationId },
      { seq: after + 3, type: "contact.erased", conversation_id: null },
    ]);
    for (const [i, row] of rows.entries()) {
      const { seq: _seq, ...withoutNumber } = events[i]!.event;
      expect(JSON.parse(row.payload)).toEqual(withoutNumber);
      expect(JSON.parse(row.payload)).not.toHaveProperty("seq");
    }
    // Up to a number, and from the middle.
    const middle = await readEvents(t.db, workspaceId, after + 1, 10, after + 2);
    expect(middle.map((r) => r.event.seq)).toEqual([after + 2]);
  });

  it("reads an event written by an earlier release the same: its number comes from the column", async () => {
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
    // Earlier releases wrote a jsonb document with the number merged in: written the same way here (jsonb into
    // the json column), with a different number inside, which the column must win over.
    await t.db.query(
      `update events set payload = payload::jsonb || jsonb_build_object('seq', seq + 1000)
       where workspace_id = $1 and seq = $2`,
      [workspaceId, seq],
    );
    const [stored] = await t.db.query<{ n: string }>(
      "select payload ->> 'seq' as n from events where workspace_id = $1 and seq = $2",
      [workspaceId, seq],
    );
    expect(stored!.n).toBe(String(seq + 1000));
    const [read] = await readEvents(t.db, workspaceId, seq - 1, 1);
    expect(read!.event).toEqual(events[0]!.event);
    expect(read!.event.seq).toBe(seq);
  });

  it("appends nothing for a workspace that does not exist: the statement's own update of its row says so", async () => {
    const missing = crypto.randomUUID();
    const append = t.db.tx((tx) =>
      appendEvents(tx, missing, [{ type: "contact.erased", contactId: "c-1", byUserId: null }], new Date()),
    );
    await expect(append).rejects.toThrow(`workspace ${missing} vanished while writing events`);
    const rows = await t.db.query<{ n: number }>(
      "select count(*)::int as n from events where workspace_id = $1",
      [missing],
    );
    expect(rows[0]!.n).toBe(0);
  });
});
