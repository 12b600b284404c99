import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MovableClock } from "../../lib/time";
import { commentConnection, conversationsOf, digits, feedOf, PNG } from "../../testing/comments";
import { messageInState } from "../../testing/delivery";
import { commentWebhook, type MetaFake, mentionWebhook, startMetaFake } from "../../testing/fakes/meta";
import { unique } from "../../testing/harness";
import { jobsSettled } from "../../testing/settled";
import { useTestServer } from "../../testing/use-test-server";

let fake: MetaFake;
beforeAll(async () => {
  fake = await startMetaFake();
});
afterAll(async () => {
  await fake.close();
});

const clock = new MovableClock();
const t = useTestServer(() => ({
  clock,
  env: { GRAPH_API_BASE: fake.graphUrl, GRAPH_API_VERSION: "v21.0", INSTAGRAM_API_BASE: fake.instagramUrl },
}));

type Conn = Awaited<ReturnType<typeof commentConnection>>;
const mention = (s: Conn, value: Record<string, unknown>) =>
  fake.webhook(s.url, commentWebhook.instagram(s.accountId, "mentions", value), { appSecret: s.appSecret });
const account = (name: string) => ({ id: digits(), username: unique(name) });
const mentionReads = (s: Conn) =>
  fake.requests.filter(
    (r) =>
      r.method === "GET" && r.path === `/v21.0/${s.accountId}` && r.query.fields?.startsWith("mentioned_"),
  );

describe("Instagram mentions arrive as comment conversations (R451)", () => {
  it("a comment mention is recorded by the webhook, read by a job and kept as a conversation about the media; Meta's retry is a duplicate", async () => {
    const s = await commentConnection(t, fake, "instagram");
    const blogger = account("blogger");
    const post = fake.mentions.addMedia(blogger, "My new coat", {
      picture: fake.cdn(`${unique("media")}.png`, PNG, "image/png", 60 * 60_000),
    });
    const fan = account("fan");
    const c = fake.mentions.addComment(post.id, fan, "@our_shop do you have it in red?");

    const first = await mention(s, mentionWebhook.comment(c));
    expect(first.status).toBe(200);
    // The webhook only records it: nothing is stored as a message while Meta waits.
    expect(first.body.results).toEqual([{ kind: "mention", status: "queued" }]);
    const again = await mention(s, mentionWebhook.comment(c));
    expect(again.body.results).toEqual([{ kind: "mention", status: "duplicate" }]);

    await jobsSettled(t.server);
    const list = await conversationsOf(s.owner, "?kind=comment");
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ kind: "comment", postId: post.id });
    expect(list[0].contact.nickname).toBe(fan.username);
    expect(await conversationsOf(s.owner, "?kind=direct")).toHaveLength(0);
    const feed = await feedOf(s.owner, list[0].id);
    expect(feed).toHaveLength(1);
    expect(feed[0]).toMatchObject({
      direction: "inbound",
      text: c.text,
      providerMessageId: c.id,
      comment: { postId: post.id, mention: "comment" },
    });
    // Read once (the retry queued nothing), with the documented fields.
    const reads = mentionReads(s);
    expect(reads).toHaveLength(1);
    expect(reads[0]!.host).toBe("instagram");
    expect(reads[0]!.query.fields).toBe(
      `mentioned_comment.comment_id(${c.id}){text,timestamp,username,from,media{id,permalink,media_url,caption}}`,
    );

    // The media is the post above the thread, from the mention's own read (not asked for as one of ours).
    const got = (await s.owner.get(`/api/conversations/${list[0].id}/post`)).body.post;
    expect(got).toMatchObject({
      postId: post.id,
      text: post.caption,
      permalinkUrl: post.permalink,
      error: null,
    });
    expect(got.pictureUrl).toMatch(/^\/api\/files\//);
    expect((await s.owner.get(got.pictureUrl)).status).toBe(200);
    expect(fake.requests.filter((r) => r.path.endsWith(`/${post.id}`))).toHaveLength(0);

    // Another mention by the same person under the same media: the same conversation.
    const c2 = fake.mentions.addComment(post.id, fan, "@our_shop and in blue?");
    expect((await mention(s, mentionWebhook.comment(c2))).body.results[0].status).toBe("queued");
    await jobsSettled(t.server);
    expect(await conversationsOf(s.owner)).toHaveLength(1);
    expect((await feedOf(s.owner, list[0].id)).map((m) => m.text)).toEqual([c.text, c2.text]);
  });

  it("a caption mention is a conversation with the media's owner; it is answered publicly through the mentions endpoint, and a private reply is refused with the reason", async () => {
    const s = await commentConnection(t, fake, "instagram");
    const blogger = account("blogger");
    const post = fake.mentions.addMedia(blogger, "Wearing @our_shop today");
    expect((await mention(s, mentionWebhook.caption(post))).body.results).toEqual([
      { kind: "mention", status: "queued" },
    ]);
    await jobsSettled(t.server);
    const [conv] = await conversationsOf(s.owner, "?kind=comment");
    expect(conv.contact.nickname).toBe(blogger.username);
    const [m] = await feedOf(s.owner, conv.id);
    expect(m).toMatchObject({
      text: post.caption,
      providerMessageId: post.id,
      comment: { mention: "caption" },
    });
    expect(mentionReads(s)[0]!.query.fields).toBe(
      `mentioned_media.media_id(${post.id}){caption,media_url,permalink,timestamp,username}`,
    );

    const detail = (await s.owner.get(`/api/conversations/${conv.id}`)).body.conversation;
    expect(detail.commentReplies).toMatchObject({
      commentMessageId: m.id,
      mention: "caption",
      public: { allowed: true },
      private: { allowed: false },
    });
    expect(detail.commentReplies.private.reason).toMatch(/not possible to a caption mention/);
    const priv = await s.owner.post(`/api/conversations/${conv.id}/messages`, {
      text: "Thanks!",
      commentReply: "private",
    });
    expect(priv.status).toBe(422);
    expect(priv.body.error.code).toBe("window_closed");
    expect(priv.body.error.message).toMatch(/caption mention/);

    const pub = await s.owner.post(`/api/conversations/${conv.id}/messages`, {
      text: "Thank you for wearing it!",
      commentReply: "public",
    });
    expect(pub.status).toBe(201);
    await messageInState(s.owner, conv.id, pub.body.message.id, "sent");
    expect(fake.mentions.replies.filter((r) => r.mediaId === post.id)).toEqual([
      { id: expect.any(String), mediaId: post.id, commentId: null, message: "Thank you for wearing it!" },
    ]);
    const call = fake.requests.find(
      (r) => r.method === "POST" && r.path === `/v21.0/${s.accountId}/mentions`,
    )!;
    expect(call.host).toBe("instagram");
    expect(call.body).toEqual({ media_id: post.id, message: "Thank you for wearing it!" });
    const sent = (await feedOf(s.owner, conv.id)).find((x) => x.id === pub.body.message.id);
    expect(sent.providerMessageId).toBe(fake.mentions.replies.find((r) => r.mediaId === post.id)!.id);
    expect(sent.comment).toMatchObject({ mode: "public", replyTo: post.id });
  });

  it("a reply to a comment mention names the comment; the mention cannot be hidden or deleted from Parley", async () => {
    const s = await commentConnection(t, fake, "instagram");
    const post = fake.mentions.addMedia(account("blogger"), "Autumn looks");
    const c = fake.mentions.addComment(post.id, account("fan"), "@our_shop where is this from?");
    await mention(s, mentionWebhook.comment(c));
    await jobsSettled(t.server);
    const [conv] = await conversationsOf(s.owner);
    const [m] = await feedOf(s.owner, conv.id);
    const detail = (await s.owner.get(`/api/conversations/${conv.id}`)).body.conversation;
    expect(detail.commentReplies.mention).toBe("comment");
    expect(detail.commentReplies.private.reason).toMatch(/only to comments on the account's own posts/);

    // Written without a choice (as a bot's reply is): a public reply under the mention.
    const r = await s.owner.post(`/api/conversations/${conv.id}/messages`, { text: "From our autumn line" });
    expect(r.status).toBe(201);
    await messageInState(s.owner, conv.id, r.body.message.id, "sent");
    expect(fake.mentions.replies.filter((x) => x.mediaId === post.id)).toEqual([
      { id: expect.any(String), mediaId: post.id, commentId: c.id, message: "From our autumn line" },
    ]);

    const hide = await s.owner.put(`/api/messages/${m.id}/comment-visibility`, { hidden: true });
    expect(hide.status).toBe(400);
    expect(hide.body.error.message).toMatch(/someone else's post/);
  });

  it("a mention on media the account cannot read still becomes a conversation, with Instagram's reason on its message and post, and is not retried", async () => {
    const s = await commentConnection(t, fake, "instagram");
    const hidden = fake.mentions.addMedia(account("private_one"), "@our_shop love it", { readable: false });
    expect((await mention(s, mentionWebhook.caption(hidden))).body.results[0].status).toBe("queued");
    await jobsSettled(t.server);
    const [conv] = await conversationsOf(s.owner, "?kind=comment");
    expect(conv).toMatchObject({ kind: "comment", postId: hidden.id });
    const [m] = await feedOf(s.owner, conv.id);
    expect(m).toMatchObject({
      direction: "inbound",
      providerMessageId: hidden.id,
      comment: { mention: "caption" },
    });
    expect(m.comment.mentionError).toMatch(/^Instagram error 100\/33: .*missing permissions/);
    const post = (await s.owner.get(`/api/conversations/${conv.id}/post`)).body.post;
    expect(post.error).toBe(m.comment.mentionError);
    // A refusal is final: one read, no retries.
    expect(mentionReads(s)).toHaveLength(1);
    // Meta's retry of the webhook changes nothing.
    expect((await mention(s, mentionWebhook.caption(hidden))).body.results[0].status).toBe("duplicate");
    await jobsSettled(t.server);
    expect(await feedOf(s.owner, conv.id)).toHaveLength(1);
  });

  it("a temporary failure to read a mention is retried after its backoff (movable clock), then the mention arrives", async () => {
    const s = await commentConnection(t, fake, "instagram");
    const post = fake.mentions.addMedia(account("blogger"), "Shopping with @our_shop");
    fake.mentions.failReads(1);
    await mention(s, mentionWebhook.caption(post));
    await jobsSettled(t.server);
    expect(mentionReads(s)).toHaveLength(1);
    expect(await conversationsOf(s.owner)).toHaveLength(0);
    // The second try is due 30 s later, by the clock.
    clock.advance(31_000);
    t.server.ctx.jobs.wake();
    await jobsSettled(t.server);
    expect(mentionReads(s)).toHaveLength(2);
    const [conv] = await conversationsOf(s.owner);
    const [m] = await feedOf(s.owner, conv.id);
    expect(m).toMatchObject({ text: post.caption, comment: { mention: "caption" } });
    expect(m.comment.mentionError).toBeUndefined();
  });

  it("a mention webhook without its media id is acknowledged with the reason and stores nothing", async () => {
    const s = await commentConnection(t, fake, "instagram");
    const r = await mention(s, { comment_id: "123" });
    expect(r.status).toBe(200);
    expect(r.body.results[0]).toMatchObject({ kind: "ignored", status: "ignored" });
    expect(r.body.results[0].reason).toMatch(/mention without its media id/);
    await jobsSettled(t.server);
    expect(await conversationsOf(s.owner)).toHaveLength(0);
  });
});
