import type { Rule, RuleAction, RuleConditions, RuleRun, RuleTimeLimit, RuleTrigger } from "@parley/protocol";
import { iso } from "../../lib/time";

export interface RuleRow {
  id: string;
  workspace_id: string;
  position: number;
  name: string;
  enabled: boolean;
  trigger: RuleTrigger;
  minutes: number | null;
  time_limit: RuleTimeLimit | null;
  conditions: RuleConditions;
  actions: RuleAction[];
  stop_processing: boolean;
  updated_at: Date;
}

export const RULE_COLUMNS =
  "id, workspace_id, position, name, enabled, trigger, minutes, time_limit, conditions, actions, stop_processing, updated_at";

export const presentRule = (r: RuleRow): Rule => ({
  id: r.id,
  position: r.position,
  name: r.name,
  enabled: r.enabled,
  trigger: r.trigger,
  minutes: r.minutes,
  timeLimit: r.time_limit,
  conditions: r.conditions,
  actions: r.actions,
  stopProcessing: r.stop_processing,
  updatedAt: iso(r.updated_at)!,
});

export interface RuleRunRow {
  id: string;
  conversation_id: string | null;
  conversation_number: number | null;
  event_seq: string | number | null;
  outcome: RuleRun["outcome"];
  reason: string | null;
  created_at: Date;
}

export const presentRun = (r: RuleRunRow): RuleRun => ({
  id: String(r.id),
  conversationId: r.conversation_id,
  conversationNumber: r.conversation_number,
  eventSeq: r.event_seq === null ? null : Number(r.event_seq),
  outcome: r.outcome,
  reason: r.reason,
  at: iso(r.created_at)!,
});
