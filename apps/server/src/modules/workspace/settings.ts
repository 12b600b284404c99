import { Role } from "@parley/protocol";
import { z } from "zod";

/** The workspace's settings as stored (JSON), with the defaults of what was never set. */
export const Settings = z.object({
  /** R306: tell customers their messages were seen — never, when an agent opens the conversation, or replies. */
  sendSeen: z.enum(["off", "on_open", "on_reply"]).default("off"),
  /** R107: a waiting customer's label turns yellow, then red, after this many minutes (null: no limit). */
  slaYellowMinutes: z.number().int().min(1).max(10_080).nullable().default(null),
  slaRedMinutes: z.number().int().min(1).max(10_080).nullable().default(null),
  /** R802: the roles whose people must use two-factor sign-in (changed through /api/workspace/two-factor-policy). */
  twoFactorRoles: z.array(Role).default([]),
  /** The language Parley writes its own words to customers in (the diagnostics test message). */
  language: z.enum(["en", "ru", "uk"]).default("en"),
});
