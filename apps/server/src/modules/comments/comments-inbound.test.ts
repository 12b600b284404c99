import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commentConnection, conversationsOf, feedOf } from "../../testing/comments";
import { eventually } from "../../testing/eventually";
import { commentWebhook, type MetaFake, startMetaFake } from "../../testing/fakes/meta";
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

const t = useTestServer(() => ({
  env: { GRAPH_API_BASE: fake.graphUrl, GRAPH_API_VERSION: "v21.0", INSTAGRAM_API_BASE: fake.instagramUrl },
}));

describe("Comments arrive as conversations (R451)", () => {
  it("Facebook: one conversation per post and commenter, kept apart from direct messages, with the post fetched by a job", async () => {
    const s = await commentConnection(t, fake, "messenger");
    const ann = s.person("Ann Commenter");
    const first = await s.comment(ann, "Is the blue one in stock?");
    expect(first.res.status).toBe(200);
    expect(first.res.body.results[0]).toMatchObject({ kind: "message", status: "created" });
    // The same person again under the same post: the same conversation.
    const second = await s.comment(ann, "And in size M?");
    expect(second.res.body.results[0].conversationId).toBe(first.res.body.results[0].conversationId);
    // Another person, and the same person under another post: conversations of their own.
    const bob = await s.comment(s.person("Bob"), "Price?");
    const other = s.newPost("Summer sale");
    const elsewhere = await s.comment(ann, "Love it", other);
    const ids = new Set([first, bob, elsewhere].map((x) => x.res.body.results[0].conversationId as string));
    expect(ids.size).toBe(3);

    const list = await conversationsOf(s.owner);
    expect(list).toHaveLength(3);
    const annConv = list.find((c) => c.id === first.res.body.results[0].conversationId);
    expect(annConv).toMatchObject({ kind: "comment", postId: s.post.id, contact: { name: "Ann Commenter" } });
    // Ann's two conversations are one contact.
    const annElsewhere = list.find((c) => c.id === elsewhere.res.body.results[0].conversationId);
    expect(annElsewhere.contact.id).toBe(annConv.contact.id);

    const feed = await feedOf(s.owner, annConv.id);
    expect(feed.map((m) => m.text)).toEqual(["Is the blue one in stock?", "And in size M?"]);
    expect(feed[0]).toMatchObject({
      direction: "inbound",
      providerMessageId: first.c.id,
      comment: { postId: s.post.id, parentId: null },
    });

    // The post's details come from the Graph API by a job, after the webhook was answered.
    await jobsSettled(t.server);
    const got = await s.owner.get(`/api/conversations/${annConv.id}/post`);
    expect(got.status).toBe(200);
    expect(got.body.post).toMatchObject({
      postId: s.post.id,
      text: s.post.text,
      permalinkUrl: s.post.permalink,
      error: null,
    });
    expect(got.body.post.pictureUrl).toMatch(/^\/api\/files\//);
    expect(got.body.post.fetchedAt).not.toBeNull();
    const picture = await s.owner.get(got.body.post.pictureUrl);
    expect(picture.status).toBe(200);
    // One look-up per post, not per comment.
    const lookups = fake.requests.filter((r) => r.method === "GET" && r.path.endsWith(`/${s.post.id}`));
    expect(lookups).toHaveLength(1);
    expect(lookups[0]!.query.fields).toBe("message,permalink_url,full_picture");

    // A direct message from the Page's inbox stays a direct conversation, filtered apart from comments.
    const psid = s.person().id;
    const dm = await fake.webhook(
      s.url,
      {
        object: "page",
        entry: [
          {
            id: s.accountId,
            time: Date.now(),
            messaging: [
              {
                sender: { id: psid },
                recipient: { id: s.accountId },
                timestamp: Date.now(),
                message: { mid: unique("m_dm"), text: "Hi in DM" },
              },
            ],
          },
        ],
      },
      { appSecret: s.appSecret },
    );
    expect(dm.body.results[0].status).toBe("created");
    const comments = await conversationsOf(s.owner, "?kind=comment");
    const direct = await conversationsOf(s.owner, "?kind=direct");
    expect(comments).toHaveLength(3);
    expect(comments.every((c) => c.kind === "comment")).toBe(true);
    expect(direct).toHaveLength(1);
    expect(direct[0].kind).toBeUndefined();
    expect((await s.owner.get(`/api/conversations/${direct[0].id}/post`)).body.post).toBeNull();
    // A public or private reply means nothing in direct messages: a clear 400.
    const wrong = await s.owner.post(`/api/conversations/${direct[0].id}/messages`, {
      text: "hi",
      commentReply: "private",
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.message).toMatch(/only for conversations about a comment/);
    const bad = await s.owner.get("/api/conversations?kind=posts");
    expect(bad.status).toBe(400);
  });

  it("Facebook: an edit updates the text and keeps the earlier one; a removal marks it deleted by the customer; duplicates change nothing", async () => {
    const s = await commentConnection(t, fake, "messenger");
    const { c, res } = await s.comment(s.person(), "Waht colour?");
    const convId = res.body.results[0].conversationId;
    // Meta retries the same webhook: nothing new.
    const again = await s.hook(c);
    expect(again.body.results[0].status).toBe("duplicate");

    c.text = "What colour?";
    const edited = await s.hook(c, "edited");
    expect(edited.body.results[0]).toMatchObject({ kind: "comment_changed", status: "updated" });
    const twice = await s.hook(c, "edited");
    expect(twice.body.results[0].status).toBe("unchanged");
    let [m] = await feedOf(s.owner, convId);
    expect(m.text).toBe("What colour?");
    expect(m.comment.edits).toEqual([{ text: "Waht colour?", at: expect.any(String) }]);

    const removed = await s.hook(c, "remove");
    expect(removed.body.results[0]).toMatchObject({ kind: "comment_changed", status: "updated" });
    [m] = await feedOf(s.owner, convId);
    expect(m.comment.removedAt).toEqual(expect.any(String));
    expect(m.text).toBe("What colour?"); // the agents still see what was written
    expect((await feedOf(s.owner, convId)).length).toBe(1);

    // An edit of a comment Parley never saw is acknowledged and changes nothing.
    const unknown = fake.comments.addComment(s.post.id, s.person(), "never delivered");
    const lost = await s.hook(unknown, "edited");
    expect(lost.status).toBe(200);
    expect(lost.body.results[0].status).toBe("unknown_message");
  });

  it("Facebook: the Page's own comment is the business's reply in the commenter's conversation; a comment on another's post is acknowledged and not stored", async () => {
    const s = await commentConnection(t, fake, "messenger");
    const { c, res } = await s.comment(s.person(), "Do you ship abroad?");
    const convId = res.body.results[0].conversationId;
    const page = { id: s.accountId, name: "Our Page" };
    const ours = fake.comments.addComment(s.post.id, page, "Yes, worldwide!");
    const echo = await fake.webhook(
      s.url,
      commentWebhook.feed(s.accountId, commentWebhook.feedComment(ours, "add", { parent_id: c.id })),
      { appSecret: s.appSecret },
    );
    expect(echo.body.results[0]).toMatchObject({ status: "created", conversationId: convId });
    const feed = await feedOf(s.owner, convId);
    expect(feed.map((m) => [m.direction, m.authorType, m.text])).toEqual([
      ["inbound", "contact", "Do you ship abroad?"],
      ["outbound", "user", "Yes, worldwide!"],
    ]);
    expect(feed[1].comment).toMatchObject({ mode: "public", replyTo: c.id });
    expect(await conversationsOf(s.owner)).toHaveLength(1);

    // The Page commenting on its own post, answering nobody: not a customer, nothing stored.
    const alone = fake.comments.addComment(s.post.id, page, "New stock on Monday");
    const lone = await fake.webhook(
      s.url,
      commentWebhook.feed(s.accountId, commentWebhook.feedComment(alone, "add")),
      { appSecret: s.appSecret },
    );
    expect(lone.body.results[0]).toMatchObject({ kind: "ignored", status: "ignored" });
    expect(lone.body.results[0].reason).toMatch(/business itself/);

    // A comment on a post of another page.
    const foreign = await fake.webhook(
      s.url,
      commentWebhook.feed(s.accountId, {
        item: "comment",
        verb: "add",
        comment_id: "999_1",
        post_id: "12345_999",
        parent_id: "12345_999",
        from: { id: "777", name: "Someone" },
        message: "hello",
        created_time: Math.floor(Date.now() / 1000),
      }),
      { appSecret: s.appSecret },
    );
    expect(foreign.status).toBe(200);
    expect(foreign.body.results[0]).toMatchObject({ kind: "ignored", status: "ignored" });
    expect(foreign.body.results[0].reason).toMatch(/belongs to 12345, not to this Page/);
    expect(await conversationsOf(s.owner)).toHaveLength(1);
  });

  it("Instagram: comments and replies to them, the media fetched by a job", async () => {
    const s = await commentConnection(t, fake, "instagram");
    const cat = s.person("cat_lover");
    const { c, res } = await s.comment(cat, "So cute 😍");
    expect(res.status).toBe(200);
    const convId = res.body.results[0].conversationId;
    const [conv] = await conversationsOf(s.owner, "?kind=comment");
    expect(conv).toMatchObject({ id: convId, kind: "comment", postId: s.post.id });
    expect(conv.contact.nickname).toBe("cat_lover");
    const [m] = await feedOf(s.owner, convId);
    expect(m).toMatchObject({ text: "So cute 😍", providerMessageId: c.id });

    await jobsSettled(t.server);
    const post = (await s.owner.get(`/api/conversations/${convId}/post`)).body.post;
    expect(post).toMatchObject({ text: s.post.text, permalinkUrl: s.post.permalink });
    const lookup = fake.requests.find((r) => r.method === "GET" && r.path.endsWith(`/${s.post.id}`))!;
    expect(lookup.host).toBe("instagram");
    expect(lookup.query.fields).toBe("caption,permalink,media_url,thumbnail_url,media_type");
  });

  it("refuses a comment webhook with a bad signature and stores nothing", async () => {
    const s = await commentConnection(t, fake, "messenger");
    const c = fake.comments.addComment(s.post.id, s.person(), "sneaky");
    const r = await s.hook(c, "add", {}, { signature: `sha256=${"0".repeat(64)}` });
    expect(r.status).toBe(401);
    expect(r.body.error.message).toMatch(/signature/);
    const ok = await s.hook(c);
    expect(ok.body.results[0].status).toBe("created");
    await eventually(async () => (await conversationsOf(s.owner)).length === 1);
  });
});
