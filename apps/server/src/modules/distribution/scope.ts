import type { Queryable } from "../../db/client";

/** How long a presence row stays fresh (a process refreshes it every 30 s; see users/presence.ts). */
export const PRESENCE_FRESH_MS = 75_000;

export type DistributionMode = "round_robin" | "least_busy" | "manual";

/** The settings row that decides a conversation's distribution (its "scope"). */
export interface ScopeRow {
  id: string;
  workspace_id: string;
  connection_id: string | null;
  team_id: string | null;
  mode: DistributionMode;
  pool_team_id: string | null;
  reply_timeout_minutes: number | null;
  reassign_when_away: boolean;
  fallback_team_id: string | null;
  cursor_user_id: string | null;
  updated_at: Date;
}

/**
 * The scope of the conversation `c` as a lateral subquery aliased `s`: its team's settings when its team has
 * some, else its connection's. One definition for the job, the queue, the sweep and the panel.
 */
export const SCOPE_OF_C = `cross join lateral (
    select * from distribution_settings s0
    where s0.team_id = c.team_id or s0.connection_id = c.connection_id
    order by (s0.team_id is not null) desc limit 1) s`;

/** The team whose members a scope distributes to: the team itself, or the connection's pool team (or none). */
export const poolTeamOf = (s: Pick<ScopeRow, "team_id" | "pool_team_id">) => s.team_id ?? s.pool_team_id;

export interface AgentLoad {
  id: string;
  name: string;
  open: number;
  maxOpen: number | null;
  online: boolean;
  onVacation: boolean;
}

/**
 * The active agents of a workspace (of a team when given) with their open conversations, capacity,
 * presence and vacation, in id order (the round-robin order).
 */
export async function agentLoads(
  q: Queryable,
  workspaceId: string,
  teamId: string | null,
  now: Date,
): Promise<AgentLoad[]> {
  const rows = await q.query<{
    id: string;
    name: string;
    open: number;
    max_open: number | null;
    online: boolean;
    on_vacation: boolean;
  }>(
    `select u.id, u.name, a.max_open, coalesce(a.on_vacation, false) as on_vacation,
       (select count(*)::int from conversations c where c.assignee_id = u.id and c.status <> 'closed') as open,
       exists (select 1 from presence_sockets p where p.workspace_id = u.workspace_id and p.user_id = u.id
               and p.state = 'online' and p.seen_at > $3) as online
     from users u left join agent_distribution a on a.user_id = u.id
     where u.workspace_id = $1 and u.status = 'active'
       and ($2::uuid is null or exists (select 1 from team_members tm where tm.team_id = $2 and tm.user_id = u.id))
     order by u.id`,
    [workspaceId, teamId, new Date(now.getTime() - PRESENCE_FRESH_MS)],
  );
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    open: Number(r.open),
    maxOpen: r.max_open,
    online: r.online,
    onVacation: r.on_vacation,
  }));
}

/** Online, not on vacation, under capacity. */
export const isEligible = (a: AgentLoad) =>
  a.online && !a.onVacation && (a.maxOpen === null || a.open < a.maxOpen);

/**
 * Picks the next agent (pure). Round-robin: the first eligible agent after the cursor in id order, wrapping
 * round. Least busy: the eligible agent with the fewest open conversations; ties go round-robin from the
 * cursor. `exclude` is the agent the conversation was just taken from: never picked again at once.
 */
export function pickAgent(
  mode: DistributionMode,
  agents: readonly AgentLoad[],
  cursor: string | null,
  exclude: string | null = null,
): AgentLoad | null {
  if (mode === "manual") return null;
  const eligible = agents.filter(isEligible);
  const pool = eligible.filter((a) => a.id !== exclude);
  if (pool.length === 0) return null;
  const after = cursor === null ? -1 : pool.findIndex((a) => a.id > cursor);
  const start = after === -1 ? 0 : after;
  const rotated = [...pool.slice(start), ...pool.slice(0, start)];
  if (mode === "round_robin") return rotated[0]!;
  return rotated.reduce((best, a) => (a.open < best.open ? a : best));
}

/**
 * Picks the agents for `count` waiting conversations, in queue order, from loads read once (pure): each pick
 * is `pickAgent` from the cursor the one before it left, counting the conversation it just gave (so capacity
 * and least busy hold within the batch exactly as one at a time). Stops at the first conversation nobody
 * can take: eligibility only shrinks as loads grow, so the picks are the oldest `picks.length`. `agents` is
 * not changed.
 */
export function pickAgents(
  mode: DistributionMode,
  agents: readonly AgentLoad[],
  cursor: string | null,
  count: number,
  exclude: string | null = null,
): { picks: string[]; cursor: string | null } {
  const loads = agents.map((a) => ({ ...a }));
  const picks: string[] = [];
  let at = cursor;
  while (picks.length < count) {
    const agent = pickAgent(mode, loads, at, exclude);
    if (!agent) break;
    agent.open++;
    at = agent.id;
    picks.push(agent.id);
  }
  return { picks, cursor: at };
}
