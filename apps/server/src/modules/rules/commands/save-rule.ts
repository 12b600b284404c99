import type { RuleInput } from "@parley/protocol";
import { type AppContext, transact } from "../../../context";
import type { Actor } from "../../../domain/permissions";
import { notFound } from "../../../lib/errors";
import { type AuditSource, recordAudit } from "../../audit/record";
import { presentRule, RULE_COLUMNS, type RuleRow } from "../present";
import { checkReferences } from "./check-references";

const values = (r: RuleInput) => [
  r.name,
  r.enabled,
  r.trigger,
  r.trigger === "no_reply" ? (r.minutes ?? null) : null,
  r.trigger === "time_limit_reached" ? (r.timeLimit ?? "overdue") : null,
  JSON.stringify(r.conditions),
  JSON.stringify(r.actions),
  r.stopProcessing,
];

/** Adds a rule at the end of the workspace's order, with an audit entry. */
export async function createRule(ctx: AppContext, actor: Actor, input: RuleInput, source: AuditSource) {
  await checkReferences(ctx.db, actor.workspaceId, input.conditions, input.actions);
  return transact(ctx, async (tx) => {
    // The workspace row is locked so two rules created at once get different positions.
    await tx.q.query("select 1 from workspaces where id = $1 for update", [actor.workspaceId]);
    const [row] = await tx.q.query<RuleRow>(
      `insert into rules (workspace_id, position, name, enabled, trigger, minutes, time_limit, conditions, actions,
         stop_processing, created_by, created_at, updated_at)
       select $1, coalesce(max(position), 0) + 1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11
       from rules where workspace_id = $1
       returning ${RULE_COLUMNS}`,
      [actor.workspaceId, ...values(input), actor.userId, tx.now],
    );
    const rule = presentRule(row!);
    await recordAudit(tx.q, {
      workspaceId: actor.workspaceId,
      userId: actor.userId,
      action: "rule.created",
      targetType: "rule",
      targetId: rule.id,
      data: { after: input },
      ...source,
      at: tx.now,
    });
    return rule;
  });
}

/** Replaces a rule's definition (its place in the order stays), with an audit entry of before and after. */
export async function updateRule(
  ctx: AppContext,
  actor: Actor,
  id: string,
  input: RuleInput,
  source: AuditSource,
) {
  await checkReferences(ctx.db, actor.workspaceId, input.conditions, input.actions);
  return transact(ctx, async (tx) => {
    const [before] = await tx.q.query<RuleRow>(
      `select ${RULE_COLUMNS} from rules where id = $1 and workspace_id = $2 for update`,
      [id, actor.workspaceId],
    );
    if (!before) throw notFound("Rule");
    const [row] = await tx.q.query<RuleRow>(
      `update rules set name = $3, enabled = $4, trigger = $5, minutes = $6, time_limit = $7, conditions = $8,
         actions = $9, stop_processing = $10, updated_at = $11
       where id = $1 and workspace_id = $2 returning ${RULE_COLUMNS}`,
      [id, actor.workspaceId, ...values(input), tx.now],
    );
    const rule = presentRule(row!);
    const { updatedAt: _b, ...was } = presentRule(before);
    await recordAudit(tx.q, {
      workspaceId: actor.workspaceId,
      userId: actor.userId,
      action: "rule.updated",
      targetType: "rule",
      targetId: id,
      data: { before: was, after: input },
      ...source,
      at: tx.now,
    });
    return rule;
  });
}
