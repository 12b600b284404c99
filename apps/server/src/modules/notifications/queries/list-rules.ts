import type { Queryable } from "../../../db/client";
import { type Actor, can } from "../../../domain/permissions";
import { presentRule, RULE_COLS, type RuleRow } from "../present";
import { inAudience } from "../settings";
import { canManageOwnRules, policyOf } from "./rule-policy";

/** The rules of one owner, or the workspace's (owner null), oldest first. */
export async function rulesOf(q: Queryable, workspaceId: string, ownerId: string | null) {
  const rows = ownerId
    ? await q.query<RuleRow>(
        `select ${RULE_COLS} from notification_rules where workspace_id = $1 and owner_id = $2 order by created_at, id`,
        [workspaceId, ownerId],
      )
    : await q.query<RuleRow>(
        `select ${RULE_COLS} from notification_rules where workspace_id = $1 and owner_id is null order by created_at, id`,
        [workspaceId],
      );
  return rows.map(presentRule);
}

/** The actor's own rules, the workspace's that apply to them (all, for admins) and the policy. */
export async function listRules(q: Queryable, actor: Actor) {
  const rows = await q.query<RuleRow & { owner_id: string | null }>(
    `select ${RULE_COLS}, owner_id from notification_rules
     where workspace_id = $1 and (owner_id is null or owner_id = $2) order by created_at, id`,
    [actor.workspaceId, actor.userId],
  );
  const me = { id: actor.userId, role: actor.role, teamIds: actor.teamIds };
  return {
    own: rows.filter((r) => r.owner_id).map(presentRule),
    // An agent sees the workspace rules that apply to them; admins see them all.
    workspace: rows
      .filter((r) => !r.owner_id && (can(actor, "policy.manage") || inAudience(r.recipients, me)))
      .map(presentRule),
    policy: await policyOf(q, actor.workspaceId),
    canManageOwn: await canManageOwnRules(q, actor),
  };
}
