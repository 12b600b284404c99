import { sql } from "kysely";
import type { z } from "zod";
import { type AppContext, transact } from "../../../context";
import { kysely } from "../../../db/kysely";
import type { Actor } from "../../../domain/permissions";
import { type AuditSource, recordAudit } from "../../audit/record";
import { loadWorkspace } from "../queries/load-workspace";
import type { Settings } from "../settings";

export interface WorkspaceChange {
  name?: string;
  /** Only the settings named change; the others keep their values. */
  settings?: Partial<z.infer<typeof Settings>>;
}

/** Renames the workspace or changes some of its settings, leaves a trace in the audit log, answers the result. */
export async function updateWorkspace(
  ctx: AppContext,
  actor: Actor,
  change: WorkspaceChange,
  source: AuditSource,
) {
  const current = await loadWorkspace(ctx, actor.workspaceId);
  // Before and after of only what the change names.
  const before = {
    ...(change.name !== undefined ? { name: current.name } : {}),
    ...(change.settings
      ? {
          settings: Object.fromEntries(
            Object.keys(change.settings).map((k) => [
              k,
              current.settings[k as keyof typeof current.settings],
            ]),
          ),
        }
      : {}),
  };
  await transact(ctx, async (tx) => {
    await kysely(tx.q)
      .updateTable("workspaces")
      .set((eb) => ({
        name: change.name ?? eb.ref("name"),
        settings: sql`settings || ${JSON.stringify(change.settings ?? {})}::jsonb`,
      }))
      .where("id", "=", actor.workspaceId)
      .execute();
    await recordAudit(tx.q, {
      workspaceId: actor.workspaceId,
      userId: actor.userId,
      action: "workspace.updated",
      targetType: "workspace",
      targetId: actor.workspaceId,
      data: { before, after: change },
      ...source,
      at: tx.now,
    });
  });
  return loadWorkspace(ctx, actor.workspaceId);
}
