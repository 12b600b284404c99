import { z } from "zod";
import { ReceiptSettings } from "./policy";

export const tags = ["receipts"];
export const IdParams = z.object({ id: z.uuid() });

export const Override = z.object({
  /** true or false overrides the wider setting; null inherits it. */
  readReceipts: z.boolean().nullable(),
});

export const SettingsPatch = z
  .object({
    readReceipts: z.boolean(),
    consentMode: z.boolean(),
    retentionDays: z.number().int().min(1).max(3650).nullable(),
    anonymiseReports: z.boolean(),
  })
  .partial();
export type SettingsPatch = z.infer<typeof SettingsPatch>;

export const SettingsView = z.object({
  settings: ReceiptSettings,
  connections: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      type: z.string(),
      readReceipts: z.boolean().nullable(),
      reportsRead: z.boolean(),
      markSeen: z.boolean(),
    }),
  ),
});

export const SeenByView = z.object({
  readTrackingOff: z.enum(["conversation", "connection", "workspace", "no_consent"]).nullable(),
  override: z.boolean().nullable(),
  cursors: z.array(
    z.object({
      userId: z.string(),
      name: z.string(),
      avatarUrl: z.string().nullable(),
      lastReadSeq: z.number(),
      markedUnread: z.boolean(),
      readAt: z.string(),
    }),
  ),
  marks: z.array(z.object({ userId: z.string(), seq: z.number(), at: z.string() })),
});

export const Consent = z.object({
  granted: z.boolean().nullable(),
  at: z.string().nullable(),
  source: z.string().nullable(),
});
