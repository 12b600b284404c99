import { z } from "zod";

/** A signed-in device as a person and an admin see it: the device and browser read from its user agent. */
export const SessionOut = z.object({
  id: z.string(),
  browser: z.string().nullable(),
  os: z.string().nullable(),
  device: z.enum(["desktop", "mobile", "tablet", "tv", "bot"]).nullable(),
  userAgent: z.string().nullable(),
  ip: z.string().nullable(),
  createdAt: z.string(),
  lastSeenAt: z.string(),
  current: z.boolean(),
});
export type SessionView = z.infer<typeof SessionOut>;
