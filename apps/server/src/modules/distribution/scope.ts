import { languageMatches } from "@parley/protocol";
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
  match_language: boolean;
  match_tags: boolean;
  unmatched: Unmatched;
  updated_at: Date;
}

/** A conversation no eligible agent matches: waits in the queue, or goes to any eligible agent. */
export type Unmatched = "wait" | "any";

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
  /** ISO 639-1 codes the agent speaks. */
  languages: string[];
  /** Contact tags the agent handles. */
  tagIds: string[];
  /** Channel type → most open conversations of that type (only the types with a limit). */
  channelMaxOpen: Record<string, number>;
  /** Channel type → open conversations of that type (read only when the agent has a per-channel limit). */
  openByChannel: Record<string, number>;
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
    languages: string[] | null;
    tag_ids: string[] | null;
    channel_max_open: Record<string, number> | null;
    open_by_channel: Record<string, number> | null;
  }>(
    `select u.id, u.name, a.max_open, coalesce(a.on_vacation, false) as on_vacation, a.languages,
       a.tag_ids::text[] as tag_ids, a.channel_max_open,
       (select count(*)::int from conversations c where c.assignee_id = u.id and c.status <> 'closed') as open,
       case when a.channel_max_open <> '{}'::jsonb then
         (select jsonb_object_agg(x.type, x.n) from (select cc.type, count(*)::int as n from conversations c
            join channel_connections cc on cc.id = c.connection_id
            where c.assignee_id = u.id and c.status <> 'closed' group by cc.type) x) end as open_by_channel,
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
    languages: r.languages ?? [],
    tagIds: r.tag_ids ?? [],
    channelMaxOpen: r.channel_max_open ?? {},
    openByChannel: r.open_by_channel ?? {},
  }));
}

/** Online, not on vacation, under capacity. */
export const isEligible = (a: AgentLoad) =>
  a.online && !a.onVacation && (a.maxOpen === null || a.open < a.maxOpen);

/** What distribution needs to know of a waiting conversation to match it to agents. */
export interface ConversationNeed {
  /** Its channel type (per-channel capacity). */
  channel: string;
  /** Its language as the channel told it (`source.language`, as the rules' language condition reads it). */
  language: string | null;
  /** Its contact's tags. */
  tagIds: readonly string[];
}

/** A scope's matching switches. */
export interface MatchRules {
  matchLanguage: boolean;
  matchTags: boolean;
  unmatched: Unmatched;
}
export const NO_MATCHING: MatchRules = { matchLanguage: false, matchTags: false, unmatched: "wait" };
export const matchRulesOf = (
  s: Pick<ScopeRow, "match_language" | "match_tags" | "unmatched">,
): MatchRules => ({
  matchLanguage: s.match_language,
  matchTags: s.match_tags,
  unmatched: s.unmatched,
});

/** Under the agent's limit for this channel type (none set: no limit beyond the overall one). */
export const underChannelCap = (a: AgentLoad, channel: string | undefined) => {
  const max = channel === undefined ? undefined : a.channelMaxOpen[channel];
  return max === undefined || (a.openByChannel[channel!] ?? 0) < max;
};

/** Whether a conversation with a language only matches agents who speak it (none: everyone matches). */
const languageOk = (a: AgentLoad, need: ConversationNeed | undefined, rules: MatchRules) =>
  !rules.matchLanguage || !need?.language || languageMatches(a.languages, need.language);
/** Whether the contact's tags allow the agent (a contact without tags: everyone matches). */
const tagsOk = (a: AgentLoad, need: ConversationNeed | undefined, rules: MatchRules) =>
  !rules.matchTags || !need?.tagIds.length || need.tagIds.some((t) => a.tagIds.includes(t));

/** Why a conversation finds nobody (null: someone can take it), in the order a supervisor would fix it. */
export type WaitReason =
  | "no_agent"
  | "at_capacity"
  | "channel_capacity"
  | "no_language_match"
  | "no_tag_match";

/**
 * The agents who may take this conversation (pure, in id order): eligible, under its channel's limit, not
 * `exclude`, and matching its language and tags when the scope says so; when nobody matches and the scope's
 * `unmatched` is `any`, every eligible agent under the channel's limit. `reason` says why the set is empty.
 */
export function candidatesFor(
  agents: readonly AgentLoad[],
  need: ConversationNeed | undefined,
  rules: MatchRules,
  exclude: string | null = null,
): { pool: AgentLoad[]; reason: WaitReason | null } {
  const present = agents.filter((a) => a.id !== exclude && a.online && !a.onVacation);
  if (!present.length) return { pool: [], reason: "no_agent" };
  const roomy = present.filter((a) => a.maxOpen === null || a.open < a.maxOpen);
  if (!roomy.length) return { pool: [], reason: "at_capacity" };
  const open = roomy.filter((a) => underChannelCap(a, need?.channel));
  if (!open.length) return { pool: [], reason: "channel_capacity" };
  const speaking = open.filter((a) => languageOk(a, need, rules));
  const pool = speaking.filter((a) => tagsOk(a, need, rules));
  if (pool.length || rules.unmatched === "any") return { pool: pool.length ? pool : open, reason: null };
  return { pool, reason: speaking.length ? "no_tag_match" : "no_language_match" };
}

/**
 * Picks the next agent (pure) among `candidatesFor` the conversation. Round-robin: the first candidate after
 * the cursor in id order, wrapping round. Least busy: the candidate with the fewest open conversations; ties
 * go round-robin from the cursor. `exclude` is the agent the conversation was just taken from: never picked
 * again at once.
 */
export function pickAgent(
  mode: DistributionMode,
  agents: readonly AgentLoad[],
  cursor: string | null,
  exclude: string | null = null,
  need?: ConversationNeed,
  rules: MatchRules = NO_MATCHING,
): AgentLoad | null {
  if (mode === "manual") return null;
  const { pool } = candidatesFor(agents, need, rules, exclude);
  if (pool.length === 0) return null;
  const after = cursor === null ? -1 : pool.findIndex((a) => a.id > cursor);
  const start = after === -1 ? 0 : after;
  const rotated = [...pool.slice(start), ...pool.slice(0, start)];
  if (mode === "round_robin") return rotated[0]!;
  return rotated.reduce((best, a) => (a.open < best.open ? a : best));
}

/**
 * Picks the agents for `count` waiting conversations, in queue order, from loads read once (pure): each pick
 * is `pickAgent` from the cursor the one before it left, counting the conversation it just gave (overall and
 * for its channel, so capacity and least busy hold within the batch exactly as one at a time). `needs[i]`
 * (when given) is conversation i's channel, language and tags: a conversation nobody may take gets null and
 * waits while the ones after it are still tried; once no agent is eligible at all (`exhausted`) the batch
 * ends. `agents` is not changed.
 */
export function pickAgents(
  mode: DistributionMode,
  agents: readonly AgentLoad[],
  cursor: string | null,
  count: number,
  exclude: string | null = null,
  needs?: readonly ConversationNeed[],
  rules: MatchRules = NO_MATCHING,
): { picks: (string | null)[]; cursor: string | null; exhausted: boolean } {
  const loads = agents.map((a) => ({ ...a, openByChannel: { ...a.openByChannel } }));
  const picks: (string | null)[] = [];
  let at = cursor;
  let exhausted = mode === "manual";
  while (!exhausted && picks.length < count) {
    const need = needs?.[picks.length];
    const agent = pickAgent(mode, loads, at, exclude, need, rules);
    if (!agent) {
      exhausted = !loads.some((a) => a.id !== exclude && isEligible(a));
      if (!exhausted) picks.push(null);
      continue;
    }
    agent.open++;
    if (need) agent.openByChannel[need.channel] = (agent.openByChannel[need.channel] ?? 0) + 1;
    at = agent.id;
    picks.push(agent.id);
  }
  return { picks, cursor: at, exhausted };
}
