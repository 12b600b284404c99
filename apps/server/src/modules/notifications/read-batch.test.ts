import { describe, expect, it } from "vitest";
import { addUser, apiConnection, inbound, newWorkspace, unique } from "../../testing/harness";
import { jobsSettled } from "../../testing/settled";
import { useTestServer } from "../../testing/use-test-server";

const t = useTestServer();

describe("read notifications of a batch of read reports (R304)", () => {
  it("applies each message's own facts to the rules, notifies each author once, and not again for a repeat", async () => {
    const { owner, workspaceId } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    const a = await addUser(t, owner, "agent", unique("anna"));
    const b = await addUser(t, owner, "agent", unique("boris"));
    // Two conversations, each with outgoing messages of both agents already sent under provider ids.
    const conversations: string[] = [];
    for (const contact of [unique("c1"), unique("c2")]) {
      const r = await conn.post(inbound(contact, "hello"));
      expect(r.status).toBe(200);
      conversations.push(r.body.results[0].conversationId as string);
    }
    const prefix = unique("pid");
    const plan = [
      { author: a, conversation: conversations[0]!, important: true },
      { author: b, conversation: conversations[0]!, important: false },
      { author: b, conversation: conversations[1]!, important: true },
      { author: a, conversation: conversations[1]!, important: false },
    ];
    const ids: string[] = [];
    for (const [i, p] of plan.entries()) {
      const [row] = await t.server.ctx.db.query<{ id: string }>(
        `insert into messages (workspace_id, conversation_id, connection_id, direction, kind, author_type, author_id,
           text, provider_message_id, delivery_state, queued_at, sent_at, created_at)
         values ($1, $2, $3, 'outbound', 'message', 'user', $4, $5, $6, 'sent', now(), now(), now()) returning id`,
        [workspaceId, p.conversation, conn.id, p.author.id, `reply ${i}`, `${prefix}-${i}`],
      );
      ids.push(row!.id);
      if (p.important) {
        const marked = await p.author.client.put(`/api/messages/${row!.id}/important`, { important: true });
        expect(marked.status, JSON.stringify(marked.body)).toBe(200);
      }
    }
    // Read notifications only for important messages, for everyone.
    const rules = await owner.put("/api/notification-rules/workspace", {
      rules: [{ match: "important", means: ["inApp"], timing: "immediate", recipients: null }],
      policy: { readReceive: null, readManage: null },
    });
    expect(rules.status, JSON.stringify(rules.body)).toBe(200);

    // One webhook: one ingest batch, one fan-out over all its read events.
    const at = new Date().toISOString();
    const batch = {
      events: plan.map((_, i) => ({
        type: "status",
        messageId: `${prefix}-${i}`,
        status: "read",
        timestamp: at,
      })),
    };
    const posted = await conn.post(batch);
    expect(posted.status, JSON.stringify(posted.body)).toBe(200);
    expect(posted.body.results.map((r: { status: string }) => r.status)).toEqual([
      "updated",
      "updated",
      "updated",
      "updated",
    ]);
    await jobsSettled(t.server);
    const notified = async () =>
      t.server.ctx.db.query<{ user_id: string; message_id: string; body: string }>(
        `select user_id, message_id, body from notifications
         where kind = 'customer_read' and message_id = any($1::uuid[]) order by body`,
        [ids],
      );
    expect(await notified()).toEqual([
      { user_id: a.id, message_id: ids[0], body: "reply 0" },
      { user_id: b.id, message_id: ids[2], body: "reply 2" },
    ]);
    // Each author sees their own notice in the centre.
    const centre = (await a.client.get("/api/notifications")).body.notifications;
    expect(centre.filter((n: { kind: string }) => n.kind === "customer_read")).toHaveLength(1);

    // The same reports again (a provider retrying) change nothing and notify nobody twice.
    const again = await conn.post(batch);
    expect(again.status).toBe(200);
    await jobsSettled(t.server);
    expect(await notified()).toHaveLength(2);
  });

  it("decides each report of a mixed batch on its own: receipts off, unknown ids, two reports of one message", async () => {
    const { owner, workspaceId } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    const a = await addUser(t, owner, "agent", unique("anna"));
    const conversations: string[] = [];
    for (const contact of [unique("c1"), unique("c2")]) {
      const r = await conn.post(inbound(contact, "hello"));
      conversations.push(r.body.results[0].conversationId as string);
    }
    // The second conversation keeps no read times.
    const off = await owner.put(`/api/conversations/${conversations[1]}/receipt-policy`, {
      readReceipts: false,
    });
    expect(off.status, JSON.stringify(off.body)).toBe(200);
    const prefix = unique("pid");
    const ids: string[] = [];
    for (const [i, conversation] of [conversations[0]!, conversations[1]!, conversations[0]!].entries()) {
      const [row] = await t.server.ctx.db.query<{ id: string }>(
        `insert into messages (workspace_id, conversation_id, connection_id, direction, kind, author_type, author_id,
           text, provider_message_id, delivery_state, queued_at, sent_at, created_at)
         values ($1, $2, $3, 'outbound', 'message', 'user', $4, $5, $6, 'sent', now(), now(), now()) returning id`,
        [workspaceId, conversation, conn.id, a.id, `reply ${i}`, `${prefix}-${i}`],
      );
      ids.push(row!.id);
    }
    // The third message is the first conversation's last: its list row shows its state.
    await t.server.ctx.db.query("update conversations set last_message_id = $2 where id = $1", [
      conversations[0],
      ids[2],
    ]);
    const rules = await owner.put("/api/notification-rules/workspace", {
      rules: [{ match: "all", means: ["inApp"], timing: "immediate", recipients: null }],
      policy: { readReceive: null, readManage: null },
    });
    expect(rules.status, JSON.stringify(rules.body)).toBe(200);

    const at = "2026-01-01T10:00:00.000Z";
    const status = (messageId: string, s: string) => ({
      type: "status",
      messageId,
      status: s,
      timestamp: at,
    });
    const posted = await conn.post({
      events: [
        status(`${prefix}-0`, "read"),
        status(`${prefix}-1`, "read"),
        status(`${prefix}-unknown-a`, "delivered"),
        status(`${prefix}-2`, "delivered"),
        status(`${prefix}-2`, "read"),
        status(`${prefix}-unknown-b`, "read"),
      ],
    });
    expect(posted.status, JSON.stringify(posted.body)).toBe(200);
    expect(posted.body.results.map((r: { status: string }) => r.status)).toEqual([
      "updated",
      "updated",
      "unknown_message",
      "updated",
      "updated",
      "unknown_message",
    ]);
    const states = await t.server.ctx.db.query<{ id: string; delivery_state: string; read_at: Date | null }>(
      "select id, delivery_state, read_at from messages where id = any($1::uuid[])",
      [ids],
    );
    const byId = new Map(states.map((r) => [r.id, r]));
    expect(byId.get(ids[0]!)).toMatchObject({ delivery_state: "read", read_at: new Date(at) });
    // Receipts off: the read report only says it arrived.
    expect(byId.get(ids[1]!)).toMatchObject({ delivery_state: "delivered", read_at: null });
    expect(byId.get(ids[2]!)).toMatchObject({ delivery_state: "read", read_at: new Date(at) });
    const [list] = await t.server.ctx.db.query<{ last_outbound_state: string }>(
      "select last_outbound_state from conversations where id = $1",
      [conversations[0]],
    );
    expect(list!.last_outbound_state).toBe("read");
    // Reports of unknown ids are kept, each with its own state, for when the send is recorded.
    const early = await t.server.ctx.db.query<{ provider_message_id: string; state: string }>(
      "select provider_message_id, state from early_receipts where provider_message_id like $1 order by 1",
      [`${prefix}-unknown-%`],
    );
    expect(early).toEqual([
      { provider_message_id: `${prefix}-unknown-a`, state: "delivered" },
      { provider_message_id: `${prefix}-unknown-b`, state: "read" },
    ]);
    await jobsSettled(t.server);
    const notified = await t.server.ctx.db.query<{ message_id: string }>(
      "select message_id from notifications where kind = 'customer_read' and user_id = $1 order by body",
      [a.id],
    );
    expect(notified.map((n) => n.message_id)).toEqual([ids[0], ids[2]]);
  });
});
