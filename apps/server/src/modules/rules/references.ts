import type { Queryable } from "../../db/client";
import { conflict } from "../../lib/errors";
import { type RuleReference, rulesReferring } from "./queries/rules";

/**
 * Refuses (409, naming the rules) to delete a team or a bot, or deactivate an agent, that a rule's action assigns to:
 * the rule would otherwise fail on every run. `what` starts the message ("This team").
 */
export async function refuseIfRulesUse(q: Queryable, workspaceId: string, ref: RuleReference, what: string) {
  const names = await rulesReferring(q, workspaceId, ref);
  if (names.length)
    throw conflict(
      `${what} is used by the automation rule${names.length > 1 ? "s" : ""} ${names.map((n) => `“${n}”`).join(", ")}: change or delete ${names.length > 1 ? "them" : "it"} in Settings → Rules first.`,
    );
}
