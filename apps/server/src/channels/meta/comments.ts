import { commentContactId, type InboundEvent } from "../types";
import { FeedComment, InstagramComment, InstagramMention, MetaChange } from "./comment-payloads";

interface CommentParseOptions {
  object: "page" | "instagram";
  /** The Page id (Messenger) or the Instagram account id: comments by it are the business's own. */
  accountId: string;
  now: Date;
}

const at = (t: number | string | undefined, now: Date) => {
  if (typeof t === "number") return new Date(t < 1e12 ? t * 1000 : t);
  if (typeof t === "string" && !Number.isNaN(Date.parse(t))) return new Date(t);
  return now;
};

/**
 * Turns one entry's `changes[]` into comment events (R451): Page `feed` comment changes, Instagram `comments`
 * and `mentions` (ids only: the mention is recorded and read by a job); other items are acknowledged with the
 * reason they are not stored.
 */
export function parseCommentChanges(changes: unknown[], opts: CommentParseOptions): InboundEvent[] {
  const out: InboundEvent[] = [];
  for (const raw of changes) {
    const change = MetaChange.safeParse(raw);
    if (!change.success) continue;
    const { field, value } = change.data;
    if (opts.object === "page" && field === "feed") {
      const c = FeedComment.safeParse(value);
      if (c.success) out.push(...feedEvent(c.data, opts));
    } else if (opts.object === "instagram" && field === "comments") {
      const c = InstagramComment.safeParse(value);
      if (c.success) out.push(instagramEvent(c.data, opts));
      else out.push(ignored(`An Instagram comment without its id, author or media: ${issue(c.error)}`, opts));
    } else if (opts.object === "instagram" && field === "mentions") {
      const m = InstagramMention.safeParse(value);
      if (m.success)
        out.push({
          kind: "mention",
          mediaId: m.data.media_id,
          commentId: m.data.comment_id ?? null,
          at: opts.now,
        });
      else out.push(ignored(`An Instagram mention without its media id: ${issue(m.error)}`, opts));
    }
  }
  return out;
}

function feedEvent(c: FeedComment, opts: CommentParseOptions): InboundEvent[] {
  const when = at(c.created_time, opts.now);
  // A Page post's id is `<page id>_<post id>`: another page's or a person's post is not this connection's.
  const owner = c.post_id.includes("_") ? c.post_id.slice(0, c.post_id.indexOf("_")) : null;
  if (owner !== null && owner !== opts.accountId)
    return [
      ignored(
        `A comment (${c.comment_id}) on post ${c.post_id}, which belongs to ${owner}, not to this Page (${opts.accountId}): not stored.`,
        opts,
      ),
    ];
  if (c.verb === "edited" || c.verb === "edit")
    return [
      {
        kind: "comment_changed",
        providerMessageId: c.comment_id,
        change: "edited",
        text: c.message ?? null,
        at: when,
      },
    ];
  if (c.verb === "remove")
    return [
      { kind: "comment_changed", providerMessageId: c.comment_id, change: "removed", text: null, at: when },
    ];
  if (c.verb !== "add") return [ignored(`A comment ${c.verb} report: nothing to store.`, opts)];
  if (!c.from)
    return [ignored(`A comment (${c.comment_id}) without its author: Meta did not say who wrote it.`, opts)];
  const lines = [c.message, c.photo ? `[Photo: ${c.photo}]` : undefined].filter(Boolean);
  const own = c.from.id === opts.accountId;
  return [
    {
      kind: "message",
      providerMessageId: c.comment_id,
      externalContactId: own ? "" : commentContactId(c.post_id, c.from.id),
      contact: own ? {} : { name: c.from.name ?? null },
      text: lines.length ? lines.join("\n") : "[Empty comment]",
      attachments: [],
      at: when,
      ...(own ? { echo: true } : {}),
      comment: {
        postId: c.post_id,
        parentId: c.parent_id && c.parent_id !== c.post_id ? c.parent_id : null,
        authorId: c.from.id,
        permalinkUrl: c.post?.permalink_url ?? null,
      },
    },
  ];
}

function instagramEvent(c: InstagramComment, opts: CommentParseOptions): InboundEvent {
  const own = c.from.id === opts.accountId;
  return {
    kind: "message",
    providerMessageId: c.id,
    externalContactId: own ? "" : commentContactId(c.media.id, c.from.id),
    contact: own ? {} : { nickname: c.from.username ?? null, name: c.from.username ?? null },
    text: c.text ?? "[Empty comment]",
    attachments: [],
    at: opts.now,
    ...(own ? { echo: true } : {}),
    comment: { postId: c.media.id, parentId: c.parent_id ?? null, authorId: c.from.id },
  };
}

const ignored = (reason: string, opts: CommentParseOptions): InboundEvent => ({
  kind: "ignored",
  reason,
  at: opts.now,
});

const issue = (e: { issues: { path: PropertyKey[]; message: string }[] }) =>
  e.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
