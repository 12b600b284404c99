import { type AppContext, transact } from "../../../context";
import type { Actor } from "../../../domain/permissions";
import { AppError, notFound } from "../../../lib/errors";
import { type AuditSource, recordAudit } from "../../audit/record";
import { presentRule, RULE_COLUMNS, type RuleRow } from "../present";
import { listRules } from "../queries/rules";

/** Deletes a rule (its run log goes with it), with an audit entry holding what it was. */
export async function deleteRule(ctx: AppContext, actor: Actor, id: string, source: AuditSource) {
  await transact(ctx, async (tx) => {
    const [row] = await tx.q.query<RuleRow>(
      `delete from rules where id = $1 and workspace_id = $2 returning ${RULE_COLUMNS}`,
      [id, actor.workspaceId],
    );
    if (!row) throw notFound("Rule");
    await recordAudit(tx.q, {
      workspaceId: actor.workspaceId,
      userId: actor.userId,
      action: "rule.deleted",
      targetType: "rule",
      targetId: id,
      data: { before: presentRule(row) },
      ...source,
      at: tx.now,
    });
  });
}

/** Puts the workspace's rules in the given order: `ids` must name each of its rules once. */
export async function reorderRules(ctx: AppContext, actor: Actor, ids: string[], source: AuditSource) {
  return transact(ctx, async (tx) => {
    const current = await tx.q.query<{ id: string }>(
      "select id::text from rules where workspace_id = $1 order by position, id for update",
      [actor.workspaceId],
    );
    const known = new Set(current.map((r) => r.id));
    if (new Set(ids).size !== ids.length || ids.length !== known.size || ids.some((id) => !known.has(id)))
      throw new AppError(
        "validation_failed",
        "Send every rule of the workspace exactly once, in the new order (the list may have changed: reload it).",
      );
    await tx.q.query(
      `update rules r set position = o.ord, updated_at = $3
       from unnest($2::uuid[]) with ordinality as o(id, ord) where r.id = o.id and r.workspace_id = $1`,
      [actor.workspaceId, ids, tx.now],
    );
    await recordAudit(tx.q, {
      workspaceId: actor.workspaceId,
      userId: actor.userId,
      action: "rules.reordered",
      targetType: "rule",
      data: { before: current.map((r) => r.id), after: ids },
      ...source,
      at: tx.now,
    });
    return listRules(tx.q, actor.workspaceId);
  });
}
