import { ChannelType, ConversationStatus } from "@parley/protocol";
import { z } from "zod";

export const tags = ["inbox views"];
export const IdParams = z.object({ id: z.uuid() });

const list = <T extends z.ZodType<unknown, string>>(item: T) =>
  z
    .string()
    .max(2000)
    .refine((v) => v.split(",").every((s) => item.safeParse(s).success), "holds a value that is not allowed");

/**
 * What a saved filter restores: the inbox's URL parameters (the same names the web app writes), each
 * checked. Dates are left out: the inbox's day filter is a calendar day of the person, not a fixed range.
 */
export const SavedFilterParams = z
  .object({
    view: z.enum(["mine", "all", "unassigned", "important", "snoozed", "closed"]).optional(),
    type: z.enum(["unassigned", "mine", "unanswered"]).optional(),
    channel: list(ChannelType).optional(),
    assignee: list(z.uuid()).optional(),
    team: list(z.uuid()).optional(),
    bot: list(z.uuid()).optional(),
    status: list(ConversationStatus).optional(),
    tag: list(z.uuid()).optional(),
    tagMode: z.enum(["none", "pinned"]).optional(),
    author: z.enum(["customer", "agent"]).optional(),
    sort: z.literal("waiting").optional(),
  })
  .strict();
export type SavedFilterParams = z.infer<typeof SavedFilterParams>;

const Name = z.string().trim().min(1, "Give the filter a name").max(60);
export const SaveFilterBody = z.object({ name: Name, params: SavedFilterParams });
export const RenameFilterBody = z.object({ name: Name });

const Counts = { unread: z.number().int(), waiting: z.number().int() };
export const SavedFilter = z.object({ id: z.string(), name: z.string(), params: SavedFilterParams });
export const ViewsAnswer = z.object({
  views: z.array(z.object({ key: z.enum(["mine", "all", "unassigned", "important", "snoozed"]), ...Counts })),
  teams: z.array(z.object({ id: z.string(), name: z.string(), ...Counts })),
  saved: z.array(SavedFilter.extend(Counts)),
});

export const FirstRunAnswer = z.object({
  /** Whether the checklist is shown: not put away by this person and not yet all done. */
  show: z.boolean(),
  steps: z.object({ channel: z.boolean(), team: z.boolean(), hours: z.boolean(), testMessage: z.boolean() }),
});
