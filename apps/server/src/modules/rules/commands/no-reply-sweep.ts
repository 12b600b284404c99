import type { AppContext } from "../../../context";
import { HoursCache } from "../../hours/api";
import { RULE_COLUMNS, type RuleRow } from "../present";
import { loadTarget } from "../snapshot";
import { runInOrder } from "./run-events";

/** Conversations one sweep takes per rule (the next sweep takes the rest). */
const SWEEP_BATCH = 200;

/**
 * "No reply for N minutes": open conversations whose customer has waited at least N minutes since their
 * first unanswered message. Each wait is one occurrence (named by that message's time), so a rule acts once
 * per wait; a reply ends the wait and the next unanswered message starts a new one. A snoozed conversation
 * is passed over until it wakes (then a wait already past N minutes fires at once). Run by the
 * `rules-no-reply` scheduled task, once per slot across all workers.
 */
export async function sweepNoReply(ctx: AppContext) {
  const now = ctx.clock.now();
  const rules = await ctx.db.query<RuleRow>(
    `select ${RULE_COLUMNS} from rules where enabled and trigger = 'no_reply' order by workspace_id, position, id`,
  );
  const byWorkspace = new Map<string, RuleRow[]>();
  for (const r of rules) byWorkspace.set(r.workspace_id, [...(byWorkspace.get(r.workspace_id) ?? []), r]);
  for (const [workspaceId, list] of byWorkspace) {
    const hours = new HoursCache(ctx.db);
    // Waits every rule has already run on are left out, so they do not crowd out new ones.
    const due = await ctx.db.query<{ id: string; key: string }>(
      `select d.id, d.key from (
         select c.id, c.first_unanswered_at,
           'no_reply:' || c.id || ':' || floor(extract(epoch from c.first_unanswered_at) * 1000)::bigint as key
         from conversations c
         where c.workspace_id = $1 and c.status <> 'closed' and c.first_unanswered_at is not null
           and (c.snoozed_until is null or c.snoozed_until <= $2)
           and c.first_unanswered_at <= $2::timestamptz - make_interval(mins => $3::int)) d
       where (select count(*) from rule_runs r where r.occurrence = d.key and r.rule_id = any($5::uuid[])) < $6
       order by d.first_unanswered_at limit $4`,
      [
        workspaceId,
        now,
        Math.min(...list.map((r) => r.minutes ?? 1)),
        SWEEP_BATCH,
        list.map((r) => r.id),
        list.length,
      ],
    );
    for (const c of due) {
      const target = await loadTarget(ctx.db, hours, workspaceId, c.id, now);
      if (!target) continue;
      const [waited] = await ctx.db.query<{ ms: number }>(
        "select (extract(epoch from $2::timestamptz - first_unanswered_at) * 1000)::float8 as ms from conversations where id = $1",
        [c.id, now],
      );
      const ripe = list.filter((r) => (waited?.ms ?? 0) >= (r.minutes ?? 1) * 60_000);
      await runInOrder(ctx, ripe, target, { key: c.key, eventSeq: null, causeRuleId: null });
    }
  }
}
