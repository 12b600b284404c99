import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import pino from "pino";
import { builtInChannels } from "./channels";
import { EmailWatchers } from "./channels/email/watcher";
import { telegramUserChannel } from "./channels/telegram-user/adapter";
import type { MtprotoFactory } from "./channels/telegram-user/boundary";
import { gramjsMtproto } from "./channels/telegram-user/gramjs";
import { TelegramUserSessions } from "./channels/telegram-user/runner";
import type { Config } from "./config";
import type { AppContext } from "./context";
import { type Db, openPglite, openPostgres } from "./db/client";
import { lockDataDir } from "./db/data-dir-lock";
import { migrate } from "./db/migrate";
import { type EventBus, MemoryBus, PostgresBus } from "./events/bus";
import { createHttpApp } from "./http/app";
import { healthRoute } from "./http/health";
import type { App } from "./http/types";
import { JobRunner } from "./jobs/queue";
import { startScheduledTasks } from "./jobs/scheduled-tasks";
import { SecretBox } from "./lib/crypto";
import { createLimitStore } from "./lib/limit-store";
import { logContext } from "./lib/log-context";
import { type Clock, systemClock } from "./lib/time";
import { registerAccountJobs } from "./modules/account-security/mail";
import { registerAlertJobs } from "./modules/alerts/notify";
import { resolveSessionById } from "./modules/auth/sessions";
import { registerBotJobs } from "./modules/bots/deliver";
import { registerMentionJob } from "./modules/comments/mention-job";
import { registerPostDetailsJob } from "./modules/comments/post-job";
import { registerProfileJob } from "./modules/contacts/profile-job";
import { registerDistributionJobs } from "./modules/distribution/jobs";
import { registerOutsideHoursJob } from "./modules/hours/auto-reply";
import { IngestQueue } from "./modules/ingest/ingest-queue";
import { registerLinkedRecordJob } from "./modules/linked-records/job";
import { registerMediaDownloadJob } from "./modules/media/download-job";
import { registerMarkSeenJob } from "./modules/messages/mark-seen-job";
import { registerSendJob } from "./modules/messages/send-job";
import { registerEmailJobs } from "./modules/notifications/email";
import { registerFanoutJobs } from "./modules/notifications/fanout";
import { registerPushJob } from "./modules/notifications/push";
import { registerSmsJobs } from "./modules/notifications/sms";
import { registerRuleJobs } from "./modules/rules/jobs";
import { registerTagContactsJob } from "./modules/tags/contacts-updated-job";
import { registerTaskReminderJob } from "./modules/tasks/reminder-job";
import { WebhookDispatcher } from "./modules/webhooks/dispatcher";
import { WidgetHub } from "./modules/widget/hub";
import { Metrics, metricsRoute, startMetricsServer } from "./process/metrics";
import { registerRoleRoutes } from "./process/roles";
import { RealtimeHub } from "./realtime/hub";
import { registerRemoveBlobsJob } from "./storage/remove-job";
import { createBlobStore } from "./storage/stores";

export interface Server {
  ctx: AppContext;
  /** The personal Telegram sessions this process holds (worker role). */
  telegramSessions: TelegramUserSessions;
  app: App;
  hub: RealtimeHub;
  /** The web chat visitors' sockets. */
  widgetHub: WidgetHub;
  metrics: Metrics;
  /** The port of the METRICS_PORT server once listening; null without one. */
  readonly metricsPort: number | null;
  listen(): Promise<string>;
  close(): Promise<void>;
}

export interface ServerOptions {
  clock?: Clock;
  /** An already open database (tests share one embedded database per file). */
  db?: Db;
  logger?: pino.Logger;
  /**
   * The MTProto client of personal Telegram connections. Absent (production, `main.ts`): GramJS. Tests pass
   * the local stand-in (`testing/fakes/telegram-user.ts`); no environment variable selects it.
   */
  mtproto?: MtprotoFactory;
}

/** The composition root: configuration → database → modules → roles. */
export async function createServer(config: Config, opts: ServerOptions = {}): Promise<Server> {
  const log =
    opts.logger ??
    pino({
      level: config.LOG_LEVEL,
      redact: ["req.headers.cookie", "req.headers['x-csrf-token']", "*.password", "*.credentials"],
      mixin: logContext,
    });
  const cleanups: (() => Promise<void>)[] = [];
  let db = opts.db;
  if (!db) {
    if (config.DATABASE_URL) {
      db = await openPostgres(config.DATABASE_URL, config.DATABASE_POOL_SIZE);
    } else {
      cleanups.push(await lockDataDir(config.dataDir));
      db = await openPglite(config.dataDir);
    }
    const owned = db;
    cleanups.unshift(() => owned.close());
  }
  await migrate(db);

  const secretKey = config.SECRET_KEY ?? loadOrCreateSecretKey(config.dataDir);
  const clock = opts.clock ?? systemClock;
  const onError = (err: unknown) => log.error({ err }, "background error");
  const bus: EventBus =
    config.eventBus === "postgres"
      ? new PostgresBus(db, onError, (state) =>
          state.up ? log.info(state, "event bus connected") : log.warn(state, "event bus down: reconnecting"),
        )
      : new MemoryBus();
  const roles = new Set(config.ROLES);
  const metrics = new Metrics();
  const jobs = new JobRunner(db, clock, {
    pollMs: config.JOB_POLL_MS,
    lockMs: config.JOB_LEASE_SECONDS * 1000,
    onError: (err, job) => log.warn({ err, job }, "job attempt failed"),
    onOutcome: metrics.jobOutcome,
  });
  const telegramUser = telegramUserChannel(opts.mtproto ?? gramjsMtproto());
  const channels = builtInChannels().register(telegramUser);
  const base: Omit<AppContext, "ingest"> = {
    config,
    db,
    bus,
    clock,
    log,
    secrets: new SecretBox(secretKey),
    jobs,
    channels,
    blobs: createBlobStore(config),
    limits: createLimitStore(db, { redisUrl: config.REDIS_URL, log }),
  };
  const ctx = base as AppContext;
  // The embedded database runs one statement at a time: one transaction at a time, batched. On PostgreSQL,
  // half the pool writes webhooks, leaving the rest to the API and the workers.
  ctx.ingest = new IngestQueue(ctx, {
    concurrency: db.kind === "pglite" ? 1 : Math.max(2, Math.floor(config.DATABASE_POOL_SIZE / 2)),
    maxBatchEvents: 200,
    limit: config.INGEST_QUEUE_LIMIT,
    ...metrics.ingest,
  });

  registerSendJob(ctx);
  registerMarkSeenJob(ctx);
  registerProfileJob(ctx);
  registerPostDetailsJob(ctx);
  registerMentionJob(ctx);
  registerMediaDownloadJob(ctx);
  registerFanoutJobs(ctx);
  registerEmailJobs(ctx);
  registerSmsJobs(ctx);
  registerPushJob(ctx);
  registerAlertJobs(ctx);
  registerTaskReminderJob(ctx);
  registerRemoveBlobsJob(ctx);
  registerTagContactsJob(ctx);
  registerAccountJobs(ctx);
  registerOutsideHoursJob(ctx);
  registerDistributionJobs(ctx);
  registerBotJobs(ctx);
  registerLinkedRecordJob(ctx);
  registerRuleJobs(ctx);
  const hub = new RealtimeHub(db, bus, onError, (sessionId) =>
    resolveSessionById(db, sessionId, clock.now()),
  );
  const widgetHub = new WidgetHub(ctx);
  const unwatchMetrics = metrics.watch({
    db,
    bus,
    clock,
    ingest: ctx.ingest,
    agents: hub,
    visitors: widgetHub,
    limits: ctx.limits,
  });
  const app = await createHttpApp(ctx);
  await registerRoleRoutes(app, ctx, roles, { agents: hub, visitors: widgetHub });
  healthRoute(app, { ctx, roles: config.ROLES, agents: hub, visitors: widgetHub });
  if (config.METRICS_TOKEN) metricsRoute(app, metrics, config.METRICS_TOKEN);
  await app.ready();

  await bus.start();
  let unlistenJobs: (() => Promise<void>) | null = null;
  // The worker role's periodic tasks (housekeeping, time limits, web chat auto-close), once per period across
  // all workers.
  let stopScheduledTasks = async () => {};
  // The worker role also watches the IMAP mailboxes of email connections (email has no webhooks).
  const emailWatchers = new EmailWatchers(ctx, {
    refreshMs: Math.max(1000, config.JOB_POLL_MS * 5),
    pollMs: 60_000,
  });
  // The worker role holds the sessions of personal Telegram accounts (updates arrive over MTProto).
  const telegramSessions = new TelegramUserSessions(ctx, telegramUser, {
    refreshMs: Math.max(1000, config.JOB_POLL_MS * 5),
    leaseMs: 60_000,
  });
  // The worker role delivers outgoing webhooks (R806).
  const webhooks = new WebhookDispatcher(ctx, {
    pollMs: config.JOB_POLL_MS,
    timeoutMs: config.WEBHOOK_TIMEOUT_MS,
    endpoints: 16,
    concurrency: config.WEBHOOK_CONCURRENCY,
    batch: 1000,
    leaseMs: 120_000,
  });
  if (roles.has("worker")) {
    jobs.start();
    await webhooks.start();
    emailWatchers.start();
    telegramSessions.start();
    stopScheduledTasks = startScheduledTasks(ctx);
    // Woken by every enqueue (this process's own transactions wake it directly), and after the LISTEN
    // connection is back (jobs enqueued while it was down).
    if (db.listen)
      unlistenJobs = await db.listen(
        "parley_jobs",
        (payload) => jobs.notified(payload),
        () => jobs.wake(),
      );
  }

  let listening = false;
  let metricsServer: Awaited<ReturnType<typeof startMetricsServer>> | null = null;
  return {
    ctx,
    telegramSessions,
    app,
    hub,
    widgetHub,
    metrics,
    get metricsPort() {
      return metricsServer?.port ?? null;
    },
    async listen() {
      const address = await app.listen({ port: config.PORT, host: config.HOST });
      listening = true;
      if (config.METRICS_PORT !== undefined)
        metricsServer = await startMetricsServer(metrics, config.METRICS_PORT, config.METRICS_HOST);
      return address;
    },
    async close() {
      hub.stop();
      widgetHub.stop();
      unwatchMetrics();
      await metricsServer?.close();
      await stopScheduledTasks();
      await emailWatchers.stop();
      await telegramSessions.stop();
      await jobs.stop();
      await webhooks.stop();
      await unlistenJobs?.();
      await bus.stop();
      await ctx.limits.close();
      if (listening || app.server.listening) await app.close();
      else await app.close();
      for (const c of cleanups) await c();
    },
  };
}

/** Without SECRET_KEY (development), a random key is kept in the data directory so restarts keep sessions. */
function loadOrCreateSecretKey(dataDir: string): string {
  const file = path.join(dataDir, "secret.key");
  try {
    return fs.readFileSync(file, "utf8").trim();
  } catch {
    fs.mkdirSync(dataDir, { recursive: true });
    const key = crypto.randomBytes(32).toString("hex");
    fs.writeFileSync(file, key, { mode: 0o600, flag: "wx" });
    return key;
  }
}
