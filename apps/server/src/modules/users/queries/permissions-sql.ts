/**
 * The SQL expression for the permissions a workspace stored for the user at alias `u` (text[], or null for
 * the role's defaults); `permissionsFor` turns it into the user's rights. Every loader of an actor selects it,
 * so a stored change reaches sessions, jobs and notification fan-out alike.
 *
 * A custom role's set comes first, else the workspace's set for the built-in role (supervisor or agent),
 * else null. Owners and admins hold every permission whatever is stored (`permissionsFor`).
 */
export const storedPermissionsSql = (u: string) =>
  `coalesce(
    (select cr.permissions from roles cr where cr.id = ${u}.custom_role_id),
    (select rp.permissions from role_permissions rp where rp.workspace_id = ${u}.workspace_id and rp.role = ${u}.role)
  )`;
