import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppContext } from "../../context";
import { countingDb } from "../../testing/counting-db";
import { startSmtpSink } from "../../testing/fakes/email";
import { addUser, apiConnection, inbound, newWorkspace, unique } from "../../testing/harness";
import { jobsSettled } from "../../testing/settled";
import { useTestServer } from "../../testing/use-test-server";
import { type EventsPayload, fanOut } from "./fanout";

let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
beforeAll(async () => {
  smtp = await startSmtpSink({ notifier: "smtp-pass" });
});
afterAll(async () => {
  await smtp.close();
});

const t = useTestServer(() => ({
  env: {
    SMTP_HOST: smtp.host,
    SMTP_PORT: String(smtp.port),
    SMTP_USER: "notifier",
    SMTP_PASSWORD: "smtp-pass",
    SMTP_FROM: "Parley <parley@example.com>",
  },
}));

describe("the read-notification fan-out of a batch of read reports (R304)", () => {
  it("notifies exactly the authors the rules ask for, by email for important messages, in as many statements for 50 reports as for 5", async () => {
    const { owner, workspaceId } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    const authors = [
      await addUser(t, owner, "agent", unique("anna")),
      await addUser(t, owner, "agent", unique("boris")),
      await addUser(t, owner, "agent", unique("vera")),
    ];
    const conversations: string[] = [];
    for (const contact of [unique("c1"), unique("c2"), unique("c3")]) {
      const r = await conn.post(inbound(contact, "hello"));
      expect(r.status).toBe(200);
      conversations.push(r.body.results[0].conversationId as string);
    }
    // In the app for every message, by email for important ones, for everyone.
    const rules = await owner.put("/api/notification-rules/workspace", {
      rules: [
        { match: "all", means: ["inApp"], timing: "immediate", recipients: null },
        { match: "important", means: ["email"], timing: "immediate", recipients: null },
      ],
      policy: { readReceive: null, readManage: null },
    });
    expect(rules.status, JSON.stringify(rules.body)).toBe(200);
    // 55 sent messages by the three authors in turn; every fifth is important.
    const prefix = unique("pid");
    const messages: { id: string; author: string; important: boolean }[] = [];
    for (let i = 0; i < 55; i++) {
      const author = authors[i % 3]!;
      const [row] = await t.server.ctx.db.query<{ id: string }>(
        `insert into messages (workspace_id, conversation_id, connection_id, direction, kind, author_type, author_id,
           text, provider_message_id, delivery_state, queued_at, sent_at, created_at)
         values ($1, $2, $3, 'outbound', 'message', 'user', $4, $5, $6, 'sent', now(), now(), now()) returning id`,
        [workspaceId, conversations[i % 3], conn.id, author.id, `reply ${i}`, `${prefix}-${i}`],
      );
      const important = i % 5 === 0;
      if (important) {
        const marked = await author.client.put(`/api/messages/${row!.id}/important`, { important: true });
        expect(marked.status, JSON.stringify(marked.body)).toBe(200);
      }
      messages.push({ id: row!.id, author: author.id, important });
    }
    await jobsSettled(t.server);

    const reads = (from: number, to: number) => ({
      events: messages.slice(from, to).map((_, k) => ({
        type: "status",
        messageId: `${prefix}-${from + k}`,
        status: "read",
        timestamp: new Date().toISOString(),
      })),
    });
    const counter = countingDb(t.server.ctx.db);
    const ctx: AppContext = { ...t.server.ctx, db: counter.db };
    // The fan-out jobs the ingest transaction wrote, run here with the statements counted.
    const fanOutPending = async () => {
      const jobs = await t.server.ctx.db.query<{ payload: EventsPayload }>(
        "select payload from jobs where type = 'notify.events' and status = 'pending' and workspace_id = $1",
        [workspaceId],
      );
      expect(jobs.length).toBeGreaterThan(0);
      counter.take();
      await fanOut(
        ctx,
        workspaceId,
        jobs.map((j) => j.payload),
      );
      await t.server.ctx.db.query(
        "update jobs set status = 'done' where type = 'notify.events' and status = 'pending' and workspace_id = $1",
        [workspaceId],
      );
      return counter.take();
    };
    await t.server.ctx.jobs.stop();
    let small: number;
    let large: number;
    try {
      const few = await conn.post(reads(0, 5));
      expect(few.status, JSON.stringify(few.body)).toBe(200);
      small = await fanOutPending();
      const many = await conn.post(reads(5, 55));
      expect(many.status, JSON.stringify(many.body)).toBe(200);
      expect(many.body.results.every((r: { status: string }) => r.status === "updated")).toBe(true);
      large = await fanOutPending();
      // The same spans again (a retried job) notify nobody twice.
      await fanOut(ctx, workspaceId, [{ workspaceId, from: 1, to: 1_000_000 }]);
    } finally {
      t.server.ctx.jobs.start();
    }
    expect(small).toBeGreaterThan(0);
    expect(large).toBe(small);

    const notified = await t.server.ctx.db.query<{ user_id: string; message_id: string; id: string }>(
      "select id, user_id, message_id from notifications where kind = 'customer_read' and message_id = any($1::uuid[])",
      [messages.map((m) => m.id)],
    );
    // Each message's author once, nobody else.
    expect(notified.map((n) => `${n.message_id}:${n.user_id}`).sort()).toEqual(
      messages.map((m) => `${m.id}:${m.author}`).sort(),
    );
    const emails = await t.server.ctx.db.query<{ message_id: string; user_id: string; mode: string }>(
      `select n.message_id, d.user_id, d.mode from notification_deliveries d join notifications n on n.id = d.notification_id
       where d.means = 'email' and n.message_id = any($1::uuid[])`,
      [messages.map((m) => m.id)],
    );
    expect(emails.map((e) => `${e.message_id}:${e.user_id}:${e.mode}`).sort()).toEqual(
      messages
        .filter((m) => m.important)
        .map((m) => `${m.id}:${m.author}:batched`)
        .sort(),
    );
    // One batched email job per emailed notification.
    const jobs = await t.server.ctx.db.query<{ key: string }>(
      "select idempotency_key as key from jobs where type = 'notify.email' and idempotency_key = any($1::text[])",
      [notified.map((n) => `notify-email:${n.id}`)],
    );
    expect(jobs).toHaveLength(11);
    await jobsSettled(t.server);
  });
});
