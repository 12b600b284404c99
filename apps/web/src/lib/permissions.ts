import type { Permission } from "@parley/protocol";

/**
 * Whether the signed-in person may do something: the web app hides what they may not, reading the rights
 * the session answer lists (the same set the server decides with, `can` in apps/server/src/domain).
 */
export const can = (session: { permissions: readonly string[] } | null | undefined, permission: Permission) =>
  !!session?.permissions.includes(permission);
