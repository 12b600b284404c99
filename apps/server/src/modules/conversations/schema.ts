import { Attachment, CommentReplyMode, LIMITS } from "@parley/protocol";
import { TimeZoneName } from "@parley/protocol/hours";
import { z } from "zod";
import { SnoozePreset } from "./snooze-time";

export const tags = ["conversations"];
export const IdParams = z.object({ id: z.uuid() });

/** Up to a page of conversation ids, comma-separated (`?ids=a,b`); empty items and repeats are ignored. */
export const UnreadStatesQuery = z.object({
  ids: z
    .string({ error: "ids must be one comma-separated list of conversation ids" })
    .transform((s) => [...new Set(s.split(",").filter((x) => x !== ""))])
    .pipe(
      z
        .array(z.uuid({ error: "each id in ids must be a conversation id (a UUID)" }))
        .min(1, "give at least one conversation id in ids")
        .max(LIMITS.pageSizeMax, `give at most ${LIMITS.pageSizeMax} conversation ids in ids`),
    ),
});

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

/** Snooze until a time, or for a preset (worked out against the business hours, else `timeZone`). */
export const SnoozeBody = z
  .object({
    until: z.iso.datetime({ offset: true }).optional(),
    preset: SnoozePreset.optional(),
    /** The agent's IANA time zone (e.g. Europe/Kyiv): "tomorrow" and "next week" mean 09:00 there when there are no business hours. */
    timeZone: TimeZoneName.optional(),
  })
  .refine((b) => (b.until === undefined) !== (b.preset === undefined), {
    message: "Send either until (a date and time) or preset (hour, tomorrow or next_week), not both.",
    path: ["until"],
  });
