import { AsyncLocalStorage } from "node:async_hooks";
import type { DomainEvent, RuleTrigger } from "@parley/protocol";
import type { EventDraft } from "./store";

/** The job that runs a workspace's automation rules over a span of its events (modules/rules/jobs.ts). */
export const RULES_JOB = "rules.events";

/** Which rule trigger an event is, if any (the no-reply trigger comes from a sweep, not from an event). */
export function ruleTriggerOf(d: DomainEvent): RuleTrigger | null {
  switch (d.type) {
    case "conversation.created":
      return "conversation_created";
    case "conversation.status_changed":
      return "status_changed";
    case "message.created":
      if (d.message.kind !== "message") return null;
      return d.message.direction === "inbound" ? "customer_message" : "agent_message";
    default:
      return null;
  }
}

/** Whether any draft of a transaction can trigger a rule: only then is the rules job written with them. */
export const triggersRules = (drafts: readonly EventDraft[]) =>
  drafts.some((d) => ruleTriggerOf(d as DomainEvent) !== null);

const causes = new AsyncLocalStorage<{ ruleId: string }>();

/**
 * Runs `fn` as a rule's action: every event the commands inside it write carries `cause: { ruleId }`, so the
 * rule never runs again on what it did itself (loop protection). The commands are Parley's ordinary ones.
 */
export const asRule = <T>(ruleId: string, fn: () => Promise<T>): Promise<T> => causes.run({ ruleId }, fn);

/** The rule whose action is running in this call chain, if any. */
export const currentCause = () => causes.getStore() ?? null;
