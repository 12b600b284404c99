import { z } from "zod";

const Id = z.union([z.string().min(1).max(255), z.number().transform((n) => String(n))]);
/** Unix seconds (Page feed) or an ISO time. */
const Time = z.union([z.number(), z.string().max(64)]);

/** A Page `feed` change about a comment (`item: "comment"`); other items (posts, reactions…) are not ours. */
export const FeedComment = z.object({
  item: z.literal("comment"),
  verb: z.enum(["add", "edited", "edit", "remove", "hide", "unhide"]),
  comment_id: Id,
  post_id: Id,
  parent_id: Id.optional(),
  from: z.object({ id: Id, name: z.string().max(1024).optional() }).optional(),
  message: z.string().max(65_536).optional(),
  photo: z.string().max(8192).optional(),
  created_time: Time.optional(),
  post: z.object({ id: Id.optional(), permalink_url: z.string().max(8192).optional() }).optional(),
});
export type FeedComment = z.infer<typeof FeedComment>;

/** An Instagram `comments` change (a new comment or reply on the account's media). */
export const InstagramComment = z.object({
  id: Id,
  text: z.string().max(65_536).optional(),
  parent_id: Id.optional(),
  from: z.object({ id: Id, username: z.string().max(1024).optional() }),
  media: z.object({ id: Id, media_product_type: z.string().max(64).optional() }),
});
export type InstagramComment = z.infer<typeof InstagramComment>;

/**
 * An Instagram `mentions` change: the account was @mentioned in a comment (`comment_id`) or in the caption of
 * the media. Only ids: the content is read with `mentioned_comment` / `mentioned_media`.
 */
export const InstagramMention = z.object({ media_id: Id, comment_id: Id.optional() });

/** `GET /{ig-user-id}?fields=mentioned_comment.comment_id(…){…}`: the comment, its author and its media. */
export const GraphMentionedComment = z.object({
  mentioned_comment: z.object({
    id: Id.optional(),
    text: z.string().max(65_536).nullish(),
    timestamp: z.string().max(64).nullish(),
    username: z.string().max(1024).nullish(),
    from: z.object({ id: Id.optional(), username: z.string().max(1024).optional() }).nullish(),
    media: z
      .object({
        id: Id,
        permalink: z.string().max(8192).nullish(),
        media_url: z.string().max(8192).nullish(),
        caption: z.string().max(65_536).nullish(),
      })
      .nullish(),
  }),
});

/** `GET /{ig-user-id}?fields=mentioned_media.media_id(…){…}`: the media whose caption mentions the account. */
export const GraphMentionedMedia = z.object({
  mentioned_media: z.object({
    id: Id.optional(),
    caption: z.string().max(65_536).nullish(),
    media_url: z.string().max(8192).nullish(),
    permalink: z.string().max(8192).nullish(),
    timestamp: z.string().max(64).nullish(),
    username: z.string().max(1024).nullish(),
  }),
});

/** The envelope's `changes[]` (Page feed, Instagram comments and mentions). */
export const MetaChange = z.object({ field: z.string().max(64), value: z.unknown() });

/** `GET /{post-id}?fields=message,permalink_url,full_picture` and `GET /{media-id}?fields=caption,permalink,…`. */
export const GraphPost = z.object({
  message: z.string().nullish(),
  caption: z.string().nullish(),
  permalink_url: z.string().max(8192).nullish(),
  permalink: z.string().max(8192).nullish(),
  full_picture: z.string().max(8192).nullish(),
  media_url: z.string().max(8192).nullish(),
  thumbnail_url: z.string().max(8192).nullish(),
  media_type: z.string().max(64).nullish(),
});

/** A new comment's id (`POST /{comment-id}/comments`, `POST /{ig-comment-id}/replies`). */
export const GraphCreated = z.object({ id: Id });
