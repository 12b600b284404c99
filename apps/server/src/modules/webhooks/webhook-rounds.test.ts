import { afterAll, describe, expect, it } from "vitest";
import { MovableClock } from "../../lib/time";
import { eventually } from "../../testing/eventually";
import { apiConnection, type Client, inbound, newWorkspace, unique } from "../../testing/harness";
import { useTestServer } from "../../testing/use-test-server";
import { startWebhookReceiver } from "../../testing/webhook-receiver";

/**
 * A round of one endpoint as a whole: outcomes recorded together, each keeping its own; and a receiver that
 * does not answer (a timeout far away here) holding no other endpoint.
 */
const clock = new MovableClock();
const t = useTestServer({ clock, env: { WEBHOOK_TIMEOUT_MS: "120000" } });
const receivers: { close(): Promise<void> }[] = [];
afterAll(async () => {
  for (const r of receivers) await r.close();
});

async function receiver() {
  const r = await startWebhookReceiver();
  receivers.push(r);
  return r;
}

async function subscribe(owner: Client, url: string) {
  const r = await owner.post("/api/webhook-endpoints", {
    url,
    events: ["message.created"],
    description: "CRM",
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.endpoint.id as string;
}

const texts = (r: Awaited<ReturnType<typeof receiver>>) =>
  r.ofType("message.created").map((x) => x.body.data.text as string);

const deliveries = async (owner: Client, endpointId: string) => {
  const r = await owner.get(`/api/webhook-endpoints/${endpointId}/deliveries?limit=200`);
  expect(r.status).toBe(200);
  return r.body.deliveries as any[];
};

describe("webhook rounds", () => {
  it("records every outcome of a round with its own status, answer and excerpt", async () => {
    const { owner } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    const hooks = await receiver();
    hooks.respondWith((r) => {
      const text = r.body.data.text as string;
      if (text.startsWith("bad")) return { status: 500, body: `no ${text}` };
      if (text.startsWith("gone")) return { status: 410, body: "" };
      return { status: 200, body: `got ${text}\u0000!` };
    });
    const id = await subscribe(owner, hooks.url);
    // Written while the endpoint is off, so that one round takes them all.
    expect((await owner.patch(`/api/webhook-endpoints/${id}`, { active: false })).status).toBe(200);
    const texts = ["ok-1", "bad-1", "ok-2", "gone-1", "ok-3", "bad-2"];
    for (const text of texts) await conn.post(inbound(unique("c"), text));
    expect((await owner.patch(`/api/webhook-endpoints/${id}`, { active: true })).status).toBe(200);
    const log = await eventually(async () => {
      const l = await deliveries(owner, id);
      return l.length === texts.length && l.every((d) => d.attempts === 1) && l;
    });
    const byText = new Map(
      log.map((d) => [
        hooks.requests.find((r) => r.headers["x-parley-delivery"] === d.id)!.body.data.text,
        d,
      ]),
    );
    for (const text of texts) {
      const d = byText.get(text);
      if (text.startsWith("ok"))
        expect(d, text).toMatchObject({
          status: "succeeded",
          responseStatus: 200,
          responseExcerpt: `got ${text} !`,
        });
      else if (text.startsWith("bad"))
        expect(d, text).toMatchObject({
          status: "pending",
          responseStatus: 500,
          responseExcerpt: `no ${text}`,
        });
      else expect(d, text).toMatchObject({ status: "pending", responseStatus: 410, responseExcerpt: null });
      expect(d.error === null, text).toBe(text.startsWith("ok"));
    }
  });

  it("a receiver that does not answer holds no other endpoint, and not its own other conversations", async () => {
    const { owner } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    const slow = await receiver();
    slow.respondWith(() => ({ status: 200, hang: true }));
    const fast = await receiver();
    const slowId = await subscribe(owner, slow.url);
    const fastId = await subscribe(owner, fast.url);
    // The events of three conversations wait for the slow endpoint, so that one round sends them all.
    expect((await owner.patch(`/api/webhook-endpoints/${slowId}`, { active: false })).status).toBe(200);
    const contacts = [unique("a"), unique("b"), unique("c")];
    for (const c of contacts) await conn.post(inbound(c, `hello from ${c}`));
    expect((await owner.patch(`/api/webhook-endpoints/${slowId}`, { active: true })).status).toBe(200);
    await eventually(() => slow.hanging() === 3);
    // While those three requests wait, the answering endpoint gets a new event too.
    await conn.post(inbound(unique("d"), "later"));
    await eventually(() => texts(fast).includes("later"), { timeout: 30_000 });
    expect(texts(fast)).toHaveLength(4);
    // The slow endpoint's session goes on while its three requests wait: the new conversation's event is
    // sent to it too, without waiting for the others' answers.
    await eventually(() => slow.hanging() === 4);
    const held = await deliveries(owner, slowId);
    expect(held.map((d) => [d.status, d.attempts])).toEqual(Array(4).fill(["pending", 0]));
    expect((await deliveries(owner, fastId)).every((d) => d.status === "succeeded")).toBe(true);

    slow.release(200, "late");
    const done = await eventually(async () => {
      const l = await deliveries(owner, slowId);
      return l.length === 4 && l.every((d) => d.status === "succeeded") && l;
    });
    expect(done.map((d) => d.responseExcerpt)).toEqual(["late", "late", "late", "late"]);
  });
});
