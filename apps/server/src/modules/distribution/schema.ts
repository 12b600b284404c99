import { z } from "zod";

export const DistributionMode = z.enum(["round_robin", "least_busy", "manual"]);
export const ScopeParams = z.object({ kind: z.enum(["connections", "teams"]), id: z.uuid() });
export const UserParams = z.object({ userId: z.uuid() });

export const SettingsBody = z.object({
  mode: DistributionMode,
  poolTeamId: z.uuid().nullable().default(null),
  replyTimeoutMinutes: z.number().int().min(1).max(10080).nullable().default(null),
  reassignWhenAway: z.boolean().default(true),
  fallbackTeamId: z.uuid().nullable().default(null),
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
  updatedAt: z.string(),
});

export const AgentBody = z
  .object({
    maxOpen: z.number().int().min(0).max(100000).nullable(),
    onVacation: z.boolean(),
  })
  .partial()
  .refine((b) => b.maxOpen !== undefined || b.onVacation !== undefined, {
    message: "Give a capacity (maxOpen), a vacation switch (onVacation), or both.",
  });
export type AgentBody = z.infer<typeof AgentBody>;

export const AgentLoad = z.object({
  id: z.string(),
  name: z.string(),
  open: z.number(),
  maxOpen: z.number().nullable(),
  online: z.boolean(),
  onVacation: z.boolean(),
  eligible: z.boolean(),
});

export const QueueItem = z.object({
  conversationId: z.string(),
  number: z.number(),
  contactName: z.string().nullable(),
  connectionName: z.string(),
  scopeId: z.string(),
  waitingSince: z.string(),
  waitingSeconds: z.number(),
});

export const Panel = z.object({
  agents: z.array(AgentLoad),
  queue: z.array(QueueItem),
  settings: z.array(DistributionSettings),
});
