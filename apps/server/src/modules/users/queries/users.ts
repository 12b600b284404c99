import type { Queryable } from "../../../db/client";
import { kysely } from "../../../db/kysely";

/** The columns a user is answered with (see present.ts). */
export const USER_FIELDS = [
  "id",
  "workspace_id",
  "email",
  "name",
  "role",
  "locale",
  "avatar_url",
  "status",
] as const;

/** One user of the workspace, as stored (presentUser turns it into the API's shape), or undefined. */
export async function loadUserRow(q: Queryable, workspaceId: string, id: string) {
  return kysely(q)
    .selectFrom("users")
    .select(USER_FIELDS)
    .where("id", "=", id)
    .where("workspace_id", "=", workspaceId)
    .executeTakeFirst();
}
