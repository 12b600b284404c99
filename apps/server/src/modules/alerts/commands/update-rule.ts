import { type AppContext, transact } from "../../../context";
import type { Actor } from "../../../domain/permissions";
import { recordAudit } from "../../audit/record";
import { listRules } from "../queries/alerts";
import { type AlertRuleId, loadRules } from "../rules";
import type { RulePatch } from "../schema";

/** Changes a rule's switch or thresholds; the next evaluation uses them. Audited as `alert.rule_updated`. */
export async function updateRule(
  ctx: AppContext,
  actor: Actor,
  rule: AlertRuleId,
  patch: RulePatch,
  source: { ip: string | null; userAgent: string | null },
) {
  return transact(ctx, async (tx) => {
    const before = (await loadRules(tx.q, actor.workspaceId))[rule];
    const after = { ...before, ...patch };
    await tx.q.query(
      `insert into alert_rules (workspace_id, rule, enabled, threshold, window_minutes, updated_by, updated_at)
       values ($1, $2, $3, $4, $5, $6, $7)
       on conflict (workspace_id, rule) do update set enabled = excluded.enabled, threshold = excluded.threshold,
         window_minutes = excluded.window_minutes, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
      [actor.workspaceId, rule, after.enabled, after.threshold, after.windowMinutes, actor.userId, tx.now],
    );
    await recordAudit(tx.q, {
      workspaceId: actor.workspaceId,
      userId: actor.userId,
      action: "alert.rule_updated",
      targetType: "alert_rule",
      targetId: rule,
      data: { before, after },
      ...source,
      at: tx.now,
    });
    return (await listRules(tx.q, actor.workspaceId)).find((r) => r.rule === rule)!;
  });
}
