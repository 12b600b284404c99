import crypto from "node:crypto";

/**
 * The comment side of the Meta Graph fake (R451): posts and comments the tests create, the Graph endpoints
 * Parley calls for them and the webhook bodies Meta sends about them.
 *
 * API: `GET /:v/:post-id` (Facebook `message,permalink_url,full_picture`; Instagram `caption,permalink,
 * media_url,thumbnail_url,media_type`), public replies (`POST /:v/:comment-id/comments` on Facebook,
 * `/replies` on Instagram → `{id}`), hide / unhide (`POST /:v/:comment-id` with `is_hidden` / `hide`), delete
 * (`DELETE /:v/:comment-id`), and private replies through the Send API (`recipient: {comment_id}`): one per
 * comment (#10900), within 7 days of it (#10903), on the fake's clock.
 */

export interface FakePost {
  id: string;
  platform: "messenger" | "instagram";
  /** The Page or Instagram account the post belongs to. */
  accountId: string;
  text: string;
  permalink: string;
  picture: string | null;
}

export interface FakeComment {
  id: string;
  postId: string;
  platform: "messenger" | "instagram";
  from: { id: string; name: string };
  text: string;
  createdAt: number;
  hidden: boolean;
  deleted: boolean;
  privateReplies: number;
  replies: { id: string; text: string }[];
}

type GraphErr = {
  status: number;
  error: { message: string; code: number; error_subcode?: number; type?: string };
};
type Answer = { status: 200; body: unknown } | GraphErr;

const DAY = 86400_000;

export function commentState(now: () => number) {
  const posts = new Map<string, FakePost>();
  const comments = new Map<string, FakeComment>();
  let n = 0;
  let pendingEcho: { comment: FakeComment; reply: { id: string; text: string } } | null = null;
  const notFound = (id: string): GraphErr => ({
    status: 400,
    error: {
      message: `Unsupported post request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
      type: "GraphMethodException",
      code: 100,
      error_subcode: 33,
    },
  });

  return {
    posts,
    comments,
    addPost(p: FakePost) {
      posts.set(p.id, p);
      return p;
    },
    /** A customer's comment under a post (its id as Meta makes them: `<post>_<n>` on Facebook). */
    addComment(postId: string, from: { id: string; name: string }, text: string): FakeComment {
      const post = posts.get(postId);
      const platform = post?.platform ?? "messenger";
      const id =
        platform === "messenger"
          ? `${postId.split("_").pop()}_${++n}${Date.now() % 1e6}`
          : `1789${++n}${Date.now() % 1e9}`;
      const c: FakeComment = {
        id,
        postId,
        platform,
        from,
        text,
        createdAt: now(),
        hidden: false,
        deleted: false,
        privateReplies: 0,
        replies: [],
      };
      comments.set(id, c);
      return c;
    },

    /**
     * When set, a public reply's own webhook (Meta tells the Page about its new comment) is posted through this
     * before the reply's answer goes back, as it can happen at Meta: the echo arrives while the send waits.
     */
    onPublicReply: null as
      | null
      | ((comment: FakeComment, reply: { id: string; text: string }) => Promise<unknown>),
    /** The public reply just made, for its echo (once). */
    takeEcho() {
      const e = pendingEcho;
      pendingEcho = null;
      return e;
    },
    /** Whether a Graph node is one of the fake's posts or comments. */
    knows: (node: string) => posts.has(node) || comments.has(node),
    /** Answers a Graph call about posts and comments, or null when it is not one. */
    handle(
      method: string,
      node: string,
      edge: string | undefined,
      query: Record<string, string>,
      body: any,
    ): Answer | null {
      const post = posts.get(node);
      if (method === "GET" && post && !edge) {
        const fields = (query.fields ?? "").split(",");
        const all: Record<string, unknown> =
          post.platform === "messenger"
            ? { message: post.text, permalink_url: post.permalink, full_picture: post.picture }
            : {
                caption: post.text,
                permalink: post.permalink,
                media_url: post.picture,
                media_type: "IMAGE",
              };
        const out: Record<string, unknown> = { id: post.id };
        for (const f of fields) if (all[f] !== undefined && all[f] !== null) out[f] = all[f];
        return { status: 200, body: out };
      }
      const c = comments.get(node);
      if (!c) return null;
      if (c.deleted) return notFound(node);
      if (method === "DELETE" && !edge) {
        c.deleted = true;
        return { status: 200, body: { success: true } };
      }
      if (method === "POST" && !edge) {
        const flag = c.platform === "messenger" ? body?.is_hidden : body?.hide;
        if (typeof flag !== "boolean")
          return { status: 400, error: { message: "(#100) Missing is_hidden / hide", code: 100 } };
        c.hidden = flag;
        return { status: 200, body: { success: true } };
      }
      const replyEdge = c.platform === "messenger" ? "comments" : "replies";
      if (method === "POST" && edge === replyEdge) {
        if (typeof body?.message !== "string" || !body.message)
          return { status: 400, error: { message: "(#100) The parameter message is required", code: 100 } };
        const id = `${c.id}_r${++n}`;
        c.replies.push({ id, text: body.message });
        pendingEcho = { comment: c, reply: { id, text: body.message } };
        return { status: 200, body: { id } };
      }
      return null;
    },

    /** A private reply (`recipient: {comment_id}`): once per comment, within 7 days. Null when not one. */
    privateReply(body: any): Answer | null {
      const id = body?.recipient?.comment_id;
      if (typeof id !== "string") return null;
      const c = comments.get(id);
      if (!c || c.deleted) return notFound(id);
      if (c.privateReplies > 0)
        return { status: 400, error: { message: "(#10900) Activity already replied to", code: 10900 } };
      if (now() - c.createdAt > 7 * DAY)
        return { status: 400, error: { message: "(#10903) This activity can't be replied to", code: 10903 } };
      c.privateReplies++;
      return {
        status: 200,
        body: { recipient_id: c.from.id, message_id: `m_private_${crypto.randomBytes(6).toString("hex")}` },
      };
    },
  };
}

/** Webhook bodies about comments: Page `feed` changes and Instagram `comments` / `mentions`. */
export const commentWebhook = {
  feed: (pageId: string, value: Record<string, unknown>, time = Date.now()) => ({
    object: "page",
    entry: [{ id: pageId, time, changes: [{ field: "feed", value }] }],
  }),
  /** A Page `feed` comment change about a fake comment. */
  feedComment: (c: FakeComment, verb: "add" | "edited" | "remove", extra: Record<string, unknown> = {}) => ({
    item: "comment",
    verb,
    comment_id: c.id,
    post_id: c.postId,
    parent_id: c.postId,
    from: c.from,
    message: c.text,
    created_time: Math.floor(c.createdAt / 1000),
    post: { id: c.postId, status_type: "added_photos", is_published: true },
    ...extra,
  }),
  instagram: (
    igId: string,
    field: "comments" | "mentions",
    value: Record<string, unknown>,
    time = Date.now(),
  ) => ({
    object: "instagram",
    entry: [{ id: igId, time, changes: [{ field, value }] }],
  }),
  /** An Instagram `comments` value about a fake comment. */
  igComment: (c: FakeComment, extra: Record<string, unknown> = {}) => ({
    id: c.id,
    text: c.text,
    from: { id: c.from.id, username: c.from.name },
    media: { id: c.postId, media_product_type: "FEED" },
    ...extra,
  }),
};
