import { afterAll, describe, expect, it } from "vitest";
import { eventually } from "../../testing/eventually";
import { apiConnection, inbound, newWorkspace, unique } from "../../testing/harness";
import { useTestServer } from "../../testing/use-test-server";
import { startWebhookReceiver } from "../../testing/webhook-receiver";

// The poll is an hour away: whatever is delivered here was woken by a commit or by the new endpoint.
const t = useTestServer({ env: { JOB_POLL_MS: "3600000" } });
const receivers: { close(): Promise<void> }[] = [];
afterAll(async () => {
  for (const r of receivers) await r.close();
});

describe("the webhook dispatcher with no endpoints", () => {
  it("wakes for an endpoint created after messages came in while no endpoint existed, and delivers the next ones at once", async () => {
    const { owner } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    const contact = unique("c");
    // No endpoint anywhere: these commits find nothing to deliver.
    for (const text of ["one", "two"]) expect((await conn.post(inbound(contact, text))).status).toBe(200);
    const hooks = await startWebhookReceiver();
    receivers.push(hooks);
    const created = await owner.post("/api/webhook-endpoints", {
      url: hooks.url,
      events: ["message.created"],
      description: "CRM",
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect((await conn.post(inbound(contact, "three"))).status).toBe(200);
    await eventually(() => hooks.ofType("message.created").length >= 1, { what: "message three" });
    expect(hooks.ofType("message.created").map((r) => r.body.data.text)).toEqual(["three"]);
    // And the commits after it, each as it comes.
    expect((await conn.post(inbound(contact, "four"))).status).toBe(200);
    await eventually(() => hooks.ofType("message.created").length === 2, { what: "message four" });
    expect(hooks.ofType("message.created").map((r) => r.body.data.text)).toEqual(["three", "four"]);
  });
});
