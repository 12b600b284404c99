import type { z } from "zod";
import type { Queryable } from "../../../db/client";
import { QUEUE_ORDER } from "../commands/distribute";
import { presentSettings } from "../present";
import type { WaitReason } from "../schema";
import {
  type AgentLoad,
  agentLoads,
  candidatesFor,
  isEligible,
  matchRulesOf,
  poolTeamOf,
  SCOPE_OF_C,
  type ScopeRow,
} from "../scope";

/** The workspace's distribution settings, connections first. */
export async function listSettings(q: Queryable, workspaceId: string) {
  const rows = await q.query<ScopeRow>(
    "select * from distribution_settings where workspace_id = $1 order by team_id nulls first, id",
    [workspaceId],
  );
  return rows.map(presentSettings);
}

/**
 * The supervisors' distribution panel: every active agent's load against capacity (overall and per channel),
 * languages, tags and whether distribution may pick them now, and the conversations waiting in distributing
 * scopes, oldest first, with waiting times and why nobody takes each one now (the picker's own candidate
 * filter, `candidatesFor`, over the scope's agents; a snoozed one waits for its snooze to end).
 */
export async function distributionPanel(q: Queryable, workspaceId: string, now: Date) {
  const agents = await agentLoads(q, workspaceId, null, now);
  const rows = await q.query<{
    id: string;
    number: number;
    contact_name: string | null;
    connection_name: string;
    channel: string;
    language: string | null;
    tag_ids: string[];
    snoozed: boolean;
    scope: ScopeRow;
    since: Date;
  }>(
    `select c.id, c.number, ct.name as contact_name, cc.name as connection_name, cc.type as channel,
       nullif(c.source->>'language', '') as language, to_jsonb(s) as scope,
       coalesce((select array_agg(t.tag_id::text) from contact_tags t where t.contact_id = c.contact_id), '{}') as tag_ids,
       coalesce(c.snoozed_until > $2, false) as snoozed, coalesce(c.first_unanswered_at, c.created_at) as since
     from conversations c ${SCOPE_OF_C}
     join contacts ct on ct.id = c.contact_id join channel_connections cc on cc.id = c.connection_id
     where c.workspace_id = $1 and c.assignee_id is null and c.bot_id is null and c.status <> 'closed'
       and s.mode <> 'manual'
     ${QUEUE_ORDER} limit 200`,
    [workspaceId, now],
  );
  // The agents of each pool team, read once per team the queue touches.
  const pools = new Map<string | null, AgentLoad[]>([[null, agents]]);
  for (const r of rows) {
    const team = poolTeamOf(r.scope);
    if (!pools.has(team)) pools.set(team, await agentLoads(q, workspaceId, team, now));
  }
  const reasonOf = (r: (typeof rows)[number]): z.infer<typeof WaitReason> | null => {
    if (r.snoozed) return "snoozed";
    const need = { channel: r.channel, language: r.language, tagIds: r.tag_ids };
    return candidatesFor(pools.get(poolTeamOf(r.scope))!, need, matchRulesOf(r.scope)).reason;
  };
  return {
    agents: agents.map((a) => ({ ...a, eligible: isEligible(a) })),
    queue: rows.map((r) => ({
      conversationId: r.id,
      number: Number(r.number),
      contactName: r.contact_name,
      connectionName: r.connection_name,
      scopeId: r.scope.id,
      waitingSince: new Date(r.since).toISOString(),
      waitingSeconds: Math.max(0, Math.round((now.getTime() - new Date(r.since).getTime()) / 1000)),
      channel: r.channel,
      language: r.language,
      waitReason: reasonOf(r),
    })),
    settings: await listSettings(q, workspaceId),
  };
}
