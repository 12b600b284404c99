import type { AppContext } from "../context";
import { pruneRateLimits } from "../lib/rate-store";
import { handOverOverdue } from "../modules/bots/timeouts";
import { wakeDueSnoozes } from "../modules/conversations/commands/wake-snoozed";
import { sweepDistribution } from "../modules/distribution/jobs";
import { sweepTimeLimits } from "../modules/notifications/time-limits";
import { sweepNoReply } from "../modules/rules/commands/no-reply-sweep";
import { sweepTimeLimitRules } from "../modules/rules/commands/time-limit-sweep";
import { advanceSearchVocabulary } from "../modules/search/vocabulary";
import { closeAbandonedWidgetConversations } from "../modules/widget/auto-close";
import { failRepliesToDepartedVisitors } from "../modules/widget/visitor-left";
import { pruneOldRows } from "./maintenance";
import { pruneScheduledRuns, Schedule, type ScheduledTask } from "./schedule";

/**
 * The worker role's periodic tasks, each run once per period across all worker processes, and not beside a
 * run of itself still going (see Schedule): housekeeping every hour; the time-limit warnings, the web chat
 * auto-close (R603), the rules' sweeps and the message search vocabulary (the messages added since its last
 * pass) every minute; the web chat's "visitor left" check of unacknowledged replies, the distribution sweep
 * and waking snoozed conversations every 30 seconds; bots past their time limit every 15 seconds; expired
 * rate-limit counters every five minutes.
 */
export function scheduledTasks(ctx: AppContext): ScheduledTask[] {
  const { db, clock, log } = ctx;
  return [
    {
      name: "prune-old-rows",
      everyMs: 3600_000,
      run: async () => {
        const removed = { ...(await pruneOldRows(db, clock)), scheduledRuns: await pruneScheduledRuns(db) };
        log.debug({ removed }, "pruned old rows");
      },
    },
    { name: "time-limit-warnings", everyMs: 60_000, run: () => sweepTimeLimits(ctx) },
    { name: "widget-auto-close", everyMs: 60_000, run: () => closeAbandonedWidgetConversations(ctx) },
    { name: "widget-visitor-left", everyMs: 30_000, run: () => failRepliesToDepartedVisitors(ctx) },
    { name: "distribution-sweep", everyMs: 30_000, run: () => sweepDistribution(ctx) },
    { name: "bot-timeouts", everyMs: 15_000, run: () => handOverOverdue(ctx) },
    { name: "rules-no-reply", everyMs: 60_000, run: () => sweepNoReply(ctx) },
    { name: "rules-time-limit", everyMs: 60_000, run: () => sweepTimeLimitRules(ctx) },
    { name: "snooze-wake", everyMs: 30_000, run: () => wakeDueSnoozes(ctx) },
    { name: "prune-rate-limits", everyMs: 5 * 60_000, run: () => pruneRateLimits(db, clock.now()) },
    {
      name: "search-vocabulary",
      everyMs: 60_000,
      run: (signal) => advanceSearchVocabulary(db, { signal }).then(() => {}),
    },
  ];
}

/** Starts the worker role's scheduled tasks; the answer stops them (waiting for runs in progress). */
export function startScheduledTasks(ctx: AppContext): () => Promise<void> {
  // Which process ran which slot is in its log (debug): how a deployment, and the cluster test, tell.
  const tasks = scheduledTasks(ctx).map((t) => ({
    ...t,
    run: (signal: AbortSignal) => {
      ctx.log.debug({ task: t.name }, "scheduled task runs");
      return t.run(signal);
    },
  }));
  const schedule = new Schedule(ctx.db, ctx.clock, tasks, (err, task) =>
    ctx.log.warn({ err, task }, "scheduled task failed"),
  );
  schedule.start();
  return () => schedule.stop();
}
