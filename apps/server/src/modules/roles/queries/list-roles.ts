import { ALL_PERMISSIONS, type EditableRole, ROLE_DEFAULT_PERMISSIONS, type Role } from "@parley/protocol";
import type { Queryable } from "../../../db/client";
import { permissionsFor } from "../../../domain/permissions";
import type { RoleView } from "../schema";

const BUILT_IN_NAMES: Record<Role, string> = {
  owner: "Owner",
  admin: "Admin",
  supervisor: "Supervisor",
  agent: "Agent",
};

/** A custom role as stored. */
export interface CustomRoleRow {
  id: string;
  name: string;
  base: EditableRole;
  permissions: string[];
}

/** One custom role of the workspace, or undefined. */
export async function loadCustomRole(q: Queryable, workspaceId: string, id: string) {
  const [row] = await q.query<CustomRoleRow>(
    "select id, name, base, permissions from roles where workspace_id = $1 and id = $2",
    [workspaceId, id],
  );
  return row;
}

/** The permissions a workspace holds for a built-in role now (stored, else the defaults). */
export async function builtInPermissions(q: Queryable, workspaceId: string, role: Role) {
  if (role === "owner" || role === "admin") return [...ALL_PERMISSIONS];
  const [row] = await q.query<{ permissions: string[] }>(
    "select permissions from role_permissions where workspace_id = $1 and role = $2",
    [workspaceId, role],
  );
  return permissionsFor(role, row?.permissions ?? ROLE_DEFAULT_PERMISSIONS[role]);
}

/**
 * The workspace's roles: the four built-in ones, then its custom roles by name, each with its permissions
 * and how many people hold it (a custom role's holders are not counted under its base).
 */
export async function listRoles(q: Queryable, workspaceId: string): Promise<RoleView[]> {
  const counts = await q.query<{ key: string; n: number }>(
    `select coalesce(custom_role_id::text, role) as key, count(*)::int as n
       from users where workspace_id = $1 group by 1`,
    [workspaceId],
  );
  const members = new Map(counts.map((c) => [c.key, c.n]));
  const builtIn: RoleView[] = [];
  for (const role of ["owner", "admin", "supervisor", "agent"] as const) {
    builtIn.push({
      id: role,
      name: BUILT_IN_NAMES[role],
      builtIn: true,
      base: role,
      permissions: await builtInPermissions(q, workspaceId, role),
      locked: role === "owner" || role === "admin",
      members: members.get(role) ?? 0,
    });
  }
  const custom = await q.query<CustomRoleRow>(
    "select id, name, base, permissions from roles where workspace_id = $1 order by lower(name), id",
    [workspaceId],
  );
  return [
    ...builtIn,
    ...custom.map((r) => ({
      id: r.id,
      name: r.name,
      builtIn: false,
      base: r.base,
      permissions: permissionsFor(r.base, r.permissions),
      locked: false,
      members: members.get(r.id) ?? 0,
    })),
  ];
}
