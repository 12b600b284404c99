import { sql } from "kysely";
import type { Queryable } from "../../../db/client";
import { kysely } from "../../../db/kysely";
import { CUSTOM_ROLE_NAME_SQL } from "../present";

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
  "custom_role_id",
  sql<string | null>`${sql.raw(CUSTOM_ROLE_NAME_SQL)}`.as("custom_role_name"),
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
