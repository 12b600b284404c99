import type { Role } from "@parley/protocol";

/** The roles a user may give: only the owner makes admins. */
export const assignableRoles = (myRole: Role): Role[] =>
  myRole === "owner" ? ["admin", "supervisor", "agent"] : ["supervisor", "agent"];
