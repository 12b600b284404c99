import type { Queryable } from "../../db/client";
import type { AuditEntry } from "../audit/record";
import { deviceFamily } from "./device";
import type { AlertRuleId, RuleSettings } from "./rules";

/** What a rule found in an entry: the key it counts under and how much. */
export interface Hit {
  /** An email, an address, a person's or a token's id: one alert per rule and key per window. */
  key: string;
  /** The count within the window, this entry included (for a new alert). */
  count: number;
  /** What this entry adds to an alert already open for the key. */
  increment: number;
  firstSeenAt: Date;
  details: Record<string, unknown>;
}

type Check = (q: Queryable, e: AuditEntry, s: RuleSettings) => Promise<Hit | null>;

const dataOf = (e: AuditEntry) => (e.data ?? {}) as Record<string, unknown>;
const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : 0);

/**
 * Counts the workspace's entries of the rule's actions within its window that share a key (`keySql` compares
 * one column or field with the key), weighing each by `weightSql`. A hit when the sum reaches the threshold.
 */
function windowCount(
  actions: readonly string[],
  keyOf: (e: AuditEntry) => string | null,
  keySql: string,
  weight: { sql: string; of: (e: AuditEntry) => number } = { sql: "1", of: () => 1 },
): Check {
  return async (q, e, s) => {
    const key = keyOf(e);
    if (!key) return null;
    const from = new Date(e.at.getTime() - s.windowMinutes * 60_000);
    const [row] = await q.query<{ n: number | string | null; first: Date | null }>(
      `select coalesce(sum(${weight.sql}), 0) as n, min(created_at) as first from audit_log
       where workspace_id = $1 and action = any($2::text[]) and created_at > $3 and created_at <= $4
         and ${keySql} = $5`,
      [e.workspaceId, actions, from, e.at, key],
    );
    const n = Number(row?.n ?? 0);
    if (n < s.threshold) return null;
    return { key, count: n, increment: weight.of(e), firstSeenAt: row?.first ?? e.at, details: {} };
  };
}

const emailOf = (e: AuditEntry) => {
  const email = dataOf(e).email;
  return typeof email === "string" ? email.toLowerCase() : null;
};

/** The rows of one export: a CSV's rows, or a contact's conversations and messages. */
function exportedRows(e: AuditEntry) {
  const d = dataOf(e);
  return e.action === "contact.exported" ? num(d.conversations) + num(d.messages) : num(d.rows);
}

/**
 * A sign-in from a browser family and an address both never seen for this person. Every sign-in is learnt
 * (even while the rule is off); a person's first recorded sign-in only teaches.
 */
const newDevice: Check = async (q, e) => {
  if (!e.userId) return null;
  const d = dataOf(e);
  const agent = e.userAgent ?? (typeof d.userAgent === "string" ? d.userAgent : null);
  const device = deviceFamily(agent);
  const address = e.ip ?? "unknown";
  const known = await q.query<{ kind: string; value: string }>(
    "select kind, value from alert_known_sources where user_id = $1",
    [e.userId],
  );
  await q.query(
    `insert into alert_known_sources (user_id, kind, value, first_seen_at)
     values ($1, 'device', $2, $4), ($1, 'address', $3, $4) on conflict do nothing`,
    [e.userId, device, address, e.at],
  );
  if (!known.length) return null;
  const seen = (kind: string, value: string) => known.some((k) => k.kind === kind && k.value === value);
  if (seen("device", device) || seen("address", address)) return null;
  return {
    key: e.userId,
    count: 1,
    increment: 1,
    firstSeenAt: e.at,
    details: { device, ip: address, userAgent: agent },
  };
};

export const CHECKS: Record<AlertRuleId, Check> = {
  sign_in_failures_account: windowCount(["auth.sign_in_failed"], emailOf, "lower(data->>'email')"),
  sign_in_failures_address: windowCount(["auth.sign_in_failed"], (e) => e.ip ?? null, "ip"),
  new_device: newDevice,
  large_export: async (_q, e, s) => {
    const rows = exportedRows(e);
    if (rows < s.threshold) return null;
    return {
      key: e.userId ?? "system",
      count: 1,
      increment: 1,
      firstSeenAt: e.at,
      details: { action: e.action, rows },
    };
  },
  mass_erasure: windowCount(["contact.erased"], (e) => e.userId, "user_id::text"),
  mass_deletion: windowCount(["conversation.deleted"], (e) => e.userId, "user_id::text", {
    // A command that deletes several conversations at once records how many in `count`.
    sql: "coalesce((data->>'count')::int, 1)",
    of: (e) => num(dataOf(e).count) || 1,
  }),
  api_token_new_address: async (_q, e) => {
    const d = dataOf(e);
    if (typeof d.tokenId !== "string") return null;
    return {
      key: d.tokenId,
      count: 1,
      increment: 1,
      firstSeenAt: e.at,
      details: { tokenId: d.tokenId, name: d.name ?? null, ip: d.ip ?? e.ip ?? null },
    };
  },
};
