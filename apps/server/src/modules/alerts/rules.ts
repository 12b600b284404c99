import { z } from "zod";
import type { Queryable } from "../../db/client";

/** The rules a workspace can switch on and tune (R804). */
export const AlertRuleId = z.enum([
  "sign_in_failures_account",
  "sign_in_failures_address",
  "new_device",
  "large_export",
  "mass_erasure",
  "mass_deletion",
  "api_token_new_address",
]);
export type AlertRuleId = z.infer<typeof AlertRuleId>;

export interface RuleSettings {
  enabled: boolean;
  /** The count that raises the alert (reached, not exceeded); unused by the rules without one. */
  threshold: number;
  /** The counting window, and the time one alert covers for its key (no second alert within it). */
  windowMinutes: number;
}

interface RuleDefinition {
  /** The audit actions the rule looks at. */
  actions: readonly string[];
  defaults: RuleSettings;
  /** Whether the threshold means anything for the rule (the new-address rules have none). */
  hasThreshold: boolean;
}

export const RULES: Record<AlertRuleId, RuleDefinition> = {
  // Five wrong passwords (or refused attempts) for one email within 15 minutes.
  sign_in_failures_account: {
    actions: ["auth.sign_in_failed"],
    defaults: { enabled: true, threshold: 5, windowMinutes: 15 },
    hasThreshold: true,
  },
  // Twenty failed sign-ins from one address within 15 minutes, whatever the accounts.
  sign_in_failures_address: {
    actions: ["auth.sign_in_failed"],
    defaults: { enabled: true, threshold: 20, windowMinutes: 15 },
    hasThreshold: true,
  },
  // A sign-in from a browser family and an address both never seen for that person.
  new_device: {
    actions: ["auth.sign_in"],
    defaults: { enabled: true, threshold: 1, windowMinutes: 60 },
    hasThreshold: false,
  },
  // One export of at least 10,000 rows (a finished CSV export, or a contact's data: conversations + messages).
  large_export: {
    actions: ["export.finished", "contact.exported"],
    defaults: { enabled: true, threshold: 10_000, windowMinutes: 10 },
    hasThreshold: true,
  },
  // A second contact erased by the same person within 10 minutes.
  mass_erasure: {
    actions: ["contact.erased"],
    defaults: { enabled: true, threshold: 2, windowMinutes: 10 },
    hasThreshold: true,
  },
  // Fifty conversations deleted by the same person within 10 minutes.
  mass_deletion: {
    actions: ["conversation.deleted"],
    defaults: { enabled: true, threshold: 50, windowMinutes: 10 },
    hasThreshold: true,
  },
  // An API token used from an address it was never used from.
  api_token_new_address: {
    actions: ["api_token.new_address"],
    defaults: { enabled: true, threshold: 1, windowMinutes: 60 },
    hasThreshold: false,
  },
};

/** Every audit action some rule watches: any other action costs one set look-up. */
export const WATCHED_ACTIONS: ReadonlySet<string> = new Set(Object.values(RULES).flatMap((r) => r.actions));

export const rulesFor = (action: string) =>
  AlertRuleId.options.filter((id) => RULES[id].actions.includes(action));

interface RuleRow {
  rule: string;
  enabled: boolean;
  threshold: number;
  window_minutes: number;
}

/** The workspace's settings of every rule: its stored row, or the defaults. */
export async function loadRules(
  q: Queryable,
  workspaceId: string,
): Promise<Record<AlertRuleId, RuleSettings>> {
  const rows = await q.query<RuleRow>(
    "select rule, enabled, threshold, window_minutes from alert_rules where workspace_id = $1",
    [workspaceId],
  );
  const stored = new Map(rows.map((r) => [r.rule, r]));
  return Object.fromEntries(
    AlertRuleId.options.map((id) => {
      const r = stored.get(id);
      const settings: RuleSettings = r
        ? { enabled: r.enabled, threshold: r.threshold, windowMinutes: r.window_minutes }
        : { ...RULES[id].defaults };
      return [id, settings];
    }),
  ) as Record<AlertRuleId, RuleSettings>;
}
