import type { Queryable } from "../../../db/client";
import type { Actor } from "../../../domain/permissions";
import type { Policy } from "../schema";
import { type Audience, inAudience } from "../settings";

/** The workspace's read-notification policy: who receives read notifications, who manages their own rules. */
export async function policyOf(q: Queryable, workspaceId: string): Promise<Policy> {
  const [p] = await q.query<{ read_receive: Audience | null; read_manage: Audience | null }>(
    "select read_receive, read_manage from notification_policies where workspace_id = $1",
    [workspaceId],
  );
  return { readReceive: p?.read_receive ?? null, readManage: p?.read_manage ?? null };
}

export async function canManageOwnRules(q: Queryable, actor: Actor) {
  const policy = await policyOf(q, actor.workspaceId);
  return inAudience(policy.readManage, { id: actor.userId, role: actor.role, teamIds: actor.teamIds });
}
