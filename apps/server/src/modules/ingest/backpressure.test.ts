import { describe, expect, it } from "vitest";
import { signBody } from "../../channels/api/adapter";
import { eventually } from "../../testing/eventually";
import { apiConnection, inbound, newWorkspace, unique } from "../../testing/harness";
import { holdLock } from "../../testing/hold-lock";
import { useTestServer } from "../../testing/use-test-server";
import { INGEST_RETRY_AFTER_SECONDS } from "./ingest-queue";

const LIMIT = 5;
const t = useTestServer({ env: { INGEST_QUEUE_LIMIT: String(LIMIT) } });

interface Answer {
  id: string;
  status: number;
  retryAfter: string | null;
  body: { results?: { status: string }[]; error?: { code: string; message: string } };
}

describe("ingest backpressure", () => {
  it("refuses a flood with 503 and Retry-After while the database is blocked, and stores every acknowledged message", async () => {
    const { owner } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    // The connection is now in the webhook cache: the flood below reaches the queue without a query.
    expect((await conn.post(inbound(unique("c"), "warm-up"))).status).toBe(200);

    // Block the database: one transaction holds a lock every ingest transaction needs (the embedded database
    // runs one transaction at a time, so there it blocks everything).
    const blocker = holdLock(t.db, (q) => q.query("lock table messages in share mode"));
    await blocker.taken;

    const post = async (id: string): Promise<Answer> => {
      const raw = JSON.stringify(inbound(`contact-${id}`, `flood ${id}`, id));
      const res = await fetch(`${t.url}/api/webhooks/api/${conn.id}`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-parley-signature": signBody(conn.secret, raw) },
        body: raw,
      });
      return {
        id,
        status: res.status,
        retryAfter: res.headers.get("retry-after"),
        body: (await res.json()) as Answer["body"],
      };
    };
    const flood = Array.from({ length: 60 }, () => unique("flood"));
    const answered: Answer[] = [];
    const requests = flood.map(async (id) => {
      const a = await post(id);
      answered.push(a);
      return a;
    });

    // Every webhook is either refused (answered) or held by the queue: waiting, at most LIMIT, or being written.
    const depth = await eventually(() => {
      const d = t.server.ctx.ingest.depth();
      expect(answered.length + d.waiting + d.writing).toBe(flood.length);
      return d;
    });
    expect(depth.waiting).toBe(LIMIT);
    const refused = [...answered];
    expect(refused.length).toBeGreaterThan(0);
    for (const a of refused) {
      expect(a.status).toBe(503);
      expect(a.retryAfter).toBe(String(INGEST_RETRY_AFTER_SECONDS));
      expect(a.body.error?.code).toBe("unavailable");
      expect(a.body.error?.message).toMatch(/nothing was accepted/);
    }
    // The queue's depth is exposed while it is full.
    const gauge = await t.server.metrics.registry.getSingleMetric("parley_ingest_queue_depth")!.get();
    expect(gauge.values).toContainEqual(
      expect.objectContaining({ labels: { state: "waiting" }, value: LIMIT }),
    );
    const counter = await t.server.metrics.registry.getSingleMetric("parley_ingest_webhooks_total")!.get();
    expect(counter.values).toContainEqual(
      expect.objectContaining({ labels: { outcome: "refused" }, value: refused.length }),
    );

    blocker.release();
    await blocker.done;
    const all = await Promise.all(requests);
    const acked = all.filter((a) => a.status === 200);
    expect(acked.length + refused.length).toBe(flood.length);
    for (const a of acked) expect(a.body.results?.[0]?.status).toBe("created");

    const stored = async () =>
      new Set(
        (
          await t.db.query<{ id: string }>(
            "select provider_message_id as id from messages where connection_id = $1",
            [conn.id],
          )
        ).map((r) => r.id),
      );
    const afterFlood = await stored();
    for (const a of acked) expect(afterFlood.has(a.id), a.id).toBe(true);
    for (const a of refused) expect(afterFlood.has(a.id), a.id).toBe(false);

    // The provider retries what was refused: now everything is stored, once.
    for (const a of refused) expect((await post(a.id)).body.results?.[0]?.status).toBe("created");
    const afterRetry = await stored();
    for (const id of flood) expect(afterRetry.has(id), id).toBe(true);
  });
});
