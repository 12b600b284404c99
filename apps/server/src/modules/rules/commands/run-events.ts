import { ruleMatches } from "@parley/protocol";
import type { AppContext } from "../../../context";
import { ruleTriggerOf } from "../../../events/rule-triggers";
import { readEvents } from "../../../events/store";
import { HoursCache } from "../../hours/api";
import type { RuleRow } from "../present";
import { enabledRules } from "../queries/rules";
import { loadTarget, type Target } from "../snapshot";
import { type Occurrence, runRule } from "./run-rule";

/**
 * The rules job over a span of a workspace's committed events: for each event that is a trigger, the enabled
 * rules with that trigger are tried in order on the conversation as it is now (the message's own text for
 * message triggers, business hours at the event's time); a matching rule acts, and one with stop-processing
 * ends the run for that event. A rule never runs on an event its own action caused.
 */
export async function runRulesOnEvents(ctx: AppContext, workspaceId: string, from: number, to: number) {
  // "No reply" and "time limit reached" are run by their sweeps, not by events.
  const rules = (await enabledRules(ctx.db, workspaceId)).filter(
    (r) => r.trigger !== "no_reply" && r.trigger !== "time_limit_reached",
  );
  if (!rules.length) return;
  const hours = new HoursCache(ctx.db);
  const events = await readEvents(ctx.db, workspaceId, from - 1, to - from + 1, to);
  for (const { event } of events) {
    const trigger = ruleTriggerOf(event);
    if (!trigger || !("conversationId" in event)) continue;
    const candidates = rules.filter((r) => r.trigger === trigger);
    if (!candidates.length) continue;
    const text = event.type === "message.created" ? (event.message.text ?? "") : undefined;
    const target = await loadTarget(
      ctx.db,
      hours,
      workspaceId,
      event.conversationId,
      new Date(event.at),
      text,
    );
    if (!target) continue;
    await runInOrder(ctx, candidates, target, {
      key: `event:${event.seq}`,
      eventSeq: event.seq,
      causeRuleId: event.cause?.ruleId ?? null,
    });
  }
}

/** Tries rules in order on one conversation for one occurrence, honouring stop-processing. */
export async function runInOrder(ctx: AppContext, rules: RuleRow[], target: Target, occurrence: Occurrence) {
  for (const rule of rules) {
    if (!ruleMatches(rule.conditions, target.snapshot)) continue;
    const result = await runRule(ctx, rule, target, occurrence);
    if (result === "skipped" && occurrence.causeRuleId === rule.id) continue;
    if (rule.stop_processing) break;
  }
}
