import type { Queryable } from "../../db/client";
import { enqueueJob } from "../../jobs/queue";
import type { AuditEntry } from "../audit/record";
import { CHECKS, type Hit } from "./checks";
import { type AlertRuleId, loadRules, type RuleSettings, rulesFor, WATCHED_ACTIONS } from "./rules";

export const JOB_ALERT_NOTIFY = "alerts.notify";

/** The audit writer, passed in by its caller (the writer calls this evaluator: no import cycle). */
export type AuditWriter = (q: Queryable, e: AuditEntry) => Promise<{ id: number }>;

/** Rules keyed by a person's id: the alert names them. */
const PERSON_KEYED: ReadonlySet<AlertRuleId> = new Set([
  "new_device",
  "large_export",
  "mass_erasure",
  "mass_deletion",
]);

/**
 * Looks at one audit entry just written, in its transaction (R804): the rules that watch its action count
 * the recent entries like it and raise an alert when their threshold is reached. An action no rule watches
 * costs a set look-up.
 */
export async function evaluateAlerts(q: Queryable, e: AuditEntry, record: AuditWriter): Promise<void> {
  if (!WATCHED_ACTIONS.has(e.action)) return;
  const rules = await loadRules(q, e.workspaceId);
  for (const id of rulesFor(e.action)) {
    const s = rules[id];
    // The new-device rule learns every sign-in, even while off, so switching it on does not flood.
    if (!s.enabled && id !== "new_device") continue;
    const hit = await CHECKS[id](q, e, s);
    if (hit && s.enabled) await raise(q, e, id, s, hit, record);
  }
}

/**
 * One alert per rule and key per window: while an alert raised within the window exists, the burst's later
 * entries raise its count; otherwise a new alert is written, audited, and its notification job enqueued.
 */
async function raise(
  q: Queryable,
  e: AuditEntry,
  rule: AlertRuleId,
  s: RuleSettings,
  hit: Hit,
  record: AuditWriter,
) {
  // Two transactions hitting the same rule and key wait for each other here: one raises, the other counts.
  await q.query("select pg_advisory_xact_lock(hashtext($1))", [`alert:${e.workspaceId}:${rule}:${hit.key}`]);
  const since = new Date(e.at.getTime() - s.windowMinutes * 60_000);
  const [open] = await q.query<{ id: string }>(
    `update alerts set count = count + $5, last_seen_at = greatest(last_seen_at, $6)
     where id = (select id from alerts where workspace_id = $1 and rule = $2 and key = $3 and raised_at > $4
                 order by raised_at desc limit 1)
     returning id`,
    [e.workspaceId, rule, hit.key, since, hit.increment, e.at],
  );
  if (open) return;
  const details = { ...hit.details, ...(await subject(q, rule, hit)), windowMinutes: s.windowMinutes };
  const [row] = await q.query<{ id: string }>(
    `insert into alerts (workspace_id, rule, key, details, count, first_seen_at, last_seen_at, raised_at)
     values ($1, $2, $3, $4, $5, $6, $7, $7) returning id`,
    [e.workspaceId, rule, hit.key, JSON.stringify(details), hit.count, hit.firstSeenAt, e.at],
  );
  await record(q, {
    workspaceId: e.workspaceId,
    userId: null,
    action: "alert.raised",
    targetType: "alert",
    targetId: row!.id,
    data: { rule, key: hit.key, count: hit.count, threshold: s.threshold, windowMinutes: s.windowMinutes },
    at: e.at,
  });
  await enqueueJob(
    q,
    JOB_ALERT_NOTIFY,
    { alertId: row!.id },
    { workspaceId: e.workspaceId, runAt: e.at, idempotencyKey: `alert-notify:${row!.id}` },
  );
}

/** Who or what the alert is about, in words a person reads: an email, an address, a name, a token. */
async function subject(q: Queryable, rule: AlertRuleId, hit: Hit): Promise<{ subject: string }> {
  if (PERSON_KEYED.has(rule)) {
    const [u] = await q.query<{ name: string; email: string }>(
      "select name, email from users where id::text = $1",
      [hit.key],
    );
    return { subject: u ? `${u.name} <${u.email}>` : hit.key };
  }
  if (rule === "api_token_new_address")
    return { subject: `${String(hit.details.name ?? hit.key)} (${String(hit.details.ip ?? "")})` };
  return { subject: hit.key };
}
