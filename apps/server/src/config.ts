import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { parseAllowList } from "./lib/egress";
import { parseTrustProxy } from "./lib/trust-proxy";

/**
 * One validated configuration. Every variable is documented in the README; a bad value stops the
 * process with a message naming the variable.
 */
const boolish = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((v) => v === "true" || v === "1" || v === "yes");

const schema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().min(1).default("0.0.0.0"),
    PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
    DATA_DIR: z.string().min(1).default("./data"),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
      .optional(),
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
    SECRET_KEY: z.string().min(32, "must be at least 32 characters (e.g. `openssl rand -hex 32`)").optional(),
    /** Realtime fan-out between processes: "memory" (one process) or "postgres" (LISTEN/NOTIFY). */
    EVENT_BUS: z.enum(["memory", "postgres"]).optional(),
    /** Which roles this process runs. */
    ROLES: z
      .string()
      .default("api,worker,realtime")
      .transform((s) => [...new Set(s.split(",").map((r) => r.trim()))])
      .pipe(z.array(z.enum(["api", "worker", "realtime"])).min(1)),
    /**
     * Webhooks waiting for the ingest transaction at most; beyond it, webhooks are refused with 503 and
     * Retry-After (providers retry) instead of piling up in memory.
     */
    INGEST_QUEUE_LIMIT: z.coerce.number().int().min(1).max(1_000_000).default(2000),
    /** Bearer token that opens `GET /metrics` on the main port; unset: no metrics on the main port. */
    METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
    /** A separate port serving `GET /metrics` without a token, on METRICS_HOST (default 127.0.0.1). */
    METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
    METRICS_HOST: z.string().min(1).default("127.0.0.1"),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    SESSION_TTL_HOURS: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 365)
      .default(24 * 14),
    SIGNIN_RATE_LIMIT: z.coerce.number().int().min(1).default(10),
    /** Rate limits count in this Redis (`redis://[:password@]host:port[/db]`) instead of PostgreSQL. */
    REDIS_URL: z
      .string()
      .regex(/^rediss?:\/\/[^/\s]/, "must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379")
      .optional(),
    /**
     * Whose X-Forwarded-For to believe: `false` (no one), or a comma list of the proxies' addresses and
     * CIDR ranges (`10.0.0.5,10.1.0.0/16`; `loopback`, `linklocal` and
     * `uniquelocal` name those ranges). `true` trusts any sender: only where nothing but the proxy can reach.
     */
    TRUST_PROXY: z
      .string()
      .default("false")
      .transform((v, ctx) => {
        try {
          return parseTrustProxy(v);
        } catch (err) {
          ctx.addIssue({ code: "custom", message: (err as Error).message });
          return z.NEVER;
        }
      }),
    JOB_POLL_MS: z.coerce.number().int().min(50).default(1000),
    /**
     * How long a worker holds a job it claimed: a worker that dies mid-job leaves it to another worker once
     * this has passed (on the database's clock). Longer than any attempt may take (the channel timeouts).
     */
    JOB_LEASE_SECONDS: z.coerce.number().int().min(2).max(3600).default(300),
    OUTBOUND_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
    /** How long one try at downloading an inbound file may take (a stalled provider is retried later). */
    MEDIA_DOWNLOAD_TIMEOUT_MS: z.coerce.number().int().min(100).max(240_000).default(120_000),
    /** How long one outgoing webhook request may take before it counts as failed and is retried. */
    WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
    /** Outgoing webhook requests in flight at once per endpoint (each for a different conversation). */
    WEBHOOK_CONCURRENCY: z.coerce.number().int().min(1).max(512).default(64),
    /**
     * Address ranges that requests to supplied addresses (push endpoints, outbound URLs, media links) may reach
     * although they are not public: comma-separated CIDRs, e.g. `127.0.0.1/32` for local test receivers.
     * Unset: only public addresses. Cloud metadata addresses are refused whatever this says.
     */
    EGRESS_ALLOW: z.string().optional(),
    /** A PEM file of extra certificate authorities trusted for HTTPS requests to supplied addresses. */
    OUTBOUND_CA_FILE: z.string().min(1).optional(),
    /**
     * How long an outgoing message may wait while its channel keeps answering "too many requests" (counted
     * from the first such answer) before it fails with `rate_limited`.
     */
    OUTBOUND_RATE_LIMIT_MAX_WAIT_SECONDS: z.coerce
      .number()
      .int()
      .min(1)
      .max(7 * 86_400)
      .default(3600),
    /** Where downloaded and uploaded files are kept (default: DATA_DIR/files). */
    FILES_DIR: z.string().min(1).optional(),
    /** Where file bytes are kept: "local" (FILES_DIR) or "s3" (an S3-compatible bucket, S3_*). */
    FILES_STORAGE: z.enum(["local", "s3"]).default("local"),
    S3_BUCKET: z
      .string()
      .regex(
        /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
        "must be a bucket name (3-63 lowercase letters, digits, dots, hyphens)",
      )
      .optional(),
    S3_REGION: z
      .string()
      .regex(/^[a-z0-9-]+$/, "must look like us-east-1")
      .default("us-east-1"),
    /** An S3-compatible server (MinIO, Ceph, Garage…); unset: AWS itself. */
    S3_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
    S3_ACCESS_KEY_ID: z.string().min(1).optional(),
    S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
    /** Bucket in the URL's path rather than its host name: what most self-hosted S3 servers need. */
    S3_FORCE_PATH_STYLE: boolish.default(false),
    /** Provider endpoints, configurable so tests and proxies can stand in for them. */
    TELEGRAM_API_BASE: z.url().default("https://api.telegram.org"),
    GRAPH_API_BASE: z.url().default("https://graph.facebook.com"),
    GRAPH_API_VERSION: z
      .string()
      .regex(/^v\d+\.\d+$/, "must look like v21.0")
      .default("v21.0"),
    INSTAGRAM_API_BASE: z.url().default("https://graph.instagram.com"),
    VIBER_API_BASE: z.url().default("https://chatapi.viber.com"),
    LINE_API_BASE: z.url().default("https://api.line.me"),
    LINE_DATA_API_BASE: z.url().default("https://api-data.line.me"),
    WECHAT_API_BASE: z.url().default("https://api.weixin.qq.com"),
    SMS_API_BASE: z.url().default("https://api.twilio.com"),
    /** Agent notification emails (R403): the SMTP server Parley sends them through; unset: no emails. */
    SMTP_HOST: z.string().min(1).optional(),
    SMTP_PORT: z.coerce.number().int().min(1).max(65535).default(587),
    /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it. */
    SMTP_SECURE: boolish.optional(),
    SMTP_USER: z.string().min(1).optional(),
    SMTP_PASSWORD: z.string().min(1).optional(),
    SMTP_FROM: z.string().min(3).optional(),
    /** At most one email per conversation per agent within this many seconds; the rest wait and go together. */
    NOTIFY_EMAIL_INTERVAL_SECONDS: z.coerce.number().int().min(0).max(86_400).default(900),
    /** Attempts of one email or browser notification before the agent is told it failed. */
    NOTIFY_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(6),
    /** Web Push contact (VAPID `sub`): a mailto: or https: URL. */
    VAPID_SUBJECT: z
      .string()
      .regex(/^(mailto:|https:\/\/)\S+$/, "must be a mailto: address or an https:// URL")
      .optional(),
  })
  .superRefine((v, ctx) => {
    if (v.EGRESS_ALLOW) {
      try {
        parseAllowList(v.EGRESS_ALLOW);
      } catch (err) {
        ctx.addIssue({ code: "custom", path: ["EGRESS_ALLOW"], message: (err as Error).message });
      }
    }
    if (v.OUTBOUND_CA_FILE && !fs.existsSync(v.OUTBOUND_CA_FILE)) {
      ctx.addIssue({ code: "custom", path: ["OUTBOUND_CA_FILE"], message: "no such file" });
    }
    if (v.NODE_ENV === "production" && !v.SECRET_KEY) {
      ctx.addIssue({ code: "custom", path: ["SECRET_KEY"], message: "is required in production" });
    }
    if (v.SMTP_HOST && !v.SMTP_FROM) {
      ctx.addIssue({ code: "custom", path: ["SMTP_FROM"], message: "is required with SMTP_HOST" });
    }
    if (v.SMTP_FROM && !/^[^@\s<>]+@[^@\s<>]+$|<[^@\s<>]+@[^@\s<>]+>$/.test(v.SMTP_FROM)) {
      ctx.addIssue({
        code: "custom",
        path: ["SMTP_FROM"],
        message: "must be an address: you@example.com or Name <you@example.com>",
      });
    }
    if (Boolean(v.SMTP_USER) !== Boolean(v.SMTP_PASSWORD)) {
      ctx.addIssue({
        code: "custom",
        path: ["SMTP_PASSWORD"],
        message: "SMTP_USER and SMTP_PASSWORD go together",
      });
    }
    if (v.FILES_STORAGE === "s3" && !v.S3_BUCKET) {
      ctx.addIssue({ code: "custom", path: ["S3_BUCKET"], message: "is required with FILES_STORAGE=s3" });
    }
    if (Boolean(v.S3_ACCESS_KEY_ID) !== Boolean(v.S3_SECRET_ACCESS_KEY)) {
      ctx.addIssue({
        code: "custom",
        path: ["S3_SECRET_ACCESS_KEY"],
        message: "S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together",
      });
    }
    if (v.JOB_LEASE_SECONDS * 1000 <= Math.max(v.OUTBOUND_TIMEOUT_MS, v.WEBHOOK_TIMEOUT_MS)) {
      ctx.addIssue({
        code: "custom",
        path: ["JOB_LEASE_SECONDS"],
        message:
          "must be longer than OUTBOUND_TIMEOUT_MS and WEBHOOK_TIMEOUT_MS (a job could outlive its lease)",
      });
    }
    if (v.EVENT_BUS === "postgres" && !v.DATABASE_URL) {
      ctx.addIssue({ code: "custom", path: ["EVENT_BUS"], message: "postgres needs DATABASE_URL" });
    }
  });

export type Config = z.infer<typeof schema> & {
  dataDir: string;
  filesDir: string;
  publicUrl: string;
  eventBus: "memory" | "postgres";
  secretKeySource: "env" | "data-dir";
};

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const input = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join(".") || "(config)"}: ${i.message}`));
  }
  const v = parsed.data;
  // Relative paths are taken from where the command was run: `npm start` runs the server inside
  // apps/server, and npm tells the directory it was started from in INIT_CWD.
  const base = env.INIT_CWD ?? process.cwd();
  const dataDir = path.resolve(base, v.DATA_DIR);
  return {
    ...v,
    dataDir,
    filesDir: v.FILES_DIR ? path.resolve(base, v.FILES_DIR) : path.join(dataDir, "files"),
    publicUrl: (v.PUBLIC_URL ?? `http://localhost:${v.PORT}`).replace(/\/$/, ""),
    eventBus: v.EVENT_BUS ?? (v.DATABASE_URL ? "postgres" : "memory"),
    secretKeySource: v.SECRET_KEY ? "env" : "data-dir",
  };
}
