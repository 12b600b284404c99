import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { transact } from "../../context";
import { TEST_DB } from "../../testing/db";
import { eventually } from "../../testing/eventually";
import { apiConnection, inbound, newWorkspace, unique } from "../../testing/harness";
import { holdLock } from "../../testing/hold-lock";
import { startReceiver } from "../../testing/outbound-receiver";
import { useTestServer } from "../../testing/use-test-server";
import { lockProviderIds } from "../messages/provider-id-lock";
import { ingestStatuses } from "./ingest-statuses";

let receiver: Awaited<ReturnType<typeof startReceiver>>;
const secrets: string[] = [];
beforeAll(async () => {
  receiver = await startReceiver(() => secrets.at(-1) ?? "");
});
afterAll(async () => {
  await receiver.close();
});
const t = useTestServer();

// Two transactions at once need two connections: PostgreSQL (the embedded database runs one at a time).
describe.runIf(TEST_DB === "postgres")(
  "a delivery report racing the send that records its provider id",
  () => {
    it("waits for the send's transaction and is applied, instead of being kept where the send already looked", async () => {
      const { owner } = await newWorkspace(t);
      const conn = await apiConnection(t, owner, receiver.url);
      secrets.push(conn.secret);
      const contact = unique("racer");
      await conn.post(inbound(contact, "hello"));
      const [conv] = (await owner.get("/api/conversations")).body.conversations as any[];
      const sent = await owner.post(`/api/conversations/${conv.id}/messages`, { text: "hi there" });
      expect(sent.status).toBe(201);
      const messageId = sent.body.message.id as string;
      await eventually(async () => {
        const [m] = await t.db.query<{ delivery_state: string }>(
          "select delivery_state from messages where id = $1",
          [messageId],
        );
        return m?.delivery_state === "sent";
      });
      const [row] = await t.db.query<{ workspace_id: string }>(
        "select workspace_id from messages where id = $1",
        [messageId],
      );
      const lateId = unique("late");

      // The send's transaction: it takes the lock and records the id, and has not committed yet.
      const send = holdLock(t.db, async (q) => {
        await lockProviderIds(q, [{ connectionId: conn.id, providerId: lateId }]);
        await q.query("update messages set provider_message_id = $2 where id = $1", [messageId, lateId]);
      });
      await send.taken;

      // The report for that id arrives meanwhile: it finds no message with the id, so it waits for the lock.
      const report = transact(t.server.ctx, (tx) =>
        ingestStatuses(tx, [
          {
            connection: { id: conn.id, workspaceId: row!.workspace_id },
            event: { kind: "status", providerMessageId: lateId, state: "read", at: new Date() },
          },
        ]),
      );
      await eventually(async () => {
        const [w] = await t.db.query<{ n: number }>(
          "select count(*)::int as n from pg_locks where locktype = 'advisory' and not granted",
        );
        return w!.n === 1;
      });

      send.release();
      await send.done;
      const [outcome] = await report;
      expect(outcome).toMatchObject({ status: "updated", messageId });
      const [m] = await t.db.query<{ delivery_state: string }>(
        "select delivery_state from messages where id = $1",
        [messageId],
      );
      expect(m!.delivery_state).toBe("read");
      const kept = await t.db.query("select 1 from early_receipts where provider_message_id = $1", [lateId]);
      expect(kept).toHaveLength(0);
    });
  },
);
