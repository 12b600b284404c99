import { ChannelType, Rule, RuleConditions, RuleInput, RuleRun } from "@parley/protocol";
import { z } from "zod";

export const IdParams = z.object({ id: z.uuid() });
export const RuleBody = RuleInput;
export const OrderBody = z.object({ ids: z.array(z.uuid()).max(500) });
export const DryRunBody = z.object({ conditions: RuleConditions });
export const RuleAnswer = z.object({ rule: Rule });
export const RulesAnswer = z.object({ rules: z.array(Rule) });
export const RunsAnswer = z.object({ runs: z.array(RuleRun) });
export const DryRunAnswer = z.object({
  /** How many recent conversations were looked at. */
  checked: z.number().int(),
  matches: z.array(
    z.object({
      conversationId: z.string(),
      number: z.number().int(),
      contactName: z.string().nullable(),
      channel: ChannelType,
      text: z.string().nullable(),
    }),
  ),
});
