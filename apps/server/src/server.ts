import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import pino from "pino";
import { builtInChannels } from "./channels";
import { EmailWatchers } from "./channels/email/watcher";
import type { Config } from "./config";
import type { AppContext } from "./context";
import { type Db, openPglite, openPostgres } from "./db/client";
import { lockDataDir } from "./db/data-dir-lock";
import { migrate } from "./db/migrate";
import { type EventBus, MemoryBus, PostgresBus } from "./events/bus";
import { createHttpApp } from "./http/app";
import type { App } from "./http/types";
import { webAppRoutes } from "./http/web-app";
import { pruneOldRows } from "./jobs/maintenance";
import { JobRunner } from "./jobs/queue";
import { SecretBox } from "./lib/crypto";
import { type Clock, systemClock } from "./lib/time";
import { registerAccountJobs } from "./modules/account-security/mail";
import { accountSecurityRoutes } from "./modules/account-security/routes";
import { registerAlertJobs } from "./modules/alerts/notify";
import { alertRoutes } from "./modules/alerts/routes";
import { analyticsRoutes } from "./modules/analytics/routes";
import { apiTokenRoutes } from "./modules/api-tokens/routes";
import { auditRoutes } from "./modules/audit/routes";
import { authRoutes } from "./modules/auth/routes";
import { resolveSessionById } from "./modules/auth/sessions";
import { botRoutes } from "./modules/bots/routes";
import { bulkRoutes } from "./modules/bulk/routes";
import { cannedRoutes } from "./modules/canned/routes";
import { connectionRoutes } from "./modules/connections/routes";
import { registerProfileJob } from "./modules/contacts/profile-job";
import { contactRoutes } from "./modules/contacts/routes";
import { conversationRoutes } from "./modules/conversations/routes";
import { IngestQueue } from "./modules/ingest/ingest-queue";
import { logRoutes } from "./modules/log/routes";
import { registerMarkSeenJob } from "./modules/messages/mark-seen-job";
import { registerSendJob } from "./modules/messages/send-job";
import { registerEmailJobs } from "./modules/notifications/email";
import { registerFanoutJobs } from "./modules/notifications/fanout";
import { registerPushJob } from "./modules/notifications/push";
import { notificationRoutes } from "./modules/notifications/routes";
import { sweepTimeLimits } from "./modules/notifications/time-limits";
import { realtimeRoutes } from "./modules/realtime/routes";
import { receiptRoutes } from "./modules/receipts/routes";
import { roleRoutes } from "./modules/roles/routes";
import { searchRoutes } from "./modules/search/routes";
import { tagRoutes } from "./modules/tags/routes";
import { registerTaskReminderJob } from "./modules/tasks/reminder-job";
import { taskRoutes } from "./modules/tasks/routes";
import { templateRoutes } from "./modules/templates/routes";
import { accountRoutes } from "./modules/users/account";
import { teamRoutes } from "./modules/users/teams";
import { WebhookDispatcher } from "./modules/webhooks/dispatcher";
import { webhookRoutes } from "./modules/webhooks/routes";
import { startWidgetAutoClose } from "./modules/widget/auto-close";
import type { WidgetHub } from "./modules/widget/hub";
import { widgetRoutes } from "./modules/widget/routes";
import { workspaceRoutes } from "./modules/workspace/routes";
import { RealtimeHub } from "./realtime/hub";
import { registerRemoveBlobsJob } from "./storage/remove-job";
import { fileRoutes } from "./storage/routes";
import { createBlobStore } from "./storage/stores";

export interface Server {
  ctx: AppContext;
  app: App;
  hub: RealtimeHub;
  /** The web chat visitors' sockets. */
  widgetHub: WidgetHub;
  listen(): Promise<string>;
  close(): Promise<void>;
}

export interface ServerOptions {
  clock?: Clock;
  /** An already open database (tests share one embedded database per file). */
  db?: Db;
  logger?: pino.Logger;
}

/** The composition root: configuration → database → modules → roles. */
export async function createServer(config: Config, opts: ServerOptions = {}): Promise<Server> {
  const log =
    opts.logger ??
    pino({
      level: config.LOG_LEVEL,
      redact: ["req.headers.cookie", "req.headers['x-csrf-token']", "*.password", "*.credentials"],
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
  const bus: EventBus = config.eventBus === "postgres" ? new PostgresBus(db, onError) : new MemoryBus();
  const roles = new Set(config.ROLES);
  const jobs = new JobRunner(db, clock, {
    pollMs: config.JOB_POLL_MS,
    concurrency: 16,
    lockMs: 5 * 60_000,
    onError: (err, job) => log.warn({ err, job }, "job attempt failed"),
  });
  const channels = builtInChannels();
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
  };
  const ctx = base as AppContext;
  // The embedded database runs one statement at a time: one transaction at a time, batched. On PostgreSQL,
  // half the pool writes webhooks, leaving the rest to the API and the workers.
  ctx.ingest = new IngestQueue(ctx, {
    concurrency: db.kind === "pglite" ? 1 : Math.max(2, Math.floor(config.DATABASE_POOL_SIZE / 2)),
    maxBatchEvents: 200,
  });

  registerSendJob(ctx);
  registerMarkSeenJob(ctx);
  registerProfileJob(ctx);
  registerFanoutJobs(ctx);
  registerEmailJobs(ctx);
  registerPushJob(ctx);
  registerAlertJobs(ctx);
  registerTaskReminderJob(ctx);
  registerRemoveBlobsJob(ctx);
  registerAccountJobs(ctx);
  const hub = new RealtimeHub(db, bus, onError, (sessionId) =>
    resolveSessionById(db, sessionId, clock.now()),
  );
  const app = await createHttpApp(ctx);
  await authRoutes(app, ctx);
  await teamRoutes(app, ctx);
  await roleRoutes(app, ctx);
  await accountRoutes(app, ctx);
  await accountSecurityRoutes(app, ctx);
  await workspaceRoutes(app, ctx);
  await conversationRoutes(app, ctx);
  await bulkRoutes(app, ctx);
  await botRoutes(app, ctx);
  await searchRoutes(app, ctx);
  await contactRoutes(app, ctx);
  await tagRoutes(app, ctx);
  await cannedRoutes(app, ctx);
  await connectionRoutes(app, ctx);
  await templateRoutes(app, ctx);
  await logRoutes(app, ctx);
  await auditRoutes(app, ctx);
  await analyticsRoutes(app, ctx);
  await notificationRoutes(app, ctx);
  await receiptRoutes(app, ctx);
  await fileRoutes(app, ctx);
  const widgetHub = await widgetRoutes(app, ctx);
  await taskRoutes(app, ctx);
  await alertRoutes(app, ctx);
  await apiTokenRoutes(app, ctx);
  await webhookRoutes(app, ctx);
  if (roles.has("realtime")) await realtimeRoutes(app, ctx, hub);
  app.get("/api/health", { config: { auth: false }, schema: { hide: true } }, async () => {
    await db.query("select 1");
    return { ok: true, database: db.kind, realtimeClients: hub.clientCount() };
  });
  // The agent web app at `/` once built into apps/web/dist (`npm start` builds it); else the API docs.
  if (!(await webAppRoutes(app))) log.warn("apps/web/dist is missing: `/` leads to the API documentation");
  await app.ready();

  await bus.start();
  let unlistenJobs: (() => Promise<void>) | null = null;
  // The worker role closes web chat conversations whose visitor left the site (R603).
  let stopWidgetAutoClose = () => {};
  let maintenance: NodeJS.Timeout | null = null;
  let timeLimits: NodeJS.Timeout | null = null;
  // The worker role also watches the IMAP mailboxes of email connections (email has no webhooks).
  const emailWatchers = new EmailWatchers(ctx, {
    refreshMs: Math.max(1000, config.JOB_POLL_MS * 5),
    pollMs: 60_000,
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
    stopWidgetAutoClose = startWidgetAutoClose(ctx);
    maintenance = setInterval(() => {
      pruneOldRows(db, clock).then(
        (removed) => log.debug({ removed }, "pruned old rows"),
        (err) => log.warn({ err }, "pruning old rows failed"),
      );
    }, 3600_000);
    maintenance.unref();
    timeLimits = setInterval(() => {
      sweepTimeLimits(ctx).catch((err) => log.warn({ err }, "time-limit warnings failed"));
    }, 60_000);
    timeLimits.unref();
    if (db.listen) unlistenJobs = await db.listen("parley_jobs", () => jobs.wake());
  }

  let listening = false;
  return {
    ctx,
    app,
    hub,
    widgetHub,
    async listen() {
      const address = await app.listen({ port: config.PORT, host: config.HOST });
      listening = true;
      return address;
    },
    async close() {
      hub.stop();
      if (maintenance) clearInterval(maintenance);
      if (timeLimits) clearInterval(timeLimits);
      stopWidgetAutoClose();
      await emailWatchers.stop();
      await jobs.stop();
      await webhooks.stop();
      await unlistenJobs?.();
      await bus.stop();
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
