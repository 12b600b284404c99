import type { RuleTimeLimit } from "@parley/protocol";
import type { AppContext } from "../../../context";
import { HoursCache } from "../../hours/api";
import { workingLevels } from "../../hours/time-limits";
import { RULE_COLUMNS, type RuleRow } from "../present";
import { loadTarget } from "../snapshot";
import { runInOrder } from "./run-events";

/** Waits one sweep looks at per workspace (the next sweep takes the rest). */
const SWEEP_BATCH = 200;

interface Waiting {
  id: string;
  workspace_id: string;
  team_id: string | null;
  first_unanswered_at: Date;
  ms: string;
  yellow: number | null;
  red: number | null;
  level: "yellow" | "red";
}

/** The workspace limit a rule waits for: the warning is the first (yellow), overdue the second (red). */
const LEVEL: Record<RuleTimeLimit, "yellow" | "red"> = { warning: "yellow", overdue: "red" };

/**
 * "Time limit reached": open conversations whose customer has waited past the workspace's time limit (R107,
 * the same limits and the same working-time count as the time-limit labels and warnings: the team's business
 * hours, else the workspace's). A rule waits for the warning or the overdue limit; it acts once per wait —
 * the occurrence is `time_limit:<conversation>:<first unanswered message's time>:<limit>` — and a reply ends
 * the wait. Only waits that crossed the limit within the last day (two weeks where business hours are set)
 * are looked at. Snoozed conversations are passed over until they wake. Run by the `rules-time-limit` scheduled task, once per slot across all workers; the time is
 * `ctx.clock`'s.
 */
export async function sweepTimeLimitRules(ctx: AppContext) {
  const now = ctx.clock.now();
  const rules = await ctx.db.query<RuleRow>(
    `select ${RULE_COLUMNS} from rules where enabled and trigger = 'time_limit_reached'
     order by workspace_id, position, id`,
  );
  const byWorkspace = new Map<string, RuleRow[]>();
  for (const r of rules) byWorkspace.set(r.workspace_id, [...(byWorkspace.get(r.workspace_id) ?? []), r]);
  for (const [workspaceId, all] of byWorkspace) {
    const [limits] = await ctx.db.query<{ yellow: number | null; red: number | null }>(
      `select (settings->>'slaYellowMinutes')::int as yellow, (settings->>'slaRedMinutes')::int as red
       from workspaces where id = $1`,
      [workspaceId],
    );
    const { yellow = null, red = null } = limits ?? {};
    const limitOf = (r: RuleRow) => (LEVEL[r.time_limit ?? "overdue"] === "yellow" ? yellow : red);
    const list = all.filter((r) => limitOf(r) !== null);
    if (!list.length) continue;
    const minutes = list.map((r) => limitOf(r)!);
    const waiting = await ctx.db.query<Waiting>(
      `select d.* from (
         select c.id, c.workspace_id, c.team_id, c.first_unanswered_at, $5::int as yellow, $6::int as red,
           floor(extract(epoch from c.first_unanswered_at) * 1000)::bigint::text as ms,
           case when $6::int is not null and c.first_unanswered_at <= $2::timestamptz - make_interval(mins => $6::int)
                then 'red' else 'yellow' end as level
         from conversations c
         where c.workspace_id = $1 and c.status <> 'closed' and c.first_unanswered_at is not null
           and (c.snoozed_until is null or c.snoozed_until <= $2)
           and c.first_unanswered_at <= $2::timestamptz - make_interval(mins => $3::int)
           and c.first_unanswered_at > $2::timestamptz - make_interval(mins => $4::int)
             - case when exists (select 1 from business_hours b where b.workspace_id = $1)
                    then interval '14 days' else interval '1 day' end) d
       where (select count(*) from rule_runs r
              where r.rule_id = any($7::uuid[])
                and r.occurrence in ('time_limit:' || d.id || ':' || d.ms || ':warning',
                                     'time_limit:' || d.id || ':' || d.ms || ':overdue')) < $8
       order by d.first_unanswered_at desc limit $9`,
      [
        workspaceId,
        now,
        Math.min(...minutes),
        Math.max(...minutes),
        yellow,
        red,
        list.map((r) => r.id),
        list.length,
        SWEEP_BATCH,
      ],
    );
    // The wall-clock wait bounds the working wait: business hours can only lower the level reached.
    const reached = await workingLevels(ctx.db, waiting, now);
    const hours = new HoursCache(ctx.db);
    for (const w of reached) {
      const target = await loadTarget(ctx.db, hours, workspaceId, w.id, now);
      if (!target) continue;
      for (const limit of ["warning", "overdue"] as const) {
        // A warning rule also acts when the sweep first sees the wait already overdue.
        if (limit === "overdue" && w.level !== "red") continue;
        const ripe = list.filter((r) => (r.time_limit ?? "overdue") === limit);
        if (!ripe.length) continue;
        await runInOrder(ctx, ripe, target, {
          key: `time_limit:${w.id}:${w.ms}:${limit}`,
          eventSeq: null,
          causeRuleId: null,
        });
      }
    }
  }
}
