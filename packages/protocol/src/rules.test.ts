import { describe, expect, it } from "vitest";
import {
  failedCondition,
  RuleAction,
  RuleConditions,
  RuleInput,
  type RuleSnapshot,
  ruleMatches,
} from "./rules";

const TAG = "6f1c3d2e-1b2a-4c3d-8e9f-0a1b2c3d4e5f";
const OTHER_TAG = "7a2b3c4d-5e6f-4a1b-9c2d-3e4f5a6b7c8d";
const CONN = "0d9c8b7a-6f5e-4d3c-8b2a-1f0e9d8c7b6a";

const snap = (over: Partial<RuleSnapshot> = {}): RuleSnapshot => ({
  channel: "telegram",
  connectionId: CONN,
  text: "Hello, I need a REFUND for order 1234",
  contactTagIds: [TAG],
  withinHours: true,
  source: { utm_source: "Newsletter", referrer: "https://example.com/pricing" },
  firstContact: true,
  language: "ru-RU",
  ...over,
});

describe("rule conditions", () => {
  it("no conditions match every conversation", () => {
    expect(ruleMatches({}, snap())).toBe(true);
  });

  it("channel: any of the listed types", () => {
    expect(ruleMatches({ channels: ["telegram", "email"] }, snap())).toBe(true);
    expect(failedCondition({ channels: ["whatsapp"] }, snap())).toBe("channels");
  });

  it("connection: any of the listed connections", () => {
    expect(ruleMatches({ connectionIds: [CONN] }, snap())).toBe(true);
    expect(failedCondition({ connectionIds: [TAG] }, snap())).toBe("connectionIds");
  });

  it("text contains, ignoring case; no text never contains anything", () => {
    expect(ruleMatches({ textContains: "refund" }, snap())).toBe(true);
    expect(failedCondition({ textContains: "invoice" }, snap())).toBe("textContains");
    expect(failedCondition({ textContains: "refund" }, snap({ text: null }))).toBe("textContains");
  });

  it("text matches a regular expression, ignoring case", () => {
    expect(ruleMatches({ textMatches: "order\\s+\\d{4}" }, snap())).toBe(true);
    expect(ruleMatches({ textMatches: "^hello" }, snap())).toBe(true);
    expect(failedCondition({ textMatches: "^order" }, snap())).toBe("textMatches");
  });

  it("contact tags: any of the listed tags", () => {
    expect(ruleMatches({ contactTagIds: [OTHER_TAG, TAG] }, snap())).toBe(true);
    expect(failedCondition({ contactTagIds: [OTHER_TAG] }, snap())).toBe("contactTagIds");
  });

  it("within or outside business hours", () => {
    expect(ruleMatches({ hours: "within" }, snap())).toBe(true);
    expect(failedCondition({ hours: "outside" }, snap())).toBe("hours");
    expect(ruleMatches({ hours: "outside" }, snap({ withinHours: false }))).toBe(true);
  });

  it("source and UTM: every listed key contains its value, ignoring case", () => {
    expect(ruleMatches({ source: [{ key: "utm_source", value: "newsletter" }] }, snap())).toBe(true);
    expect(
      ruleMatches(
        {
          source: [
            { key: "utm_source", value: "news" },
            { key: "referrer", value: "/pricing" },
          ],
        },
        snap(),
      ),
    ).toBe(true);
    expect(failedCondition({ source: [{ key: "utm_campaign", value: "spring" }] }, snap())).toBe("source");
  });

  it("first or returning contact", () => {
    expect(ruleMatches({ contact: "first" }, snap())).toBe(true);
    expect(failedCondition({ contact: "returning" }, snap())).toBe("contact");
    expect(ruleMatches({ contact: "returning" }, snap({ firstContact: false }))).toBe(true);
  });

  it("language: a code takes every region of it, a code with a region only that one", () => {
    expect(ruleMatches({ languages: ["uk", "ru"] }, snap())).toBe(true);
    expect(ruleMatches({ languages: ["ru-ru"] }, snap({ language: "ru_RU" }))).toBe(true);
    expect(failedCondition({ languages: ["en"] }, snap())).toBe("languages");
    expect(failedCondition({ languages: ["pt-BR"] }, snap({ language: "pt-PT" }))).toBe("languages");
    expect(failedCondition({ languages: ["ru"] }, snap({ language: "rus" }))).toBe("languages");
    // A conversation whose language nobody told never matches a language condition.
    expect(failedCondition({ languages: ["ru"] }, snap({ language: null }))).toBe("languages");
    expect(RuleConditions.safeParse({ languages: ["Russian"] }).error?.issues[0]?.message).toMatch(
      /by its code/,
    );
  });

  it("all conditions must hold: the first that fails is named", () => {
    const c = { channels: ["telegram" as const], textContains: "refund", hours: "outside" as const };
    expect(failedCondition(c, snap())).toBe("hours");
  });
});

describe("rule schemas", () => {
  it("refuse a regular expression that does not compile, saying why", () => {
    const r = RuleConditions.safeParse({ textMatches: "order (" });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toMatch(/not a valid regular expression/);
  });

  it("refuse a webhook that is not http(s) and an unknown action", () => {
    expect(RuleAction.safeParse({ type: "webhook", url: "ftp://example.com/x" }).success).toBe(false);
    expect(RuleAction.safeParse({ type: "webhook", url: "https://example.com/x" }).success).toBe(true);
    expect(RuleAction.safeParse({ type: "explode" }).success).toBe(false);
  });

  it("a template action takes its values per component; assign_bot names a bot", () => {
    const id = "6f1c3d2e-1b2a-4c3d-8e9f-0a1b2c3d4e5f";
    expect(RuleAction.parse({ type: "template", templateId: id })).toEqual({
      type: "template",
      templateId: id,
      variables: { body: [] },
    });
    expect(RuleAction.safeParse({ type: "assign_bot", botId: "nope" }).success).toBe(false);
    expect(RuleAction.safeParse({ type: "assign_bot", botId: id }).success).toBe(true);
  });

  it("a no-reply rule needs its minutes, and every rule an action", () => {
    const base = { name: "Nudge", trigger: "no_reply", actions: [{ type: "close" }] };
    const r = RuleInput.safeParse(base);
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(["minutes"]);
    expect(RuleInput.safeParse({ ...base, minutes: 30 }).success).toBe(true);
    expect(RuleInput.safeParse({ ...base, minutes: 30, actions: [] }).success).toBe(false);
  });

  it("a snooze for a time needs its minutes (at most 30 days); until the next opening needs none", () => {
    const rule = (action: Record<string, unknown>) =>
      RuleInput.safeParse({ name: "Later", trigger: "customer_message", actions: [action] });
    const missing = rule({ type: "snooze" });
    expect(missing.success).toBe(false);
    expect(missing.error?.issues[0]?.path).toEqual(["actions", 0, "minutes"]);
    expect(rule({ type: "snooze", until: "for", minutes: 90 }).success).toBe(true);
    expect(rule({ type: "snooze", until: "for", minutes: 31 * 24 * 60 }).success).toBe(false);
    expect(rule({ type: "snooze", until: "next_opening" }).success).toBe(true);
    expect(rule({ type: "snooze", until: "someday" }).success).toBe(false);
    expect(rule({ type: "mark_important" }).success).toBe(true);
  });
});
