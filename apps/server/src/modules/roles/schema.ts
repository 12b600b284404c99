import { Permission, Role } from "@parley/protocol";
import { z } from "zod";

/** A built-in role's name or a custom role's id. */
export const RoleRef = z.union([Role, z.uuid()]);
export type RoleRef = z.infer<typeof RoleRef>;

/** A role as the settings page shows it: its permissions and how many people hold it. */
export const RoleView = z.object({
  /** The built-in role's name (owner, admin, supervisor, agent) or the custom role's id. */
  id: z.string(),
  name: z.string(),
  builtIn: z.boolean(),
  /** What users.role says of a holder: the built-in role itself, or a custom role's base. */
  base: Role,
  permissions: z.array(Permission),
  /** Owners and admins hold every permission: their roles cannot be changed. */
  locked: z.boolean(),
  members: z.number().int(),
});
export type RoleView = z.infer<typeof RoleView>;

const Permissions = z.array(Permission).max(Permission.options.length);
const Name = z.string().trim().min(1).max(60);

export const CreateRoleBody = z.object({
  name: Name,
  base: z.enum(["supervisor", "agent"]),
  permissions: Permissions,
});
export const UpdateRoleBody = z
  .object({ name: Name.optional(), permissions: Permissions.optional() })
  .refine((b) => b.name !== undefined || b.permissions !== undefined, "name or permissions is required");
