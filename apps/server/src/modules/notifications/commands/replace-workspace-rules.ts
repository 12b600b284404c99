import type { AppContext } from "../../../context";
import type { Actor } from "../../../domain/permissions";
import { type AuditSource, recordAudit } from "../../audit/record";
import { rulesOf } from "../queries/list-rules";
import { policyOf } from "../queries/rule-policy";
import type { Policy, WorkspaceRuleInput } from "../schema";
import { checkAudience, checkRuleRefs, replaceRules } from "./write-rules";

/** Replaces the workspace's read-notification rules and its policy (R304), in one transaction, audited with before and after. */
export async function replaceWorkspaceRules(
  ctx: AppContext,
  actor: Actor,
  input: { rules: WorkspaceRuleInput[]; policy: Policy },
  source: AuditSource,
) {
  const { rules, policy } = input;
  await checkRuleRefs(ctx.db, actor.workspaceId, rules);
  for (const a of [policy.readReceive, policy.readManage, ...rules.map((r) => r.recipients)])
    await checkAudience(ctx.db, actor.workspaceId, a ?? null);
  const now = ctx.clock.now();
  await ctx.db.tx(async (q) => {
    const before = {
      rules: await rulesOf(q, actor.workspaceId, null),
      policy: await policyOf(q, actor.workspaceId),
    };
    await replaceRules(q, actor.workspaceId, null, rules);
    await q.query(
      `insert into notification_policies (workspace_id, read_receive, read_manage, updated_at) values ($1, $2, $3, $4)
       on conflict (workspace_id) do update set read_receive = excluded.read_receive, read_manage = excluded.read_manage,
         updated_at = excluded.updated_at`,
      [
        actor.workspaceId,
        policy.readReceive ? JSON.stringify(policy.readReceive) : null,
        policy.readManage ? JSON.stringify(policy.readManage) : null,
        now,
      ],
    );
    await recordAudit(q, {
      workspaceId: actor.workspaceId,
      userId: actor.userId,
      action: "notifications.policy_changed",
      targetType: "workspace",
      targetId: actor.workspaceId,
      data: { before, after: { rules, policy } },
      ...source,
      at: now,
    });
  });
  return {
    workspace: await rulesOf(ctx.db, actor.workspaceId, null),
    policy: await policyOf(ctx.db, actor.workspaceId),
  };
}
