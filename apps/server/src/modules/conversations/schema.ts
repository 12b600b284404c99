import { Attachment, CommentReplyMode, LIMITS } from "@parley/protocol";
import { z } from "zod";

export const tags = ["conversations"];
export const IdParams = z.object({ id: z.uuid() });

export const FeedQuery = z
  .object({
    before: z.coerce.number().int().positive().optional(),
    after: z.coerce.number().int().nonnegative().optional(),
    limit: z.coerce.number().int().min(1).max(LIMITS.pageSizeMax).default(LIMITS.pageSizeDefault),
  })
  .refine((q) => q.before === undefined || q.after === undefined, "Use either before or after, not both.");
export type FeedQuery = z.infer<typeof FeedQuery>;

export const SendBody = z.object({
  text: z.string().max(LIMITS.messageTextChars).nullish(),
  attachments: z.array(Attachment).max(10).default([]),
  quotedMessageId: z.uuid().nullish(),
  clientId: z.string().min(1).max(100).nullish(),
  /** In a conversation about a comment: public (under the comment, the default) or private (R451). */
  commentReply: CommentReplyMode.nullish(),
});

export const Draft = z.object({ text: z.string(), updatedAt: z.string() });
