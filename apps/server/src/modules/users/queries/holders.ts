import type { Permission, Role } from "@parley/protocol";
import type { Queryable } from "../../../db/client";
import { can, permissionsFor } from "../../../domain/permissions";
import { storedPermissionsSql } from "./permissions-sql";

/** The ids of a workspace's active people who hold a permission (the audience of security and admin notices). */
export async function activeHoldersOf(q: Queryable, workspaceId: string, permission: Permission) {
  const rows = await q.query<{ id: string; role: Role; stored: string[] | null }>(
    `select u.id, u.role, ${storedPermissionsSql("u")} as stored from users u
     where u.workspace_id = $1 and u.status = 'active'`,
    [workspaceId],
  );
  return rows
    .filter((r) => can({ permissions: permissionsFor(r.role, r.stored) }, permission))
    .map((r) => r.id);
}
