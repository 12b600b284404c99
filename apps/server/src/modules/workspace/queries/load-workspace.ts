import type { AppContext } from "../../../context";
import { kysely } from "../../../db/kysely";
import { Settings } from "../settings";

/** The workspace with its settings (defaults filled in). */
export async function loadWorkspace(ctx: AppContext, workspaceId: string) {
  const row = await kysely(ctx.db)
    .selectFrom("workspaces")
    .select(["id", "name", "settings"])
    .where("id", "=", workspaceId)
    .executeTakeFirstOrThrow();
  return { id: row.id, name: row.name, settings: Settings.parse(row.settings) };
}
