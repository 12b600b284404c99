import { type RuleConditions, ruleMatches } from "@parley/protocol";
import type { Queryable } from "../../../db/client";
import { recentTargets } from "../snapshot";

/** How many recent conversations a dry run looks at. */
export const DRY_RUN_LIMIT = 200;

/**
 * Which of the workspace's most recently active conversations a rule's conditions match as they are now
 * (their current snapshot: the customer's last message, the contact's tags, hours at this instant).
 * Nothing is changed and nothing is logged.
 */
export async function dryRun(q: Queryable, workspaceId: string, at: Date, conditions: RuleConditions) {
  const targets = await recentTargets(q, workspaceId, at, DRY_RUN_LIMIT);
  const matches = targets
    .filter((t) => ruleMatches(conditions, t.snapshot))
    .map((t) => ({
      conversationId: t.id,
      number: t.number,
      contactName: t.contactName,
      channel: t.snapshot.channel,
      text: t.snapshot.text,
    }));
  return { checked: targets.length, matches };
}
