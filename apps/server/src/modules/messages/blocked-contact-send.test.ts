import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MovableClock } from "../../lib/time";
import { messageInState } from "../../testing/delivery";
import { type MetaFake, startMetaFake } from "../../testing/fakes/meta";
import { messengerPage } from "../../testing/messenger-page";
import { jobsSettled } from "../../testing/settled";
import { useTestServer } from "../../testing/use-test-server";

/**
 * R209: nothing is sent to a blocked contact, also a reply that was still queued when the contact was blocked
 * (behind an earlier message, waiting for a rate limit or a retry). The send job checks at send time.
 */
const clock = new MovableClock();
let fake: MetaFake;

beforeAll(async () => {
  fake = await startMetaFake();
});
afterAll(async () => {
  await fake.close();
});

const t = useTestServer(() => ({
  clock,
  env: { GRAPH_API_BASE: fake.graphUrl, GRAPH_API_VERSION: "v21.0", INSTAGRAM_API_BASE: fake.instagramUrl },
}));

/** A Messenger page and a customer who has just written to it. */
async function setup() {
  const { owner, customer, sentTo } = await messengerPage(t, fake, clock);
  const { psid, conversationId } = await customer("hello");
  const conversation = (await owner.get(`/api/conversations/${conversationId}`)).body.conversation;
  return { owner, psid, conversationId, contactId: conversation.contact.id as string, sentTo };
}

describe("a reply queued when its contact is blocked", () => {
  it("fails as contact_blocked at send time and reaches nobody; after unblocking, sending it again delivers it", async () => {
    const { owner, psid, conversationId, contactId, sentTo } = await setup();
    // The replies are accepted and wait in the queue (the send job has not run yet).
    await t.server.ctx.jobs.stop();
    let restarted = false;
    try {
      const first = await owner.post(`/api/conversations/${conversationId}/messages`, { text: "one" });
      const second = await owner.post(`/api/conversations/${conversationId}/messages`, { text: "two" });
      expect(first.status, JSON.stringify(first.body)).toBe(201);
      expect(second.status, JSON.stringify(second.body)).toBe(201);
      const blocked = await owner.post(`/api/contacts/${contactId}/block`);
      expect(blocked.status, JSON.stringify(blocked.body)).toBe(200);

      t.server.ctx.jobs.start();
      restarted = true;
      await jobsSettled(t.server);
      for (const id of [first.body.message.id, second.body.message.id]) {
        const m = await messageInState(owner, conversationId, id, "failed");
        expect(m.delivery).toMatchObject({
          failureReason: "contact_blocked",
          failureDetail: expect.stringMatching(/contact was blocked .*unblock them/),
          waiting: null,
        });
      }
      expect(sentTo(psid)).toEqual([]);

      // While the contact is blocked, sending it again is refused; once unblocked it goes out.
      const retryPath = `/api/conversations/${conversationId}/messages/${first.body.message.id}/retry`;
      const refused = await owner.post(retryPath);
      expect(refused.status).toBe(422);
      expect(refused.body.error.code).toBe("contact_blocked");
      expect((await owner.post(`/api/contacts/${contactId}/unblock`)).status).toBe(200);
      const retried = await owner.post(retryPath);
      expect(retried.status, JSON.stringify(retried.body)).toBe(200);
      await messageInState(owner, conversationId, first.body.message.id, "sent");
      expect(sentTo(psid).map((r) => r.body.message.text)).toEqual(["one"]);
    } finally {
      if (!restarted) t.server.ctx.jobs.start();
    }
  });

  it("fails a reply waiting for the channel's rate limit when the contact is blocked before its next try", async () => {
    const { owner, psid, conversationId, contactId, sentTo } = await setup();
    // Meta answers "too many calls" (code 613) once: the reply waits for its next try.
    fake.inject({
      status: 400,
      error: { message: "(#613) Calls to this api have exceeded the rate limit.", code: 613 },
    });
    const sent = await owner.post(`/api/conversations/${conversationId}/messages`, { text: "later" });
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
    const id = sent.body.message.id as string;
    await messageInState(owner, conversationId, id, "queued");
    await jobsSettled(t.server);
    const tries = sentTo(psid).length;
    expect(tries).toBe(1);

    const [waiting] = await t.db.query<{ waiting_reason: string | null; retry_at: Date | null }>(
      "select waiting_reason, retry_at from messages where id = $1",
      [id],
    );
    expect(waiting!.waiting_reason).toBe("rate_limited");

    expect((await owner.post(`/api/contacts/${contactId}/block`)).status).toBe(200);
    // The next try comes.
    clock.advance(waiting!.retry_at!.getTime() - clock.now().getTime() + 1000);
    t.server.ctx.jobs.wake();
    const m = await messageInState(owner, conversationId, id, "failed");
    expect(m.delivery.failureReason).toBe("contact_blocked");
    await jobsSettled(t.server);
    expect(sentTo(psid)).toHaveLength(tries);
  });
});
