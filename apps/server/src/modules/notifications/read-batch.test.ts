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
});
