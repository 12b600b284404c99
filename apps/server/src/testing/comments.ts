import { commentWebhook, type MetaFake } from "./fakes/meta";
import type { FakeComment } from "./fakes/meta-comments";
import { type Client, newWorkspace, unique } from "./harness";
import type { TestEnv } from "./use-test-server";

let ids = 0;
export const digits = () => `${Date.now()}${++ids}`.slice(-15);

/**
 * A Messenger (Facebook Page) or Instagram connection talking to the Meta fake, with a post of the account
 * and helpers that post signed comment webhooks about it.
 */
export async function commentConnection(t: TestEnv, fake: MetaFake, platform: "messenger" | "instagram") {
  const { owner, workspaceId } = await newWorkspace(t);
  const accountId = digits();
  const token = unique("token");
  const appSecret = unique("secret");
  fake.addAccount(token, {
    platform,
    accountId,
    host: platform === "messenger" ? "graph" : "instagram",
  });
  const credentials =
    platform === "messenger"
      ? { pageId: accountId, pageAccessToken: token, appSecret }
      : { igUserId: accountId, instagramAccessToken: token, appSecret };
  const r = await owner.post("/api/connections", { type: platform, name: unique(platform), credentials });
  if (r.status !== 201) throw new Error(`connection failed: ${r.status} ${JSON.stringify(r.body)}`);
  const connectionId = r.body.connection.id as string;
  const url = `${t.url}/api/webhooks/${platform}/${connectionId}`;
  const newPost = (text = unique("Our new collection")) =>
    fake.comments.addPost({
      id: platform === "messenger" ? `${accountId}_${digits()}` : digits(),
      platform,
      accountId,
      text,
      permalink: `https://www.example.com/posts/${digits()}`,
      picture: fake.cdn(`${unique("post")}.png`, PNG, "image/png", 60 * 60_000),
    });
  const post = newPost();
  const person = (name = unique("Commenter")) => ({ id: digits(), name });
  /** Posts the signed webhook Meta sends about a comment (Facebook: `verb`; Instagram: new comments only). */
  const hook = (
    c: FakeComment,
    verb: "add" | "edited" | "remove" = "add",
    extra: Record<string, unknown> = {},
    opts: { signature?: string } = {},
  ) =>
    fake.webhook(
      url,
      platform === "messenger"
        ? commentWebhook.feed(accountId, commentWebhook.feedComment(c, verb, extra))
        : commentWebhook.instagram(accountId, "comments", commentWebhook.igComment(c, extra)),
      { appSecret, ...opts },
    );
  /** A customer comments on the post: the fake knows the comment and the webhook is posted. */
  const comment = async (from = person(), text = unique("Is it in stock?"), on = post) => {
    const c = fake.comments.addComment(on.id, from, text);
    const res = await hook(c);
    return { c, res };
  };
  return {
    owner,
    workspaceId,
    connectionId,
    url,
    accountId,
    token,
    appSecret,
    post,
    newPost,
    person,
    hook,
    comment,
  };
}

export const conversationsOf = async (owner: Client, query = "") =>
  (await owner.get(`/api/conversations${query}`)).body.conversations as any[];
export const feedOf = async (owner: Client, id: string) =>
  ((await owner.get(`/api/conversations/${id}/messages`)).body.messages as any[]).filter(
    (m) => m.kind === "message",
  );

/** A 1×1 PNG. */
export const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
  "base64",
);
