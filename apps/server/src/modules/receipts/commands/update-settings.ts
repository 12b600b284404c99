import { type AppContext, transact } from "../../../context";
import type { Actor } from "../../../domain/permissions";
import { type AuditSource, recordAudit } from "../../audit/record";
import { loadReceiptSettings } from "../policy";
import type { SettingsPatch } from "../schema";

/** Changes the workspace's read-receipt policy and privacy settings (R305, R307), audited. */
export async function updateReceiptSettings(
  ctx: AppContext,
  actor: Actor,
  patch: SettingsPatch,
  source: AuditSource,
) {
  await transact(ctx, async (tx) => {
    const current = await loadReceiptSettings(tx.q, actor.workspaceId);
    const after = { ...current, ...patch };
    await tx.q.query(
      "update workspaces set settings = jsonb_set(settings, '{receipts}', $2::jsonb) where id = $1",
      [actor.workspaceId, JSON.stringify(after)],
    );
    await recordAudit(tx.q, {
      workspaceId: actor.workspaceId,
      userId: actor.userId,
      action: "receipts.settings_updated",
      targetType: "workspace",
      targetId: actor.workspaceId,
      data: { before: current, after },
      ...source,
      at: tx.now,
    });
  });
}
