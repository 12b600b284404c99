import type { AppContext } from "../../../context";
import type { Actor } from "../../../domain/permissions";
import { rulesOf } from "../queries/list-rules";
import type { RuleInput } from "../schema";
import { checkRuleRefs, replaceRules } from "./write-rules";

/** Replaces the actor's own read-notification rules (R304); the caller checked the policy lets them. */
export async function replaceOwnRules(ctx: AppContext, actor: Actor, rules: RuleInput[]) {
  await checkRuleRefs(ctx.db, actor.workspaceId, rules);
  await ctx.db.tx((q) => replaceRules(q, actor.workspaceId, actor.userId, rules));
  return { own: await rulesOf(ctx.db, actor.workspaceId, actor.userId) };
}
