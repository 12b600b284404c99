import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MovableClock } from "../../lib/time";
import { messageInState } from "../../testing/delivery";
import { type MetaFake, metaWebhook, startMetaFake } from "../../testing/fakes/meta";
import { type Client, newWorkspace, SocketClient, unique } from "../../testing/harness";
import { useTestServer } from "../../testing/use-test-server";

let fake: MetaFake;
const HOUR = 3600_000;

beforeAll(async () => {
  fake = await startMetaFake();
});
afterAll(async () => {
  await fake.close();
});

/** The server's clock, moved together with the fake's (its window): hours pass without sleeping. */
const clock = new MovableClock();
const advance = (ms: number) => {
  clock.advance(ms);
  fake.advance(ms);
};

const t = useTestServer(() => ({
  clock,
  env: { GRAPH_API_BASE: fake.graphUrl, GRAPH_API_VERSION: "v21.0", INSTAGRAM_API_BASE: fake.instagramUrl },
}));

let ids = 0;
const digits = () => `${Date.now()}${++ids}`.slice(-15);

async function setup(owner?: Client) {
  owner ??= (await newWorkspace(t)).owner;
  const pageId = digits();
  const token = unique("page-token");
  const appSecret = unique("app-secret");
  fake.addAccount(token, { platform: "messenger", accountId: pageId, host: "graph" });
  const r = await owner.post("/api/connections", {
    type: "messenger",
    name: unique("fb"),
    credentials: { pageId, pageAccessToken: token, appSecret },
  });
  if (r.status !== 201) throw new Error(`connection failed: ${r.status} ${JSON.stringify(r.body)}`);
  const url = `${t.url}/api/webhooks/messenger/${r.body.connection.id}`;
  const psid = digits();
  const post = (messaging: unknown[]) =>
    fake.webhook(url, metaWebhook.page(pageId, messaging), { appSecret });
  const say = (text: string) =>
    post([
      {
        sender: { id: psid },
        recipient: { id: pageId },
        timestamp: clock.now().getTime(),
        message: { mid: unique("m_in"), text },
      },
    ]);
  const react = (mid: string, reaction: Record<string, unknown>, at = clock.now().getTime()) =>
    post([
      {
        sender: { id: psid },
        recipient: { id: pageId },
        timestamp: at,
        reaction: { mid, ...reaction },
      },
    ]);
  return { owner, psid, say, react };
}

const conversationOf = async (owner: Client) => (await owner.get("/api/conversations")).body.conversations[0];
const messagesOf = async (owner: Client, convId: string) =>
  (await owner.get(`/api/conversations/${convId}/messages`)).body.messages as any[];

async function sentReply(owner: Client, convId: string, text: string) {
  const r = await owner.post(`/api/conversations/${convId}/messages`, { text });
  if (r.status !== 201) throw new Error(`reply refused: ${r.status} ${JSON.stringify(r.body)}`);
  return messageInState(owner, convId, r.body.message.id, "sent");
}

describe("Messenger reactions", () => {
  it("shows a customer's reaction on the message, live; a new one replaces it; unreact removes it", async () => {
    const { owner, say, react } = await setup();
    await say("Do you ship to Lviv?");
    const conv = await conversationOf(owner);
    const ours = await sentReply(owner, conv.id, "Yes, in two days.");
    const socket = await SocketClient.open(`${t.wsUrl}/api/realtime`, owner.cookie!);
    try {
      const r = await react(ours.providerMessageId, { action: "react", reaction: "love", emoji: "❤️" });
      expect(r.status).toBe(200);
      expect(r.body.results).toEqual([{ kind: "reaction", status: "updated", messageId: ours.id }]);
      const live = await socket.waitForEvent("message.updated", (e) => e.message.id === ours.id);
      expect(live.message.reactions).toEqual([{ emoji: "❤️", authorType: "contact", at: expect.any(String) }]);
      // A provider retry changes nothing.
      const again = await react(ours.providerMessageId, { action: "react", reaction: "love", emoji: "❤️" });
      expect(again.body.results[0].status).toBe("unchanged");

      // A reaction without the emoji itself is shown by its name's emoji, and replaces the customer's earlier one.
      await react(ours.providerMessageId, { action: "react", reaction: "wow" });
      let m = (await messagesOf(owner, conv.id)).find((x) => x.id === ours.id);
      expect(m.reactions.map((x: any) => x.emoji)).toEqual(["😮"]);

      const un = await react(ours.providerMessageId, { action: "unreact", reaction: "wow" });
      expect(un.body.results[0]).toMatchObject({ kind: "reaction", status: "updated" });
      await socket.waitForEvent(
        "message.updated",
        (e) => e.message.id === ours.id && e.message.reactions.length === 0,
      );
      m = (await messagesOf(owner, conv.id)).find((x) => x.id === ours.id);
      expect(m.reactions).toEqual([]);
    } finally {
      socket.close();
    }
  });

  it("a reaction 23 hours after the customer's last message renews the 24-hour window for free text", async () => {
    const { owner } = await newWorkspace(t);
    const a = await setup(owner);
    const b = await setup(owner);
    await a.say("hello from A");
    await b.say("hello from B");
    const list = (await owner.get("/api/conversations")).body.conversations as any[];
    const convA = list.find((c) => c.lastMessage.text === "hello from A");
    const convB = list.find((c) => c.lastMessage.text === "hello from B");
    const ours = await sentReply(owner, convA.id, "Anything else?");

    advance(23 * HOUR);
    const r = await a.react(ours.providerMessageId, { action: "react", reaction: "like", emoji: "👍" });
    expect(r.body.results[0]).toMatchObject({ kind: "reaction", status: "updated" });
    advance(2 * HOUR);

    // B only wrote 25 hours ago: its window is closed. A reacted 2 hours ago: free text goes out.
    const closed = await owner.post(`/api/conversations/${convB.id}/messages`, { text: "late" });
    expect(closed.status).toBe(422);
    expect(closed.body.error.code).toBe("window_closed");
    const detail = (await owner.get(`/api/conversations/${convA.id}`)).body.conversation;
    expect(detail.window).toMatchObject({ allowed: true, mode: "free" });
    const sent = await sentReply(owner, convA.id, "Thanks for the like!");
    expect(sent.delivery.state).toBe("sent");
    expect(fake.sends(a.psid).at(-1)!.body.messaging_type).toBe("RESPONSE");

    // A reaction of long ago arriving late neither replaces the newer one nor moves the window back.
    const before = detail.lastCustomerMessageAt;
    const late = await a.react(
      ours.providerMessageId,
      { action: "react", reaction: "sad", emoji: "😢" },
      clock.now().getTime() - 20 * HOUR,
    );
    expect(late.body.results[0]).toMatchObject({ kind: "reaction", status: "unchanged" });
    expect((await owner.get(`/api/conversations/${convA.id}`)).body.conversation.lastCustomerMessageAt).toBe(
      before,
    );
  });

  it("takes Instagram reactions the same way (graph.instagram.com connection)", async () => {
    const { owner } = await newWorkspace(t);
    const igUserId = digits();
    const token = unique("ig-token");
    const appSecret = unique("ig-secret");
    fake.addAccount(token, { platform: "instagram", accountId: igUserId, host: "instagram" });
    const c = await owner.post("/api/connections", {
      type: "instagram",
      name: unique("ig"),
      credentials: { igUserId, instagramAccessToken: token, appSecret },
    });
    expect(c.status).toBe(201);
    const url = `${t.url}/api/webhooks/instagram/${c.body.connection.id}`;
    const igsid = digits();
    const post = (event: Record<string, unknown>) =>
      fake.webhook(
        url,
        metaWebhook.instagram(igUserId, [
          { sender: { id: igsid }, recipient: { id: igUserId }, timestamp: clock.now().getTime(), ...event },
        ]),
        { appSecret },
      );
    await post({ message: { mid: unique("aWdf"), text: "hi" } });
    const conv = await conversationOf(owner);
    const ours = await sentReply(owner, conv.id, "Hello!");
    const r = await post({
      reaction: { mid: ours.providerMessageId, action: "react", reaction: "love", emoji: "❤" },
    });
    expect(r.body.results).toEqual([{ kind: "reaction", status: "updated", messageId: ours.id }]);
    const m = (await messagesOf(owner, conv.id)).find((x) => x.id === ours.id);
    expect(m.reactions).toEqual([{ emoji: "❤", authorType: "contact", at: expect.any(String) }]);
  });
});
