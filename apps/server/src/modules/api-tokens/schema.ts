import { Permission } from "@parley/protocol";
import { z } from "zod";
import { DEFAULT_RATE_LIMIT } from "./resolve";

export const ApiToken = z.object({
  id: z.string(),
  name: z.string(),
  /** The start of the secret (`prl_` and 8 characters), to tell tokens apart. */
  prefix: z.string(),
  permissions: z.array(Permission),
  /** Requests per minute. */
  rateLimit: z.number().int(),
  createdBy: z.object({ id: z.string(), name: z.string() }).nullable(),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  lastUsedIp: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type ApiToken = z.infer<typeof ApiToken>;

export const CreateTokenBody = z.object({
  name: z.string().trim().min(1).max(100),
  permissions: z
    .array(Permission)
    .min(1, "choose at least one permission")
    .max(Permission.options.length)
    .refine((p) => new Set(p).size === p.length, "lists a permission twice"),
  /** null or absent: the token does not expire. */
  expiresAt: z.iso.datetime({ offset: true }).nullish(),
  rateLimit: z.number().int().min(1).max(100_000).default(DEFAULT_RATE_LIMIT),
});
export type CreateTokenBody = z.infer<typeof CreateTokenBody>;

export const IdParams = z.object({ id: z.uuid() });
