import { TaskKind } from "@parley/protocol";
import { z } from "zod";

export const IdParams = z.object({ id: z.uuid() });
const When = z.iso.datetime({ offset: true }).nullable();
const Fields = z.object({
  title: z.string().trim().min(1).max(300),
  notes: z.string().trim().max(4000).nullable(),
  assigneeId: z.uuid(),
  dueAt: When,
  endsAt: When,
  remindAt: When,
});

const CALENDAR_MAX_DAYS = 62;

export const ListQuery = z
  .object({
    scope: z.enum(["mine", "all"]).default("mine"),
    status: z.enum(["open", "done", "all"]).default("open"),
    conversationId: z.uuid().optional(),
    /**
     * A calendar's period, `[from, to)`: tasks due, events under way and reminders due in it, by time.
     * Both or neither; at most 62 days (a month view with the days of its first and last weeks).
     */
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(200),
  })
  .superRefine((q, issue) => {
    if (!q.from !== !q.to)
      issue.addIssue({
        code: "custom",
        path: [q.from ? "to" : "from"],
        message: "A calendar period needs both `from` and `to`.",
      });
    else if (q.from && q.to) {
      const days = (Date.parse(q.to) - Date.parse(q.from)) / 86_400_000;
      if (!(days > 0) || days > CALENDAR_MAX_DAYS)
        issue.addIssue({
          code: "custom",
          path: ["to"],
          message: `A calendar period must end after it starts and last at most ${CALENDAR_MAX_DAYS} days.`,
        });
    }
  });
export type ListQuery = z.infer<typeof ListQuery>;

export const CreateBody = Fields.partial({
  notes: true,
  assigneeId: true,
  dueAt: true,
  endsAt: true,
  remindAt: true,
}).extend({
  kind: TaskKind.default("task"),
  conversationId: z.uuid().nullish(),
});
export type CreateBody = z.infer<typeof CreateBody>;

export const UpdateBody = Fields.partial().extend({ done: z.boolean().optional() });
export type UpdateBody = z.infer<typeof UpdateBody>;
