import { Holiday, HoursInterval, Schedule, TimeZoneName } from "@parley/protocol/hours";
import { z } from "zod";

export { Schedule };

export const HoursView = z.object({
  timeZone: z.string(),
  weekly: z.array(HoursInterval),
  holidays: z.array(Holiday),
  updatedAt: z.string(),
});

export const HoursInput = z.object({
  timeZone: TimeZoneName,
  weekly: z.array(HoursInterval).max(70, "At most 70 intervals a week."),
  holidays: z.array(Holiday).max(500, "At most 500 holidays.").default([]),
});

export const HoursOverview = z.object({
  workspace: HoursView.nullable(),
  teams: z.array(z.object({ teamId: z.string(), name: z.string(), hours: HoursView.nullable() })),
});

export const Lang = z.enum(["en", "ru", "uk"]);
const ReplyText = z.string().trim().max(1000, "At most 1000 characters.");

export const AutoReplyInput = z
  .object({
    enabled: z.boolean(),
    language: Lang,
    texts: z.object({ en: ReplyText.optional(), ru: ReplyText.optional(), uk: ReplyText.optional() }),
  })
  .refine((r) => !r.enabled || !!r.texts[r.language], {
    message: "Write the reply in the language it is sent in.",
    path: ["texts"],
  });

export const AutoReplyView = z.object({
  connectionId: z.string(),
  connectionName: z.string(),
  channel: z.string(),
  enabled: z.boolean(),
  language: Lang,
  texts: z.object({ en: z.string().optional(), ru: z.string().optional(), uk: z.string().optional() }),
});

export const TeamParams = z.object({ teamId: z.uuid() });
export const ConnectionParams = z.object({ connectionId: z.uuid() });
