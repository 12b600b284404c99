/**
 * The mentions side of the Meta Graph fake (R451): media of other accounts in which the business's Instagram
 * account is @mentioned (in the caption, or in a comment), the Graph reads Parley makes about them and the
 * replies it posts.
 *
 * API: `GET /:v/:ig-user-id?fields=mentioned_comment.comment_id(<id>){text,timestamp,username,from,media{…}}`
 * and `…?fields=mentioned_media.media_id(<id>){caption,media_url,permalink,timestamp,username}` → `{<field>:
 * {…}, id}` with the requested fields; media its owner made private (or that is gone) → 400
 * GraphMethodException 100/33; after `failReads(n)` the next n reads answer 500 (code 2, temporary).
 * Replies: `POST /:v/:ig-user-id/mentions` with `media_id`, optional `comment_id` and `message` → `{id}` (a
 * missing media id or message → 400 #100). Webhook bodies:
 * `commentWebhook.instagram(igId, "mentions", mentionWebhook.comment(c) | mentionWebhook.caption(m))`.
 */

export interface FakeMentionMedia {
  id: string;
  owner: { id: string; username: string };
  caption: string;
  permalink: string;
  picture: string | null;
  timestamp: string;
  /** false: the owner made it private or removed it, and the Graph API will not show it. */
  readable: boolean;
}

export interface FakeMentionComment {
  id: string;
  mediaId: string;
  from: { id: string; username: string };
  text: string;
  timestamp: string;
}

type Answer =
  | { status: 200; body: unknown }
  | { status: number; error: { message: string; code: number; error_subcode?: number; type?: string } };

export function mentionState(now: () => number) {
  const media = new Map<string, FakeMentionMedia>();
  const comments = new Map<string, FakeMentionComment>();
  const replies: { id: string; mediaId: string; commentId: string | null; message: string }[] = [];
  let n = 0;
  let outages = 0;
  const nextId = () => `1795${++n}${Date.now() % 1e9}`;
  const unreadable = (id: string): Answer => ({
    status: 400,
    error: {
      message: `Unsupported get request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
      type: "GraphMethodException",
      code: 100,
      error_subcode: 33,
    },
  });
  /** `name(<id>){a,b,c{d}}` → the id and the top-level field names. */
  const expansion = (fields: string, name: string) => {
    const m = fields.match(new RegExp(`^${name.replace(".", "\\.")}\\(([^)]+)\\)\\{(.*)\\}$`));
    if (!m) return null;
    const wanted = m[2]!
      .replace(/\{[^}]*\}/g, "")
      .split(",")
      .filter(Boolean);
    return { id: m[1]!, wanted: new Set(wanted) };
  };
  const pick = (all: Record<string, unknown>, wanted: Set<string>) =>
    Object.fromEntries(Object.entries(all).filter(([k, v]) => wanted.has(k) && v !== null));

  return {
    media,
    comments,
    replies,
    /** Someone else's post; `readable: false` is one the Graph API refuses to show. */
    addMedia(owner: { id: string; username: string }, caption: string, opts: Partial<FakeMentionMedia> = {}) {
      const m: FakeMentionMedia = {
        id: nextId(),
        owner,
        caption,
        permalink: `https://www.instagram.com/p/${n}x${Date.now() % 1e6}/`,
        picture: null,
        timestamp: new Date(now()).toISOString(),
        readable: true,
        ...opts,
      };
      media.set(m.id, m);
      return m;
    },
    /** A comment on that post that @mentions the account. */
    addComment(mediaId: string, from: { id: string; username: string }, text: string) {
      const c: FakeMentionComment = {
        id: nextId(),
        mediaId,
        from,
        text,
        timestamp: new Date(now()).toISOString(),
      };
      comments.set(c.id, c);
      return c;
    },
    /** The next `count` mention reads answer 500 with Meta's temporary error (code 2). */
    failReads(count: number) {
      outages = count;
    },
    /** Answers a Graph call about mentions of the account, or null when it is not one. */
    handle(
      method: string,
      edge: string | undefined,
      query: Record<string, string>,
      body: any,
    ): Answer | null {
      const fields = query.fields ?? "";
      if (method === "GET" && !edge && fields.startsWith("mentioned_") && outages > 0) {
        outages--;
        return {
          status: 500,
          error: { message: "An unexpected error has occurred. Please retry your request later.", code: 2 },
        };
      }
      if (method === "GET" && !edge) {
        const onComment = expansion(fields, "mentioned_comment.comment_id");
        if (onComment) {
          const c = comments.get(onComment.id);
          const m = c ? media.get(c.mediaId) : undefined;
          if (!c || !m?.readable) return unreadable(onComment.id);
          const all = {
            id: c.id,
            text: c.text,
            timestamp: c.timestamp,
            username: c.from.username,
            from: { id: c.from.id, username: c.from.username },
            media: {
              id: m.id,
              permalink: m.permalink,
              media_url: m.picture ?? undefined,
              caption: m.caption,
            },
          };
          return { status: 200, body: { mentioned_comment: { id: c.id, ...pick(all, onComment.wanted) } } };
        }
        const onMedia = expansion(fields, "mentioned_media.media_id");
        if (onMedia) {
          const m = media.get(onMedia.id);
          if (!m?.readable) return unreadable(onMedia.id);
          const all = {
            caption: m.caption,
            media_url: m.picture,
            permalink: m.permalink,
            timestamp: m.timestamp,
            username: m.owner.username,
          };
          return { status: 200, body: { mentioned_media: { id: m.id, ...pick(all, onMedia.wanted) } } };
        }
        return null;
      }
      if (method === "POST" && edge === "mentions") {
        const mediaId = body?.media_id;
        const commentId = body?.comment_id ?? null;
        if (typeof mediaId !== "string" || typeof body?.message !== "string" || !body.message)
          return {
            status: 400,
            error: { message: "(#100) The parameters media_id and message are required", code: 100 },
          };
        const m = media.get(mediaId);
        if (!m?.readable) return unreadable(mediaId);
        if (commentId !== null && comments.get(commentId)?.mediaId !== mediaId) return unreadable(commentId);
        const id = nextId();
        replies.push({ id, mediaId, commentId, message: body.message });
        return { status: 200, body: { id } };
      }
      return null;
    },
  };
}

/** The `mentions` webhook values Meta sends: a comment mention carries the comment's id, a caption's only the media's. */
export const mentionWebhook = {
  comment: (c: FakeMentionComment) => ({ media_id: c.mediaId, comment_id: c.id }),
  caption: (m: FakeMentionMedia) => ({ media_id: m.id }),
};
