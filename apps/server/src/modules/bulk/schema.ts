import { z } from "zod";
import { ListFilters, ListQuery } from "../conversations/list";
import { SnoozeBody } from "../conversations/schema";

/** "Select all" takes the first this many of the current filter (R106). */
export const BULK_MAX = 1000;
export const BulkAction = z.enum([
  "close",
  "reassign",
  "mark_read",
  "mark_unread",
  "delete",
  "mark_important",
  "unmark_important",
  "snooze",
]);
export type BulkAction = z.infer<typeof BulkAction>;

/** The list's filters and sort, as "select all" takes them. */
export const BulkFilter = ListFilters.extend({ sort: ListQuery.shape.sort });

export const BulkInput = z
  .object({
    action: BulkAction,
    /** The selected conversations, or `filter` for "select all" (the first 1,000 of the filtered list). */
    ids: z.array(z.uuid()).min(1).max(BULK_MAX).optional(),
    filter: BulkFilter.optional(),
    /** reassign: the new responsible agent (null: back to the queue) and optionally the team. */
    assigneeId: z.uuid().nullable().optional(),
    teamId: z.uuid().nullable().optional(),
    /** snooze: until a time or for a preset, as for one conversation. */
    snooze: SnoozeBody.optional(),
  })
  .refine((b) => (b.ids ? !b.filter : Boolean(b.filter)), {
    message: "Send either the selected ids or the filter to select all, not both.",
    path: ["ids"],
  })
  .refine((b) => b.action !== "reassign" || b.assigneeId !== undefined, {
    message: "Reassigning needs assigneeId (null hands the conversations back to the queue).",
    path: ["assigneeId"],
  })
  .refine((b) => b.action !== "snooze" || b.snooze !== undefined, {
    message: "Snoozing needs snooze: { until } or { preset }.",
    path: ["snooze"],
  });
export type BulkInput = z.infer<typeof BulkInput>;

export const BulkOperation = z.object({
  id: z.string(),
  action: BulkAction,
  status: z.enum(["running", "completed", "failed"]),
  total: z.number(),
  done: z.number(),
  failed: z.number(),
  /** The first failures: which conversation and why (the error's stable code and message). */
  errors: z.array(z.object({ conversationId: z.string(), code: z.string(), message: z.string() })),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
});
