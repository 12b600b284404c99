import { z } from "zod";
import { AlertRuleId } from "./rules";

const Settings = z.object({
  enabled: z.boolean(),
  threshold: z.number().int(),
  windowMinutes: z.number().int(),
});

export const AlertRule = Settings.extend({
  rule: AlertRuleId,
  /** False for the new-device and new-address rules: they fire on the first occurrence. */
  hasThreshold: z.boolean(),
  defaults: Settings,
});
export type AlertRule = z.infer<typeof AlertRule>;

export const RulePatch = z
  .object({
    enabled: z.boolean(),
    threshold: z.number().int().min(1, "must be at least 1").max(100_000_000),
    windowMinutes: z
      .number()
      .int()
      .min(1, "must be at least 1 minute")
      .max(1440, "must be at most 1440 minutes (a day)"),
  })
  .partial()
  .refine((p) => Object.keys(p).length > 0, "Give enabled, threshold or windowMinutes.");
export type RulePatch = z.infer<typeof RulePatch>;

export const Alert = z.object({
  id: z.string(),
  rule: AlertRuleId,
  key: z.string(),
  /** Who or what it is about: an email, an address, a person, a token. */
  subject: z.string(),
  details: z.record(z.string(), z.unknown()),
  count: z.number().int(),
  firstSeenAt: z.string(),
  lastSeenAt: z.string(),
  raisedAt: z.string(),
  acknowledgedAt: z.string().nullable(),
  acknowledgedBy: z.object({ id: z.string(), name: z.string() }).nullable(),
});
export type Alert = z.infer<typeof Alert>;

export const AlertsQuery = z.object({
  status: z.enum(["open", "acknowledged", "all"]).default("open"),
  before: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(100).default(30),
});
export type AlertsQuery = z.infer<typeof AlertsQuery>;

export const AlertsPage = z.object({
  alerts: z.array(Alert),
  open: z.number().int(),
  nextBefore: z.string().nullable(),
});
