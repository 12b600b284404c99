import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MovableClock } from "../../lib/time";
import { commentConnection, feedOf } from "../../testing/comments";
import { messageInState } from "../../testing/delivery";
import { commentWebhook, type MetaFake, startMetaFake } from "../../testing/fakes/meta";
import { addUser, type Client } from "../../testing/harness";
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

const DAY = 86400_000;

async function reply(owner: Client, convId: string, body: Record<string, unknown>) {
  const r = await owner.post(`/api/conversations/${convId}/messages`, body);
  if (r.status !== 201) throw new Error(`reply refused: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.message;
}

describe("Replying to comments (R451)", () => {
  for (const platform of ["messenger", "instagram"] as const) {
    it(`${platform}: a public reply goes under the comment and is marked public; a private one goes once to the commenter's inbox`, async () => {
      const s = await commentConnection(t, fake, platform);
      const { c, res } = await s.comment(s.person(), "How much is shipping?");
      const convId = res.body.results[0].conversationId;

      const detail = (await s.owner.get(`/api/conversations/${convId}`)).body.conversation;
      expect(detail.commentReplies).toMatchObject({
        public: { allowed: true, reason: null },
        private: { allowed: true, reason: null },
      });
      expect(detail.window.allowed).toBe(true);

      const pub = await reply(s.owner, convId, { text: "Free over 50 €", commentReply: "public" });
      expect(pub.comment).toEqual({ postId: s.post.id, mode: "public", replyTo: c.id });
      await messageInState(s.owner, convId, pub.id, "sent");
      expect(c.replies.map((r) => r.text)).toEqual(["Free over 50 €"]);
      const call = fake.requests.find(
        (r) =>
          r.method === "POST" &&
          r.path.endsWith(`/${c.id}/${platform === "messenger" ? "comments" : "replies"}`),
      )!;
      expect(call.body).toEqual({ message: "Free over 50 €" });
      expect(call.host).toBe(platform === "messenger" ? "graph" : "instagram");
      const [, sentPub] = await feedOf(s.owner, convId);
      expect(sentPub.providerMessageId).toBe(c.replies[0]!.id);

      const priv = await reply(s.owner, convId, { text: "I sent you a code", commentReply: "private" });
      await messageInState(s.owner, convId, priv.id, "sent");
      const sent = fake.requests.find((r) => r.body?.recipient?.comment_id === c.id)!;
      expect(sent.body.message.text).toBe("I sent you a code");
      expect(c.privateReplies).toBe(1);

      // Once per comment: the second is refused before it reaches Meta, with the reason.
      const again = await s.owner.post(`/api/conversations/${convId}/messages`, {
        text: "one more",
        commentReply: "private",
      });
      expect(again.status).toBe(422);
      expect(again.body.error.code).toBe("window_closed");
      expect(again.body.error.message).toMatch(/already has its private reply/);
      const after = (await s.owner.get(`/api/conversations/${convId}`)).body.conversation;
      expect(after.commentReplies.private).toMatchObject({ allowed: false });
      expect(after.commentReplies.private.reason).toMatch(/one per comment/);
      expect(after.commentReplies.public.allowed).toBe(true);
      expect(c.privateReplies).toBe(1);

      // Files do not go under comments; commentReply means nothing in direct messages.
      const files = await s.owner.post(`/api/conversations/${convId}/messages`, {
        text: "pic",
        attachments: [{ name: "a.png", mimeType: "image/png", size: 1, url: "/api/files/x" }],
      });
      expect(files.status).toBe(400);
    });
  }

  it("a private reply after 7 days is refused with the reason (movable clock); a public one still goes", async () => {
    const s = await commentConnection(t, fake, "messenger");
    const { res } = await s.comment(s.person(), "Still available?");
    const convId = res.body.results[0].conversationId;
    clock.advance(7 * DAY + 60_000);
    fake.advance(7 * DAY + 60_000);
    {
      const late = await s.owner.post(`/api/conversations/${convId}/messages`, {
        text: "sorry for the wait",
        commentReply: "private",
      });
      expect(late.status).toBe(422);
      expect(late.body.error.message).toMatch(/within 7 days of the comment/);
      const detail = (await s.owner.get(`/api/conversations/${convId}`)).body.conversation;
      expect(detail.commentReplies.private.allowed).toBe(false);
      const pub = await reply(s.owner, convId, { text: "Yes, still here" });
      expect(pub.comment.mode).toBe("public");
      await messageInState(s.owner, convId, pub.id, "sent");
    }
  });

  it("hides, unhides and deletes comments at the provider; a refusal is a clear 422; others cannot", async () => {
    const s = await commentConnection(t, fake, "messenger");
    const { c, res } = await s.comment(s.person(), "spam spam");
    const convId = res.body.results[0].conversationId;
    const [m] = await feedOf(s.owner, convId);

    const hidden = await s.owner.put(`/api/messages/${m.id}/comment-visibility`, { hidden: true });
    expect(hidden.status).toBe(200);
    expect(hidden.body.message.comment.hidden).toBe(true);
    expect(c.hidden).toBe(true);
    const hideCall = fake.requests.findLast((r) => r.method === "POST" && r.path.endsWith(`/${c.id}`))!;
    expect(hideCall.body).toEqual({ is_hidden: true });
    const shown = await s.owner.put(`/api/messages/${m.id}/comment-visibility`, { hidden: false });
    expect(shown.body.message.comment.hidden).toBe(false);
    expect(c.hidden).toBe(false);

    // An agent not responsible for the conversation (the owner's) may not moderate it.
    const assigned = await s.owner.post(`/api/conversations/${convId}/assign`, {
      assigneeId: s.owner.user!.id,
    });
    expect(assigned.status).toBe(200);
    const { client: agent } = await addUser(t, s.owner, "agent");
    const denied = await agent.put(`/api/messages/${m.id}/comment-visibility`, { hidden: true });
    expect([403, 404]).toContain(denied.status);
    expect(c.hidden).toBe(false);

    fake.inject({ status: 400, error: { message: "(#200) Permissions error", code: 200 } });
    const refused = await s.owner.delete(`/api/messages/${m.id}/comment`);
    expect(refused.status).toBe(422);
    expect(refused.body.error.message).toMatch(/refused to delete the comment: Facebook error 200/);
    expect(c.deleted).toBe(false);

    const deleted = await s.owner.delete(`/api/messages/${m.id}/comment`);
    expect(deleted.status).toBe(200);
    expect(deleted.body.message.comment.deletedAt).toEqual(expect.any(String));
    expect(c.deleted).toBe(true);
    const twice = await s.owner.delete(`/api/messages/${m.id}/comment`);
    expect(twice.status).toBe(409);

    // Nothing left to answer: a reply is refused with the reason.
    const late = await s.owner.post(`/api/conversations/${convId}/messages`, { text: "hello?" });
    expect(late.status).toBe(422);
    expect(late.body.error.message).toMatch(/deleted/);
  });

  it("the echo of our own public reply, arriving while the reply is being sent, is not stored twice", async () => {
    const s = await commentConnection(t, fake, "messenger");
    const { c, res } = await s.comment(s.person(), "Do you deliver on Sundays?");
    const convId = res.body.results[0].conversationId;
    const page = { id: s.accountId, name: "Our Page" };
    const echoOf = (reply: { id: string; text: string }) =>
      fake.webhook(
        s.url,
        commentWebhook.feed(s.accountId, {
          ...commentWebhook.feedComment({ ...c, id: reply.id, from: page, text: reply.text }, "add"),
          parent_id: c.id,
        }),
        { appSecret: s.appSecret },
      );
    const echoes: { status: number; body: any }[] = [];
    fake.comments.onPublicReply = async (_comment, reply) => {
      echoes.push(await echoOf(reply));
    };
    try {
      const pub = await reply(s.owner, convId, { text: "Yes, until noon" });
      await messageInState(s.owner, convId, pub.id, "sent");
    } finally {
      fake.comments.onPublicReply = null;
    }
    expect(echoes).toHaveLength(1);
    expect(echoes[0]!.body.results[0]).toMatchObject({ kind: "ignored" });
    expect(echoes[0]!.body.results[0].reason).toMatch(/own public reply being sent/);
    // Meta's retry of the echo after the send was recorded: a duplicate of the reply.
    const retry = await echoOf(c.replies[0]!);
    expect(retry.body.results[0]).toMatchObject({ status: "duplicate", conversationId: convId });
    const outbound = (await feedOf(s.owner, convId)).filter((m) => m.direction === "outbound");
    expect(outbound.map((m) => [m.text, m.providerMessageId])).toEqual([
      ["Yes, until noon", c.replies[0]!.id],
    ]);
  });

  it("Instagram hides with `hide`", async () => {
    const s = await commentConnection(t, fake, "instagram");
    const { c, res } = await s.comment(s.person(), "rude words");
    const [m] = await feedOf(s.owner, res.body.results[0].conversationId);
    const r = await s.owner.put(`/api/messages/${m.id}/comment-visibility`, { hidden: true });
    expect(r.status).toBe(200);
    const call = fake.requests.findLast((x) => x.method === "POST" && x.path.endsWith(`/${c.id}`))!;
    expect(call.body).toEqual({ hide: true });
    expect(call.host).toBe("instagram");
  });
});
