/**
 * Replies in a comment conversation (R451), pure: a public reply goes under the comment while it exists; a
 * private reply (to the commenter's inbox) is allowed once per comment, within the channel's days of it
 * (Meta: 7); a mention of the account on someone else's media (Instagram) takes public replies only. Part of
 * the messaging-window policy; the composer shows the reason of a refusal.
 */
export interface CommentReplyInput {
  mode: "public" | "private";
  now: Date;
  /** The comment answered: when it arrived, whether its author removed it or an agent deleted it. */
  comment: { at: Date; removed: boolean; deleted: boolean } | null;
  /** A private reply to this comment was already sent (or is being sent). */
  privatelyReplied: boolean;
  privateReplyDays: number;
  /** The comment is a mention of the account on someone else's media (Instagram): public replies only. */
  mention?: "comment" | "caption" | null;
}

export type CommentReplyVerdict =
  | { allowed: true; closesAt: Date | null }
  | { allowed: false; reason: string; closesAt: Date | null };

const DAY = 86400_000;

export function commentReplyVerdict(input: CommentReplyInput): CommentReplyVerdict {
  const c = input.comment;
  if (!c)
    return {
      allowed: false,
      reason: "There is no customer comment in this conversation to reply to.",
      closesAt: null,
    };
  if (c.removed || c.deleted)
    return {
      allowed: false,
      reason: c.removed
        ? "The customer removed this comment: there is nothing to reply to."
        : "This comment was deleted: there is nothing to reply to.",
      closesAt: null,
    };
  if (input.mode === "public") return { allowed: true, closesAt: null };
  if (input.mention === "caption")
    return {
      allowed: false,
      reason:
        "A private reply is not possible to a caption mention: Instagram sends private replies only to comments. Reply publicly: the reply goes under the post.",
      closesAt: null,
    };
  if (input.mention === "comment")
    return {
      allowed: false,
      reason:
        "A private reply is not possible to a mention: Instagram sends private replies only to comments on the account's own posts. Reply publicly: the reply goes under the comment.",
      closesAt: null,
    };
  const closesAt = new Date(c.at.getTime() + input.privateReplyDays * DAY);
  if (input.privatelyReplied)
    return {
      allowed: false,
      reason:
        "This comment already has its private reply: Meta allows one per comment. When the customer answers it, the conversation continues in direct messages. Reply publicly instead.",
      closesAt,
    };
  if (input.now.getTime() >= closesAt.getTime())
    return {
      allowed: false,
      reason: `A private reply is possible only within ${input.privateReplyDays} days of the comment; this one was written on ${c.at.toISOString().slice(0, 10)}. Reply publicly instead.`,
      closesAt,
    };
  return { allowed: true, closesAt };
}
