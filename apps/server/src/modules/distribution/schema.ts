import { ChannelType } from "@parley/protocol";
import ISO6391 from "iso-639-1";
import { z } from "zod";

export const DistributionMode = z.enum(["round_robin", "least_busy", "manual"]);
/** A conversation no eligible agent matches: waits in the queue, or goes to any eligible agent. */
export const Unmatched = z.enum(["wait", "any"]);
export const ScopeParams = z.object({ kind: z.enum(["connections", "teams"]), id: z.uuid() });
export const UserParams = z.object({ userId: z.uuid() });

export const SettingsBody = z.object({
  mode: DistributionMode,
  poolTeamId: z.uuid().nullable().default(null),
  replyTimeoutMinutes: z.number().int().min(1).max(10080).nullable().default(null),
  reassignWhenAway: z.boolean().default(true),
  fallbackTeamId: z.uuid().nullable().default(null),
  matchLanguage: z.boolean().default(false),
  matchTags: z.boolean().default(false),
  unmatched: Unmatched.default("wait"),
});
export type SettingsBody = z.infer<typeof SettingsBody>;

export const DistributionSettings = z.object({
  id: z.string(),
  connectionId: z.string().nullable(),
  teamId: z.string().nullable(),
  mode: DistributionMode,
  poolTeamId: z.string().nullable(),
  replyTimeoutMinutes: z.number().nullable(),
  reassignWhenAway: z.boolean(),
  fallbackTeamId: z.string().nullable(),
  matchLanguage: z.boolean(),
  matchTags: z.boolean(),
  unmatched: Unmatched,
  updatedAt: z.string(),
});

/** An ISO 639-1 language code (`en`, `ru`, `uk`), kept in lower case. */
export const AgentLanguage = z
  .string()
  .trim()
  .toLowerCase()
  .refine((code) => ISO6391.validate(code), {
    error: (i) =>
      `"${String(i.input)}" is not an ISO 639-1 language code: use two letters such as en, ru or uk.`,
  });

/** The languages I speak (settings → profile). */
export const MyLanguages = z.object({ languages: z.array(AgentLanguage).max(50) });

/** Channel type → most open conversations of that type. */
export const ChannelMaxOpen = z.partialRecord(ChannelType, z.number().int().min(0).max(100000));

export const AgentBody = z
  .object({
    maxOpen: z.number().int().min(0).max(100000).nullable(),
    onVacation: z.boolean(),
    languages: MyLanguages.shape.languages,
    tagIds: z.array(z.uuid()).max(200),
    channelMaxOpen: ChannelMaxOpen,
  })
  .partial()
  .refine((b) => Object.values(b).some((v) => v !== undefined), {
    message:
      "Give at least one of: a capacity (maxOpen), a vacation switch (onVacation), languages, tagIds or channelMaxOpen.",
  });
export type AgentBody = z.infer<typeof AgentBody>;

export const AgentSettings = z.object({
  userId: z.string(),
  maxOpen: z.number().nullable(),
  onVacation: z.boolean(),
  languages: z.array(z.string()),
  tagIds: z.array(z.string()),
  channelMaxOpen: z.record(z.string(), z.number()),
});

export const AgentLoad = z.object({
  id: z.string(),
  name: z.string(),
  open: z.number(),
  maxOpen: z.number().nullable(),
  online: z.boolean(),
  onVacation: z.boolean(),
  languages: z.array(z.string()),
  tagIds: z.array(z.string()),
  channelMaxOpen: z.record(z.string(), z.number()),
  openByChannel: z.record(z.string(), z.number()),
  eligible: z.boolean(),
});

/** Why a queued conversation finds nobody now (null: an agent can take it at the next pick). */
export const WaitReason = z.enum([
  "snoozed",
  "no_agent",
  "at_capacity",
  "channel_capacity",
  "no_language_match",
  "no_tag_match",
]);

export const QueueItem = z.object({
  conversationId: z.string(),
  number: z.number(),
  contactName: z.string().nullable(),
  connectionName: z.string(),
  scopeId: z.string(),
  waitingSince: z.string(),
  waitingSeconds: z.number(),
  channel: z.string(),
  language: z.string().nullable(),
  waitReason: WaitReason.nullable(),
});

export const Panel = z.object({
  agents: z.array(AgentLoad),
  queue: z.array(QueueItem),
  settings: z.array(DistributionSettings),
});
