import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { messageInState } from "../../testing/delivery";
import { type MetaFake, metaWebhook, startMetaFake } from "../../testing/fakes/meta";
import { type Client, newWorkspace, unique } from "../../testing/harness";
import { jobsSettled } from "../../testing/settled";
import { useTestServer } from "../../testing/use-test-server";
import { adapterContext } from "../context";
import { instagramChannel } from "./instagram";

let fake: MetaFake;

beforeAll(async () => {
  fake = await startMetaFake();
});
afterAll(async () => {
  await fake.close();
});

const t = useTestServer(() => ({
  env: { GRAPH_API_BASE: fake.graphUrl, GRAPH_API_VERSION: "v21.0", INSTAGRAM_API_BASE: fake.instagramUrl },
}));

let ids = 0;
const digits = () => `${Date.now()}${++ids}`.slice(-16);

/** flavour "login": Instagram Login token on graph.instagram.com; "page": a linked Page's token on graph.facebook.com. */
async function setup(flavour: "login" | "page" = "login") {
  const { owner } = await newWorkspace(t);
  const igUserId = digits();
  const pageId = digits();
  const token = unique("ig-token");
  const appSecret = unique("ig-app-secret");
  fake.addAccount(token, {
    platform: "instagram",
    accountId: flavour === "login" ? igUserId : pageId,
    host: flavour === "login" ? "instagram" : "graph",
  });
  const credentials =
    flavour === "login"
      ? { igUserId, instagramAccessToken: token, appSecret }
      : { igUserId, pageId, pageAccessToken: token, appSecret };
  const r = await owner.post("/api/connections", { type: "instagram", name: unique("ig"), credentials });
  if (r.status !== 201) throw new Error(`connection failed: ${r.status} ${JSON.stringify(r.body)}`);
  const id = r.body.connection.id as string;
  const url = `${t.url}/api/webhooks/instagram/${id}`;
  const igsid = digits();
  const post = (messaging: unknown[], opts: { raw?: string; signature?: string; secret?: string } = {}) =>
    fake.webhook(url, metaWebhook.instagram(igUserId, messaging), {
      appSecret: opts.secret ?? appSecret,
      ...opts,
    });
  const say = (text: string | undefined, extra: Record<string, unknown> = {}, mid = unique("aWdf")) =>
    post([
      {
        sender: { id: igsid },
        recipient: { id: igUserId },
        timestamp: Date.now(),
        message: { mid, ...(text === undefined ? {} : { text }), ...extra },
      },
    ]);
  return { owner, id, url, igUserId, token, appSecret, igsid, post, say, created: r.body };
}

const conversationOf = async (owner: Client) => (await owner.get("/api/conversations")).body.conversations[0];
const messagesOf = async (owner: Client, convId: string) =>
  ((await owner.get(`/api/conversations/${convId}/messages`)).body.messages as any[]).filter(
    (m) => m.kind === "message",
  );

const waitForState = (owner: Client, convId: string, messageId: string, state: string, timeout?: number) =>
  messageInState(owner, convId, messageId, state, { timeout });

async function reply(owner: Client, convId: string, body: Record<string, unknown>) {
  const r = await owner.post(`/api/conversations/${convId}/messages`, body);
  if (r.status !== 201) throw new Error(`reply refused: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.message.id as string;
}

describe("Instagram connection", () => {
  it("needs igUserId and a token; checks an Instagram Login token belongs to the account; honest capabilities", async () => {
    const { owner } = await newWorkspace(t);
    const none = await owner.post("/api/connections", {
      type: "instagram",
      name: "ig",
      credentials: { igUserId: "1784", appSecret: "s" },
    });
    expect(none.status).toBe(400);
    expect(none.body.error.message).toMatch(/pageAccessToken.*instagramAccessToken/);

    const { created, token, igUserId } = await setup("login");
    expect(created.connection.capabilities).toMatchObject({
      reportsDelivered: false,
      reportsRead: true,
      markSeen: true,
      textMaxChars: 1000,
      window: "instagram",
    });
    expect(created.connection.settings).toEqual({ humanAgentTag: false });
    expect(created.reveal.verifyToken).toMatch(/^[\w-]{20,}$/);
    const check = fake.requests.find((r) => r.token === token && r.path === "/v21.0/me")!;
    expect(check.host).toBe("instagram");

    // A token of another account is refused at once.
    const other = unique("ig-other");
    fake.addAccount(other, { platform: "instagram", accountId: "42", host: "instagram" });
    const wrong = await owner.post("/api/connections", {
      type: "instagram",
      name: "ig",
      credentials: { igUserId, instagramAccessToken: other, appSecret: "s" },
    });
    expect(wrong.status).toBe(422);
    expect(wrong.body.error.message).toMatch(/account 42/);
  });
});

describe("Instagram inbound", () => {
  it("takes a signed non-ASCII text once, media, a story reply, an unsupported message and an echo", async () => {
    const { owner, say, post, igsid, igUserId } = await setup();
    const mid = unique("aWdfuni");
    const r = await say("Здравствуйте! 👋 Есть размер M?", {}, mid);
    expect(r.status).toBe(200);
    expect((await say("Здравствуйте! 👋 Есть размер M?", {}, mid)).body.results[0].status).toBe("duplicate");
    const forged = await post(
      [
        {
          sender: { id: igsid },
          recipient: { id: igUserId },
          timestamp: Date.now(),
          message: { mid: unique("aWdf"), text: "forged" },
        },
      ],
      { secret: "not-the-app-secret" },
    );
    expect(forged.status).toBe(401);

    const jpg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 9, 9, 9]);
    await say(undefined, {
      attachments: [{ type: "image", payload: { url: fake.cdn(`${unique("ig")}.jpg`, jpg, "image/jpeg") } }],
    });
    await say(undefined, {
      attachments: [
        {
          type: "video",
          payload: { url: fake.cdn(`${unique("gone")}.mp4`, Buffer.from("v"), "video/mp4", -1) },
        },
      ],
    });
    await say("love this", { reply_to: { story: { url: "https://cdn.example/story/1", id: "1790" } } });
    await say(undefined, { is_unsupported: true });
    await say(undefined, {
      attachments: [{ type: "share", payload: { url: "https://instagram.com/p/abc" } }],
    });
    // The business wrote from the Instagram app: echo on the same field, the customer is the recipient.
    const echoMid = unique("aWdfecho");
    const echo = await post([
      {
        sender: { id: igUserId },
        recipient: { id: igsid },
        timestamp: Date.now(),
        message: { mid: echoMid, is_echo: true, text: "Да, есть!" },
      },
    ]);
    expect(echo.body.results[0]).toMatchObject({ status: "created" });
    // Files are downloaded by background jobs after the webhooks were acknowledged.
    await jobsSettled(t.server);

    const conv = await conversationOf(owner);
    const msgs = await messagesOf(owner, conv.id);
    expect(msgs.map((m) => m.text)).toEqual([
      "Здравствуйте! 👋 Есть размер M?",
      null,
      null,
      "love this\n[Reply to your story: https://cdn.example/story/1]",
      "[A message type Parley cannot show: open the app to see it]",
      "[Shared post: https://instagram.com/p/abc]",
      "Да, есть!",
    ]);
    expect(msgs[1].attachments[0]).toMatchObject({ mimeType: "image/jpeg", size: jpg.length });
    const file = await fetch(`${t.url}${msgs[1].attachments[0].url}`, { headers: { cookie: owner.cookie! } });
    expect(Buffer.from(await file.arrayBuffer())).toEqual(jpg);
    expect(msgs[2].attachments[0].error).toMatch(/403/);
    expect(msgs.at(-1)).toMatchObject({
      direction: "outbound",
      authorType: "user",
      providerMessageId: echoMid,
    });
  });
});

describe("Instagram outbound and receipts", () => {
  it("sends through graph.instagram.com/{v}/<IG_ID>/messages (Instagram Login) and a read covers the earlier messages, out of order", async () => {
    const { owner, say, post, igsid, igUserId, token } = await setup("login");
    await say("hi");
    const conv = await conversationOf(owner);
    const [inbound] = await messagesOf(owner, conv.id);
    const a = await reply(owner, conv.id, { text: "first", quotedMessageId: inbound.id });
    const b = await reply(owner, conv.id, {
      text: "second",
      attachments: [{ name: "p.jpg", mimeType: "image/jpeg", size: 3, url: "https://files.example/p.jpg" }],
    });
    const ma = await waitForState(owner, conv.id, a, "sent");
    const mb = await waitForState(owner, conv.id, b, "sent");
    const sends = fake.sends(igsid);
    expect(sends.map((s) => [s.host, s.path])).toEqual([
      ["instagram", `/v21.0/${igUserId}/messages`],
      ["instagram", `/v21.0/${igUserId}/messages`],
      ["instagram", `/v21.0/${igUserId}/messages`],
    ]);
    expect(sends[0]!.authorization).toBe(`Bearer ${token}`);
    expect(sends[0]!.body).toEqual({
      recipient: { id: igsid },
      messaging_type: "RESPONSE",
      reply_to: { mid: inbound.providerMessageId },
      message: { text: "first" },
    });
    expect(sends[2]!.body.message).toEqual({
      attachment: { type: "image", payload: { url: "https://files.example/p.jpg" } },
    });

    // messaging_seen names the last message read: it and every earlier one are read; a late report of an
    // earlier one and duplicates change nothing.
    const seen = (mid: string, at: number) =>
      post([{ sender: { id: igsid }, recipient: { id: igUserId }, timestamp: at, read: { mid } }]);
    const now = Date.now();
    expect((await seen(mb.providerMessageId, now + 2000)).body.results).toEqual([
      { kind: "status", status: "updated", messageId: b },
      { kind: "read_watermark", status: "updated", count: 1 },
    ]);
    expect((await seen(ma.providerMessageId, now + 1000)).body.results[0].status).toBe("unchanged");
    expect((await seen(mb.providerMessageId, now + 3000)).body.results[0].status).toBe("unchanged");
    const rb = await waitForState(owner, conv.id, b, "read");
    expect(rb.delivery.readAt).toBe(new Date(now + 2000).toISOString());
    const ra = await waitForState(owner, conv.id, a, "read");
    expect(ra.delivery.readAt).toBe(new Date(now + 2000).toISOString());
  });

  it("a read naming the last of three messages marks all three read; an unknown mid reads nothing", async () => {
    const { owner, say, post, igsid, igUserId } = await setup("login");
    await say("hi");
    const conv = await conversationOf(owner);
    const sent: string[] = [];
    for (const text of ["one", "two", "three"]) sent.push(await reply(owner, conv.id, { text }));
    const rows = [];
    for (const id of sent) rows.push(await waitForState(owner, conv.id, id, "sent"));
    const at = Date.now();
    const r = await post([
      {
        sender: { id: igsid },
        recipient: { id: igUserId },
        timestamp: at,
        read: { mid: rows[2].providerMessageId },
      },
    ]);
    expect(r.body.results[1]).toEqual({ kind: "read_watermark", status: "updated", count: 2 });
    for (const id of sent) {
      const m = await waitForState(owner, conv.id, id, "read");
      expect(m.delivery.readAt).toBe(new Date(at).toISOString());
    }
    // A mid Parley does not know (or of another customer) reads nothing more.
    const other = await post([
      { sender: { id: igsid }, recipient: { id: igUserId }, timestamp: at + 1, read: { mid: "aWdfunknown" } },
    ]);
    expect(other.body.results[1]).toEqual({ kind: "read_watermark", status: "unchanged", count: 0 });
  });

  it("sends through graph.facebook.com/{v}/me/messages with a linked Page's token; mark_seen", async () => {
    const { owner, say, igsid, id, token } = await setup("page");
    await say("hello");
    const conv = await conversationOf(owner);
    const m = await reply(owner, conv.id, { text: "hey" });
    await waitForState(owner, conv.id, m, "sent");
    const [send] = fake.sends(igsid);
    expect([send!.host, send!.path, send!.authorization]).toEqual([
      "graph",
      "/v21.0/me/messages",
      `Bearer ${token}`,
    ]);

    const conn = { id, workspaceId: owner.workspaceId!, type: "instagram" };
    const [row] = await t.server.ctx.db.query<{ credentials_enc: string }>(
      "select credentials_enc from channel_connections where id = $1",
      [id],
    );
    await instagramChannel.markSeen!(
      {
        ...conn,
        credentials: t.server.ctx.secrets.open(row!.credentials_enc),
        settings: { humanAgentTag: false },
      },
      { externalContactId: igsid, providerMessageId: "x" },
      adapterContext(t.server.ctx, conn),
    );
    expect(fake.sends(igsid).at(-1)!.body).toEqual({ recipient: { id: igsid }, sender_action: "mark_seen" });
  });
});

describe("Instagram errors", () => {
  it("maps 10/2534022 to window_closed, refuses more than 1000 bytes without a request, retries a rate limit", async () => {
    const { owner, say, igsid } = await setup();
    await say("hello");
    const conv = await conversationOf(owner);
    fake.advance(25 * 3600_000);
    try {
      const late = await reply(owner, conv.id, { text: "late" });
      const m = await waitForState(owner, conv.id, late, "failed");
      expect(m.delivery.failureReason).toBe("window_closed");
      expect(m.delivery.failureDetail).toMatch(/10\/2534022/);
    } finally {
      fake.advance(-25 * 3600_000);
    }

    const before = fake.sends(igsid).length;
    // 600 Cyrillic letters: 600 characters, 1200 bytes.
    const big = await owner.post(`/api/conversations/${conv.id}/messages`, { text: "ж".repeat(600) });
    expect(big.status).toBe(400);
    expect(big.body.error.message).toMatch(/^Instagram takes at most 1000 bytes .*this one has 1200\./);
    expect(fake.sends(igsid).length).toBe(before);

    fake.inject({
      status: 400,
      headers: { "retry-after": "1" },
      error: { message: "(#4) Application request limit reached", code: 4 },
    });
    const later = await reply(owner, conv.id, { text: "ж".repeat(500) });
    const ok = await waitForState(owner, conv.id, later, "sent", 10_000);
    expect(ok.providerMessageId).toMatch(/^aWdf/);
    expect(fake.sends(igsid).length).toBe(before + 2);
  });
});
