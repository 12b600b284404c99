import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MovableClock } from "../../lib/time";
import { eventually } from "../../testing/eventually";
import { startViberFake, type ViberFake } from "../../testing/fakes/viber";
import { apiConnection, inbound, newWorkspace, unique } from "../../testing/harness";
import { startReceiver } from "../../testing/outbound-receiver";
import { useTestServer } from "../../testing/use-test-server";

/** The application's clock, moved forward by the tests instead of waiting (Retry-After, the maximum wait). */
const clock = new MovableClock();
const advance = (ms: number) => {
  clock.advance(ms);
  t.server.ctx.jobs.wake();
};

let receiver: Awaited<ReturnType<typeof startReceiver>>;
let viber: ViberFake;
const secrets: string[] = [];

beforeAll(async () => {
  receiver = await startReceiver(() => secrets.at(-1) ?? "");
  viber = await startViberFake();
});
afterAll(async () => {
  await receiver.close();
  await viber.close();
});

const MAX_WAIT_SECONDS = 3600;
const t = useTestServer(() => ({
  clock,
  env: {
    VIBER_API_BASE: viber.url,
    OUTBOUND_RATE_LIMIT_MAX_WAIT_SECONDS: String(MAX_WAIT_SECONDS),
  },
}));

const isWaiting = (e: any, id: string) =>
  e.message.id === id && e.message.delivery.state === "queued" && !!e.message.delivery.waiting;

describe("a channel that keeps rate-limiting", () => {
  it("shows the message waiting until the channel's next allowed time, fails it as rate_limited after the maximum wait, and sends other conversations meanwhile", async () => {
    const { owner } = await newWorkspace(t);
    const conn = await apiConnection(t, owner, receiver.url);
    secrets.push(conn.secret);
    const throttled = unique("throttled");
    const other = unique("other");
    // The integrator's endpoint answers 429 with Retry-After: 60 for one contact, forever.
    receiver.respondWith((r) =>
      r.body.contactId === throttled
        ? { status: 429, headers: { "retry-after": "60" }, body: { error: "slow down" } }
        : { status: 200, body: { id: `ext-${r.body.id}` } },
    );
    await conn.post(inbound(throttled, "hello"));
    await conn.post(inbound(other, "hi"));
    const convs = (await owner.get("/api/conversations")).body.conversations as any[];
    const convOf = (contact: string) => convs.find((c) => c.contact.name === `Contact ${contact}`).id;
    const socket = await owner.socket(t.wsUrl);
    const send = async (conv: string, text: string) => {
      const r = await owner.post(`/api/conversations/${conv}/messages`, { text });
      expect(r.status).toBe(201);
      return r.body.message.id as string;
    };

    const first = await send(convOf(throttled), "first, throttled");
    const second = await send(convOf(throttled), "second, behind the first");
    const waiting = await socket.waitForEvent("message.updated", (e) => isWaiting(e, first));
    const until1 = Date.parse(waiting.message.delivery.waiting.until);
    expect(waiting.message.delivery.waiting.reason).toBe("rate_limited");
    // The job decided to try again when the receiver said: 60 s after its answer, on the application's clock.
    expect(until1 - clock.now().getTime()).toBeGreaterThan(50_000);
    expect(until1 - clock.now().getTime()).toBeLessThanOrEqual(60_000);
    // The message's state is committed by the send; the job's own new time follows when the job finishes.
    const job = await eventually(async () => {
      const [row] = await t.db.query<{ run_at: Date; attempts: number; status: string }>(
        "select run_at, attempts, status from jobs where payload->>'messageId' = $1",
        [first],
      );
      return row?.status === "pending" ? row : null;
    });
    expect(job).toMatchObject({ status: "pending", attempts: 0 });
    expect(job!.run_at.getTime()).toBe(until1);
    // The API presents the same.
    const feedOf = async (conv: string) =>
      (await owner.get(`/api/conversations/${conv}/messages`)).body.messages as any[];
    const shown = (await feedOf(convOf(throttled))).find((m) => m.id === first);
    expect(shown.delivery).toMatchObject({ state: "queued", waiting: { reason: "rate_limited" } });

    // Another conversation's message goes out meanwhile.
    const elsewhere = await send(convOf(other), "not held back");
    await socket.waitForEvent(
      "message.updated",
      (e) => e.message.id === elsewhere && e.message.delivery.state === "sent",
    );
    // The throttled conversation's later message keeps its place behind the first.
    expect(receiver.requests.filter((r) => r.body.id === second)).toHaveLength(0);
    // Its job, on its next look, waits for the first one's next try instead of checking again every moment.
    const behind = await eventually(async () => {
      const [job] = await t.db.query<{ run_at: Date; last_error: string | null }>(
        "select run_at, last_error from jobs where payload->>'messageId' = $1",
        [second],
      );
      return job && job.run_at.getTime() >= until1 ? job : null;
    });
    expect(behind.run_at.getTime()).toBe(until1);
    expect(behind.last_error).toMatch(/earlier message/);

    // A minute later the channel still says 429: the message waits again, with the new time.
    advance(61_000);
    const again = await socket.waitForEvent(
      "message.updated",
      (e) => isWaiting(e, first) && Date.parse(e.message.delivery.waiting.until) > until1,
    );
    expect(receiver.requests.filter((r) => r.body.id === first)).toHaveLength(2);
    expect(again.message.delivery.state).toBe("queued");

    // Past the maximum wait the message fails with the reason, and the next one is tried.
    advance(MAX_WAIT_SECONDS * 1000);
    const failed = await socket.waitForEvent(
      "message.updated",
      (e) => e.message.id === first && e.message.delivery.state === "failed",
    );
    expect(failed.message.delivery).toMatchObject({
      failureReason: "rate_limited",
      waiting: null,
      failureDetail: expect.stringMatching(/rate limiting.*limit is 60 min/),
    });
    expect(receiver.requests.filter((r) => r.body.id === first)).toHaveLength(3);
    await socket.waitForEvent("message.updated", (e) => isWaiting(e, second));
    expect(receiver.requests.filter((r) => r.body.id === second)).toHaveLength(1);
    socket.close();
  });

  it("treats Viber's status 12 (too many requests) the same way", async () => {
    const { owner } = await newWorkspace(t);
    const token = unique("viber-token");
    viber.addBot(token);
    const created = await owner.post("/api/connections", {
      type: "viber",
      name: unique("viber"),
      credentials: { authToken: token, senderName: "Support" },
    });
    expect(created.status).toBe(201);
    const user = `${unique("u")}=`;
    const pushed = await viber.push(token, {
      event: "message",
      timestamp: clock.now().getTime(),
      message_token: viber.nextToken(),
      sender: { id: user, name: "Анна", api_version: 10 },
      message: { type: "text", text: "hello" },
    });
    expect(pushed.status).toBe(200);
    const [conv] = (await owner.get("/api/conversations")).body.conversations as any[];
    const socket = await owner.socket(t.wsUrl);

    viber.failNextSend(12, "Too many requests");
    viber.failNextSend(12, "Too many requests");
    const r = await owner.post(`/api/conversations/${conv.id}/messages`, { text: "Здравствуйте!" });
    const id = r.body.message.id as string;
    const waiting = await socket.waitForEvent("message.updated", (e) => isWaiting(e, id));
    expect(waiting.message.delivery.waiting.reason).toBe("rate_limited");
    expect(Date.parse(waiting.message.delivery.waiting.until)).toBeGreaterThan(clock.now().getTime());

    advance(MAX_WAIT_SECONDS * 1000);
    const failed = await socket.waitForEvent(
      "message.updated",
      (e) => e.message.id === id && e.message.delivery.state === "failed",
    );
    expect(failed.message.delivery).toMatchObject({
      failureReason: "rate_limited",
      failureDetail: expect.stringContaining("Too many requests"),
    });
    socket.close();
  });
});
