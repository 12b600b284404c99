import { z } from "zod";
import { ChannelType } from "./enums";

/**
 * Automation rules: "when (trigger) and (conditions) then (actions)". The server validates a rule with these
 * schemas and the web app's editor builds the same shapes, so both agree on what a rule may hold.
 */
export const RuleTrigger = z.enum([
  "conversation_created",
  "customer_message",
  "agent_message",
  "status_changed",
  "no_reply",
  "time_limit_reached",
]);
export type RuleTrigger = z.infer<typeof RuleTrigger>;

/**
 * Which time limit (R107) a `time_limit_reached` rule waits for: the warning (the workspace's first limit) or
 * overdue (its second).
 */
export const RuleTimeLimit = z.enum(["warning", "overdue"]);
export type RuleTimeLimit = z.infer<typeof RuleTimeLimit>;

/** A language as rules name it: a BCP 47 tag such as `en`, `pt-BR` (an underscore is read as a hyphen). */
export const RuleLanguage = z
  .string()
  .trim()
  .regex(/^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$/, "Name a language by its code, such as en, ru or pt-BR.");

/**
 * Whether a language the conversation carries (a browser's `ru-RU`, Telegram's `uk`) is one of the listed:
 * a code without a region (`ru`) takes every region of it, one with a region (`pt-br`) only that one.
 */
export function languageMatches(listed: readonly string[], language: string | null): boolean {
  if (!language) return false;
  const norm = (l: string) => l.trim().replace(/_/g, "-").toLowerCase();
  const have = norm(language);
  return listed.map(norm).some((l) => have === l || (!l.includes("-") && have.startsWith(`${l}-`)));
}

/** The longest regular expression a rule may hold, and how much of a message it is tried on. */
export const RULE_PATTERN_MAX = 200;
export const RULE_TEXT_SCAN = 4000;
/** The longest snooze a rule may set: 30 days. */
export const RULE_SNOOZE_MAX_MINUTES = 30 * 24 * 60;

/** Whether a pattern compiles (case-insensitive, Unicode): the reason when it does not. */
export function patternProblem(pattern: string): string | null {
  try {
    new RegExp(pattern, "iu");
    return null;
  } catch (err) {
    return `“${pattern}” is not a valid regular expression: ${(err as Error).message}`;
  }
}

/** Every condition given must hold; a condition left out holds always. */
export const RuleConditions = z.object({
  /** Any of these channel types. */
  channels: z.array(ChannelType).max(20).optional(),
  /** Any of these connections. */
  connectionIds: z.array(z.uuid()).max(50).optional(),
  /** The message's text contains this (case-insensitive). */
  textContains: z.string().trim().min(1).max(200).optional(),
  /** The message's text matches this regular expression (case-insensitive). */
  textMatches: z
    .string()
    .min(1)
    .max(RULE_PATTERN_MAX)
    .superRefine((p, c) => {
      const problem = patternProblem(p);
      if (problem) c.addIssue({ code: "custom", message: problem });
    })
    .optional(),
  /** The contact carries any of these tags. */
  contactTagIds: z.array(z.uuid()).max(50).optional(),
  /** Within or outside the business hours of the conversation's team (or the workspace). */
  hours: z.enum(["within", "outside"]).optional(),
  /** The conversation's source (a web chat's page, referrer, UTM tags): each key's value contains the text. */
  source: z
    .array(z.object({ key: z.string().trim().min(1).max(60), value: z.string().trim().min(1).max(200) }))
    .max(10)
    .optional(),
  /** The contact's first conversation, or a returning contact's later one. */
  contact: z.enum(["first", "returning"]).optional(),
  /** The conversation's language (the contact's, as the channel or the browser told it) is any of these. */
  languages: z.array(RuleLanguage).max(20).optional(),
});
export type RuleConditions = z.infer<typeof RuleConditions>;

export const RuleAction = z.discriminatedUnion("type", [
  /** Assign an agent and/or a team (null: back to the queue / no team). */
  z.object({
    type: z.literal("assign"),
    userId: z.uuid().nullable().optional(),
    teamId: z.uuid().nullable().optional(),
  }),
  z.object({ type: z.literal("add_tag"), tagId: z.uuid() }),
  z.object({ type: z.literal("remove_tag"), tagId: z.uuid() }),
  /** Send one of the workspace's canned replies to the customer. */
  z.object({ type: z.literal("reply"), cannedReplyId: z.uuid() }),
  /** An internal note in the conversation. */
  z.object({ type: z.literal("note"), text: z.string().trim().min(1).max(4000) }),
  z.object({ type: z.literal("close") }),
  /** POST the conversation to an address (through the egress guard). */
  z.object({ type: z.literal("webhook"), url: z.url({ protocol: /^https?$/ }).max(2000) }),
  /**
   * Send an approved message template of the conversation's connection (WhatsApp) with fixed values for its
   * placeholders, per component.
   */
  z.object({
    type: z.literal("template"),
    templateId: z.uuid(),
    variables: z
      .object({
        header: z.array(z.string().max(1024)).max(10).optional(),
        body: z.array(z.string().max(1024)).max(20).default([]),
        buttons: z.array(z.string().max(1024)).max(10).optional(),
      })
      .default({ body: [] }),
  }),
  /** Hand the conversation to one of the workspace's bots (it leaves its agent). */
  z.object({ type: z.literal("assign_bot"), botId: z.uuid() }),
  /** Mark the conversation important (starred) for the team. */
  z.object({ type: z.literal("mark_important") }),
  /**
   * Snooze the conversation: for `minutes` (`for`), or until the next opening of the business hours of its
   * team (or the workspace) after the current open period (`next_opening`). The customer writing wakes it.
   */
  z.object({
    type: z.literal("snooze"),
    until: z.enum(["for", "next_opening"]).default("for"),
    minutes: z.number().int().min(1).max(RULE_SNOOZE_MAX_MINUTES).nullable().optional(),
  }),
]);
export type RuleAction = z.infer<typeof RuleAction>;
export type RuleActionType = RuleAction["type"];

export const RuleInput = z
  .object({
    name: z.string().trim().min(1).max(120),
    enabled: z.boolean().default(true),
    trigger: RuleTrigger,
    /** For `no_reply`: minutes the customer has waited for an answer. */
    minutes: z.number().int().min(1).max(10080).nullable().optional(),
    /** For `time_limit_reached`: the warning or the overdue limit (default overdue). */
    timeLimit: RuleTimeLimit.nullable().optional(),
    conditions: RuleConditions.default({}),
    actions: z.array(RuleAction).min(1).max(10),
    stopProcessing: z.boolean().default(false),
  })
  .superRefine((r, c) => {
    if (r.trigger === "no_reply" && !r.minutes)
      c.addIssue({
        code: "custom",
        path: ["minutes"],
        message: "Say after how many minutes without a reply the rule runs.",
      });
    r.actions.forEach((a, i) => {
      if (a.type === "snooze" && a.until === "for" && !a.minutes)
        c.addIssue({
          code: "custom",
          path: ["actions", i, "minutes"],
          message: "Say for how long the rule snoozes the conversation (minutes or hours).",
        });
    });
  });
export type RuleInput = z.infer<typeof RuleInput>;

export const Rule = z.object({
  id: z.string(),
  position: z.number().int(),
  name: z.string(),
  enabled: z.boolean(),
  trigger: RuleTrigger,
  minutes: z.number().int().nullable(),
  timeLimit: RuleTimeLimit.nullable(),
  conditions: RuleConditions,
  actions: z.array(RuleAction),
  stopProcessing: z.boolean(),
  updatedAt: z.string(),
});
export type Rule = z.infer<typeof Rule>;

export const RuleOutcome = z.enum(["matched", "skipped", "failed"]);
export type RuleOutcome = z.infer<typeof RuleOutcome>;

/** One line of a rule's run log. */
export const RuleRun = z.object({
  id: z.string(),
  conversationId: z.string().nullable(),
  conversationNumber: z.number().int().nullable(),
  eventSeq: z.number().int().nullable(),
  outcome: RuleOutcome,
  /** Why it was skipped or failed: `loop_stopped`, `own_action`, or the failing actions. */
  reason: z.string().nullable(),
  at: z.string(),
});
export type RuleRun = z.infer<typeof RuleRun>;

/** What a conversation looks like to a rule's conditions (the server builds it; evaluation is pure). */
export interface RuleSnapshot {
  channel: ChannelType;
  connectionId: string;
  /** The triggering message's text, or the customer's last message for other triggers. */
  text: string | null;
  contactTagIds: readonly string[];
  withinHours: boolean;
  source: Record<string, string>;
  firstContact: boolean;
  /** The conversation's language code as the channel or the browser gave it, if any. */
  language: string | null;
}

export type RuleConditionName = keyof RuleConditions;

/** The first condition that does not hold, or null when all hold. */
export function failedCondition(c: RuleConditions, s: RuleSnapshot): RuleConditionName | null {
  const text = (s.text ?? "").slice(0, RULE_TEXT_SCAN);
  if (c.channels?.length && !c.channels.includes(s.channel)) return "channels";
  if (c.connectionIds?.length && !c.connectionIds.includes(s.connectionId)) return "connectionIds";
  if (c.textContains && !text.toLocaleLowerCase().includes(c.textContains.toLocaleLowerCase()))
    return "textContains";
  if (c.textMatches && (patternProblem(c.textMatches) || !new RegExp(c.textMatches, "iu").test(text)))
    return "textMatches";
  if (c.contactTagIds?.length && !c.contactTagIds.some((id) => s.contactTagIds.includes(id)))
    return "contactTagIds";
  if (c.hours && (c.hours === "within") !== s.withinHours) return "hours";
  if (
    c.source?.length &&
    !c.source.every(({ key, value }) =>
      (s.source[key] ?? "").toLocaleLowerCase().includes(value.toLocaleLowerCase()),
    )
  )
    return "source";
  if (c.contact && (c.contact === "first") !== s.firstContact) return "contact";
  if (c.languages?.length && !languageMatches(c.languages, s.language)) return "languages";
  return null;
}

export const ruleMatches = (c: RuleConditions, s: RuleSnapshot) => failedCondition(c, s) === null;
