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

export const ListQuery = z.object({
  scope: z.enum(["mine", "all"]).default("mine"),
  status: z.enum(["open", "done", "all"]).default("open"),
  conversationId: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(200),
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
