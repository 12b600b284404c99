import { sql } from "kysely";
import type { Queryable } from "./client";
import { kysely } from "./kysely";

/** Tables whose rows belong to one workspace by `workspace_id` and are found by `id`. */
type WorkspaceTable = "channel_connections" | "contacts" | "tags" | "teams" | "users";

/** Which of the named rows the workspace has, in one statement: `{ contact: true, tag: false }`. */
export async function existInWorkspace<K extends string>(
  q: Queryable,
  workspaceId: string,
  rows: Record<K, [table: WorkspaceTable, id: string]>,
): Promise<Record<K, boolean>> {
  const k = kysely(q);
  const found = await k
    .selectNoFrom(
      (Object.entries(rows) as [K, [WorkspaceTable, string]][]).map(([name, [table, id]]) =>
        k
          .selectFrom(table as "contacts")
          .select(sql<boolean>`true`.as("found"))
          .where("id", "=", id)
          .where("workspace_id", "=", workspaceId)
          .as(name),
      ),
    )
    .executeTakeFirstOrThrow();
  const flags = found as unknown as Record<K, boolean | null>;
  return Object.fromEntries(Object.keys(rows).map((name) => [name, flags[name as K] === true])) as Record<
    K,
    boolean
  >;
}
