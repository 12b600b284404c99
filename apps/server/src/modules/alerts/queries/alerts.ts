import type { Queryable } from "../../../db/client";
import { iso } from "../../../lib/time";
import { AlertRuleId, loadRules, RULES } from "../rules";
import type { Alert, AlertRule, AlertsQuery } from "../schema";

interface AlertRow {
  id: string;
  rule: Alert["rule"];
  key: string;
  details: Record<string, unknown>;
  count: number;
  first_seen_at: Date;
  last_seen_at: Date;
  raised_at: Date;
  acknowledged_at: Date | null;
  acknowledged_by: string | null;
  acknowledged_by_name: string | null;
}

export const ALERT_SELECT = `select a.id, a.rule, a.key, a.details, a.count, a.first_seen_at, a.last_seen_at, a.raised_at,
  a.acknowledged_at, a.acknowledged_by, u.name as acknowledged_by_name
  from alerts a left join users u on u.id = a.acknowledged_by`;

export const presentAlert = (r: AlertRow): Alert => ({
  id: r.id,
  rule: r.rule,
  key: r.key,
  subject: typeof r.details.subject === "string" ? r.details.subject : r.key,
  details: r.details,
  count: r.count,
  firstSeenAt: iso(r.first_seen_at)!,
  lastSeenAt: iso(r.last_seen_at)!,
  raisedAt: iso(r.raised_at)!,
  acknowledgedAt: iso(r.acknowledged_at),
  acknowledgedBy: r.acknowledged_by ? { id: r.acknowledged_by, name: r.acknowledged_by_name ?? "" } : null,
});

export async function alertById(q: Queryable, workspaceId: string, id: string) {
  const [row] = await q.query<AlertRow>(`${ALERT_SELECT} where a.id = $1 and a.workspace_id = $2`, [
    id,
    workspaceId,
  ]);
  return row ? presentAlert(row) : null;
}

/** A page of the workspace's alerts, newest first, before the alert `before`. */
export async function alertPage(q: Queryable, workspaceId: string, page: AlertsQuery) {
  const status = {
    open: "a.acknowledged_at is null",
    acknowledged: "a.acknowledged_at is not null",
    all: "true",
  };
  const rows = await q.query<AlertRow>(
    `${ALERT_SELECT}
     where a.workspace_id = $1 and ${status[page.status]} and ($2::uuid is null or (a.raised_at, a.id) < (
       select raised_at, id from alerts where id = $2 and workspace_id = $1))
     order by a.raised_at desc, a.id desc limit $3`,
    [workspaceId, page.before ?? null, page.limit + 1],
  );
  const [open] = await q.query<{ n: number }>(
    "select count(*)::int as n from alerts where workspace_id = $1 and acknowledged_at is null",
    [workspaceId],
  );
  const shown = rows.slice(0, page.limit);
  return {
    alerts: shown.map(presentAlert),
    open: open?.n ?? 0,
    nextBefore: rows.length > page.limit ? (shown.at(-1)?.id ?? null) : null,
  };
}

/** Every rule with the workspace's settings and its defaults. */
export async function listRules(q: Queryable, workspaceId: string): Promise<AlertRule[]> {
  const rules = await loadRules(q, workspaceId);
  return AlertRuleId.options.map((rule) => ({
    rule,
    ...rules[rule],
    hasThreshold: RULES[rule].hasThreshold,
    defaults: RULES[rule].defaults,
  }));
}
