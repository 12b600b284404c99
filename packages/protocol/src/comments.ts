import { z } from "zod";

/** A conversation with a customer in direct messages, or about one post with one commenter (R451). */
export const ConversationKind = z.enum(["direct", "comment"]);
export type ConversationKind = z.infer<typeof ConversationKind>;

/** How a reply in a comment conversation goes out: under the comment for everyone, or to the commenter's inbox. */
export const CommentReplyMode = z.enum(["public", "private"]);
export type CommentReplyMode = z.infer<typeof CommentReplyMode>;

/**
 * An Instagram mention (R451): the account was @mentioned in a comment, or in the caption of a post, on
 * someone else's media. It is kept as a comment conversation about that media, the message marked with it.
 */
export const MentionKind = z.enum(["comment", "caption"]);
export type MentionKind = z.infer<typeof MentionKind>;

/**
 * A message's comment facts. The customer's comment: its post and parent comment, whether the business hid it,
 * its earlier texts (each edit keeps the text it replaced) and when the customer removed it. The business's
 * reply: public or private, and the comment (provider id) it answers.
 */
export const MessageComment = z.object({
  postId: z.string().nullable(),
  parentId: z.string().nullable().optional(),
  hidden: z.boolean().optional(),
  edits: z.array(z.object({ text: z.string().nullable(), at: z.string() })).optional(),
  /** The customer removed the comment: the text stays for the agents, marked deleted. */
  removedAt: z.string().nullable().optional(),
  /** An agent deleted it at the provider. */
  deletedAt: z.string().nullable().optional(),
  mode: CommentReplyMode.optional(),
  replyTo: z.string().nullable().optional(),
  /** The customer's message is a mention of the account (in a comment, or in a post's caption). */
  mention: MentionKind.optional(),
  /** Why Instagram would not show the mention (the media is private, deleted or not readable). */
  mentionError: z.string().nullable().optional(),
});
export type MessageComment = z.infer<typeof MessageComment>;

/** The post a comment conversation is about, as the provider describes it (fetched by a background job). */
export const SocialPost = z.object({
  postId: z.string(),
  text: z.string().nullable(),
  permalinkUrl: z.string().nullable(),
  /** Parley's own copy of the post's picture (`/api/files/…`), when it has one. */
  pictureUrl: z.string().nullable(),
  /** null until the details were fetched. */
  fetchedAt: z.string().nullable(),
  /** Why the details could not be fetched. */
  error: z.string().nullable(),
});
export type SocialPost = z.infer<typeof SocialPost>;

/** Whether a reply of each kind can be sent now in a comment conversation, and if not, why. */
export const CommentReplyVerdict = z.object({
  allowed: z.boolean(),
  reason: z.string().nullable(),
  /** Private replies: when the 7 days for it end. */
  closesAt: z.string().nullable(),
});
export type CommentReplyVerdict = z.infer<typeof CommentReplyVerdict>;

export const CommentReplies = z.object({
  /** The comment a reply goes under (the customer's latest one not removed), or null when there is none. */
  commentMessageId: z.string().nullable(),
  /** That message is a mention of the account: replies go through Instagram's mentions endpoint. */
  mention: MentionKind.nullable().optional(),
  public: CommentReplyVerdict,
  private: CommentReplyVerdict,
});
export type CommentReplies = z.infer<typeof CommentReplies>;
