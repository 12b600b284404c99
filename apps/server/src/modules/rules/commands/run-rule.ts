import type { RuleAction } from "@parley/protocol";
import type { AppContext } from "../../../context";
import { asRule } from "../../../events/rule-triggers";
import { enqueueJob } from "../../../jobs/queue";
import type { RuleRow } from "../present";
import type { Target } from "../snapshot";
import { applyAction } from "./apply-action";

export const RULE_WEBHOOK_JOB = "rules.webhook";
/** The most rule runs that act on one conversation within a minute; past it a run stops as a loop. */
export const LOOP_CAP = 20;

export interface Occurrence {
  /** `event:<seq>` or `no_reply:<conversation>:<ms>`: a rule acts at most once per occurrence. */
  key: string;
  eventSeq: number | null;
  /** The rule whose own action caused the event, if any. */
  causeRuleId: string | null;
}

export type RunResult = "acted" | "skipped" | "done_before";

/**
 * Runs one matching rule on a conversation. Its run-log row is claimed first (unique per rule and
 * occurrence), so however many workers or retries, it acts once. It is recorded as skipped, without acting,
 * when the event was its own action's (`own_action`) or when the conversation has had LOOP_CAP rule actions
 * in the last minute (`loop_stopped`: rules triggering one another). Each action goes through its own
 * command; one that fails is recorded and the others still run. Webhooks are called by their own job.
 */
export async function runRule(
  ctx: AppContext,
  rule: RuleRow,
  target: Target,
  occurrence: Occurrence,
): Promise<RunResult> {
  const now = ctx.clock.now();
  const own = occurrence.causeRuleId === rule.id;
  const [claimed] = await ctx.db.query<{ id: string; outcome: string }>(
    `with recent as (
       select count(*)::int as n from rule_runs
       where conversation_id = $3 and outcome <> 'skipped' and created_at > $6::timestamptz - interval '1 minute')
     insert into rule_runs (workspace_id, rule_id, conversation_id, occurrence, event_seq, outcome, reason, created_at)
     select $1, $2, $3, $4, $5,
       case when $8 or recent.n >= $7 then 'skipped' else 'matched' end,
       case when $8 then 'own_action' when recent.n >= $7 then 'loop_stopped' end,
       $6
     from recent
     on conflict (rule_id, occurrence) do nothing
     returning id::text, outcome`,
    [rule.workspace_id, rule.id, target.id, occurrence.key, occurrence.eventSeq, now, LOOP_CAP, own],
  );
  if (!claimed) return "done_before";
  if (claimed.outcome === "skipped") {
    if (!own) ctx.log.warn({ ruleId: rule.id, conversationId: target.id }, "rule loop stopped");
    return "skipped";
  }
  const failures: string[] = [];
  for (const [i, action] of rule.actions.entries()) {
    if (action.type === "webhook") {
      await enqueueJob(
        ctx.db,
        RULE_WEBHOOK_JOB,
        {
          runId: claimed.id,
          ruleId: rule.id,
          workspaceId: rule.workspace_id,
          conversationId: target.id,
          url: action.url,
        },
        { workspaceId: rule.workspace_id, now, maxAttempts: 1 },
      );
      ctx.jobs.wake();
      continue;
    }
    try {
      await asRule(rule.id, () => applyAction(ctx, rule, target, action, `${occurrence.key}:${i}`));
    } catch (err) {
      failures.push(`${label(action)}: ${(err as Error).message}`);
    }
  }
  if (failures.length) await recordFailure(ctx, claimed.id, failures.join("; "));
  return "acted";
}

const label = (a: RuleAction) => a.type.replace("_", " ");

/** Marks a run failed, adding the reason to any recorded before (a webhook's answer comes later). */
export async function recordFailure(ctx: AppContext, runId: string, reason: string) {
  await ctx.db.query(
    `update rule_runs set outcome = 'failed', reason = left(coalesce(reason || '; ', '') || $2, 1000) where id = $1`,
    [runId, reason],
  );
}
