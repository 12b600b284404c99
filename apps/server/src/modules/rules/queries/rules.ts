import type { Queryable } from "../../../db/client";
import { notFound } from "../../../lib/errors";
import { presentRule, presentRun, RULE_COLUMNS, type RuleRow, type RuleRunRow } from "../present";

/** The workspace's rules in the order they run. */
export async function listRules(q: Queryable, workspaceId: string) {
  const rows = await q.query<RuleRow>(
    `select ${RULE_COLUMNS} from rules where workspace_id = $1 order by position, id`,
    [workspaceId],
  );
  return rows.map(presentRule);
}

/** The workspace's enabled rules in order, as stored (the job and the sweep read them). */
export function enabledRules(q: Queryable, workspaceId: string) {
  return q.query<RuleRow>(
    `select ${RULE_COLUMNS} from rules where workspace_id = $1 and enabled order by position, id`,
    [workspaceId],
  );
}

/** A rule's run log, newest first (404 for a rule of another workspace). */
export async function ruleRuns(q: Queryable, workspaceId: string, ruleId: string, limit = 100) {
  const [rule] = await q.query("select 1 from rules where id = $1 and workspace_id = $2", [
    ruleId,
    workspaceId,
  ]);
  if (!rule) throw notFound("Rule");
  const rows = await q.query<RuleRunRow>(
    `select r.id, r.conversation_id, c.number as conversation_number, r.event_seq, r.outcome, r.reason, r.created_at
     from rule_runs r left join conversations c on c.id = r.conversation_id
     where r.rule_id = $1 and r.workspace_id = $2 order by r.id desc limit $3`,
    [ruleId, workspaceId, limit],
  );
  return rows.map(presentRun);
}

/** What a rule's action can name that may not be deleted while the rule does. */
export type RuleReference = { userId: string } | { teamId: string } | { botId: string };

/** The names of the workspace's rules whose actions name this agent, team or bot (deleting them is refused). */
export async function rulesReferring(
  q: Queryable,
  workspaceId: string,
  ref: RuleReference,
): Promise<string[]> {
  const [key, id] =
    "userId" in ref
      ? ["userId", ref.userId]
      : "teamId" in ref
        ? ["teamId", ref.teamId]
        : ["botId", ref.botId];
  const rows = await q.query<{ name: string }>(
    `select name from rules where workspace_id = $1 and actions @> jsonb_build_array(jsonb_build_object($2::text, $3::text))
     order by position, id`,
    [workspaceId, key, id],
  );
  return rows.map((r) => r.name);
}
