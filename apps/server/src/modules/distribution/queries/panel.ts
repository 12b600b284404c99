import type { Queryable } from "../../../db/client";
import { QUEUE_ORDER } from "../commands/distribute";
import { presentSettings } from "../present";
import { agentLoads, isEligible, SCOPE_OF_C, type ScopeRow } from "../scope";

/** The workspace's distribution settings, connections first. */
export async function listSettings(q: Queryable, workspaceId: string) {
  const rows = await q.query<ScopeRow>(
    "select * from distribution_settings where workspace_id = $1 order by team_id nulls first, id",
    [workspaceId],
  );
  return rows.map(presentSettings);
}

/**
 * The supervisors' distribution panel: every active agent's load against capacity and whether distribution
 * may pick them now, and the conversations waiting in distributing scopes, oldest first, with waiting times.
 */
export async function distributionPanel(q: Queryable, workspaceId: string, now: Date) {
  const agents = await agentLoads(q, workspaceId, null, now);
  const queue = await q.query<{
    id: string;
    number: number;
    contact_name: string | null;
    connection_name: string;
    scope_id: string;
    since: Date;
  }>(
    `select c.id, c.number, ct.name as contact_name, cc.name as connection_name, s.id as scope_id,
       coalesce(c.first_unanswered_at, c.created_at) as since
     from conversations c ${SCOPE_OF_C}
     join contacts ct on ct.id = c.contact_id join channel_connections cc on cc.id = c.connection_id
     where c.workspace_id = $1 and c.assignee_id is null and c.status <> 'closed' and s.mode <> 'manual'
     ${QUEUE_ORDER} limit 200`,
    [workspaceId],
  );
  return {
    agents: agents.map((a) => ({ ...a, eligible: isEligible(a) })),
    queue: queue.map((r) => ({
      conversationId: r.id,
      number: Number(r.number),
      contactName: r.contact_name,
      connectionName: r.connection_name,
      scopeId: r.scope_id,
      waitingSince: new Date(r.since).toISOString(),
      waitingSeconds: Math.max(0, Math.round((now.getTime() - new Date(r.since).getTime()) / 1000)),
    })),
    settings: await listSettings(q, workspaceId),
  };
}
