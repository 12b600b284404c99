import { AgentNotification, NotificationMeans } from "@parley/protocol";
import { z } from "zod";
import { Audience, SettingsSchema } from "./settings";

export const PageQuery = z.object({
  before: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(100).default(30),
});
export const Page = z.object({
  notifications: z.array(AgentNotification),
  unread: z.number().int(),
  nextBefore: z.string().nullable(),
});
export const ReadBody = z.union([
  z.object({ ids: z.array(z.uuid()).min(1).max(500) }),
  z.object({ all: z.literal(true) }),
]);

export const SettingsResponse = z.object({
  settings: SettingsSchema,
  emailAvailable: z.boolean(),
  /** SMS notifications: whether the workspace has an SMS connection, the verified number, one awaiting its code. */
  sms: z.object({
    available: z.boolean(),
    phone: z.string().nullable(),
    pendingPhone: z.string().nullable(),
  }),
  pushSubscriptions: z.number().int(),
  mutedConversationIds: z.array(z.string()),
});

export const Subscription = z.object({
  endpoint: z.url({ protocol: /^https?$/ }).max(2048),
  keys: z.object({
    p256dh: z.string().regex(/^[A-Za-z0-9_-]{80,100}={0,2}$/, "must be a base64url P-256 public key"),
    auth: z.string().regex(/^[A-Za-z0-9_-]{16,32}={0,2}$/, "must be a base64url auth secret"),
  }),
});
export type Subscription = z.infer<typeof Subscription>;

export const RuleInput = z
  .object({
    match: z.enum(["all", "important", "tag", "channel"]),
    tagId: z.uuid().nullable().default(null),
    connectionId: z.uuid().nullable().default(null),
    means: z.array(NotificationMeans).min(1).max(4),
    timing: z.enum(["immediate", "delay", "daily", "weekly"]),
    delayMinutes: z.number().int().min(0).max(10_080).default(0),
  })
  .refine((r) => r.match !== "tag" || r.tagId, { message: "a tag rule needs tagId", path: ["tagId"] })
  .refine((r) => r.match !== "channel" || r.connectionId, {
    message: "a channel rule needs connectionId",
    path: ["connectionId"],
  })
  .refine((r) => r.timing !== "delay" || r.delayMinutes > 0, {
    message: "a delayed rule needs delayMinutes above 0",
    path: ["delayMinutes"],
  });
export type RuleInput = z.infer<typeof RuleInput>;
export const WorkspaceRuleInput = z.intersection(
  RuleInput,
  z.object({ recipients: Audience.nullable().default(null) }),
);
export type WorkspaceRuleInput = z.infer<typeof WorkspaceRuleInput>;

export const Rule = z.object({
  id: z.string(),
  match: z.enum(["all", "important", "tag", "channel"]),
  tagId: z.string().nullable(),
  connectionId: z.string().nullable(),
  means: z.array(NotificationMeans),
  timing: z.enum(["immediate", "delay", "daily", "weekly"]),
  delayMinutes: z.number().int(),
  recipients: Audience.nullable(),
});
export const Policy = z.object({ readReceive: Audience.nullable(), readManage: Audience.nullable() });
export type Policy = z.infer<typeof Policy>;

/** A phone number in international (E.164) form. */
export const PhoneBody = z.object({
  phone: z
    .string()
    .regex(
      /^\+[1-9]\d{6,14}$/,
      "must be an international number: + and the country code, digits only (e.g. +380501234567)",
    ),
});
export const PhoneCodeBody = z.object({
  code: z.string().regex(/^\d{6}$/, "must be the six digits of the code sent by SMS"),
});
