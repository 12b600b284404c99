import { z } from "zod";
import type { AppContext } from "../../context";
import { RULES_JOB } from "../../events/rule-triggers";
import { HoursCache } from "../hours/api";
import { callWebhook } from "./commands/apply-action";
import { runRulesOnEvents } from "./commands/run-events";
import { RULE_WEBHOOK_JOB, recordFailure } from "./commands/run-rule";
import { loadTarget } from "./snapshot";

/**
 * The rules' jobs: `rules.events` over each committed span of events that can trigger a rule (written by the
 * statement that appends them, only when the workspace has an enabled rule), and `rules.webhook` for a rule's
 * "call a webhook" action (one attempt; a failure is written to the rule's run log).
 */
export function registerRuleJobs(ctx: AppContext) {
  ctx.jobs.register({
    type: RULES_JOB,
    payload: z.object({ workspaceId: z.uuid(), from: z.number().int(), to: z.number().int() }),
    run: ({ workspaceId, from, to }) => runRulesOnEvents(ctx, workspaceId, from, to),
  });
  ctx.jobs.register({
    type: RULE_WEBHOOK_JOB,
    maxAttempts: 1,
    payload: z.object({
      runId: z.string(),
      ruleId: z.uuid(),
      workspaceId: z.uuid(),
      conversationId: z.uuid(),
      url: z.string(),
    }),
    run: async ({ runId, ruleId, workspaceId, conversationId, url }) => {
      const [rule] = await ctx.db.query<{ id: string; name: string }>(
        "select id, name from rules where id = $1 and workspace_id = $2",
        [ruleId, workspaceId],
      );
      const target = await loadTarget(
        ctx.db,
        new HoursCache(ctx.db),
        workspaceId,
        conversationId,
        ctx.clock.now(),
      );
      if (!rule || !target) return;
      try {
        await callWebhook(ctx, rule, target, url);
      } catch (err) {
        await recordFailure(ctx, runId, `webhook: ${(err as Error).message}`);
      }
    },
  });
}
