import { defineConfig } from "vitest/config";

/**
 * The server's tests run twice when a PostgreSQL test database is given (TEST_DATABASE_URL): once on the
 * embedded database and once on PostgreSQL. Without it they run on the embedded database and the
 * PostgreSQL project is listed as not run (see the test output's first line).
 */
const withPostgres = Boolean(process.env.TEST_DATABASE_URL);
if (!withPostgres) {
  console.warn(
    "TEST_DATABASE_URL is not set: the PostgreSQL half of the suite does not run (CI sets it; see README).",
  );
}

const server = (name: string, db: "embedded" | "postgres") => ({
  extends: true as const,
  test: {
    name,
    include: ["apps/server/src/**/*.test.ts"],
    // The browser tests run once, on the embedded database.
    exclude: ["apps/server/src/domain/**", ...(db === "postgres" ? ["apps/server/src/e2e/**"] : [])],
    env: { PARLEY_TEST_DB: db },
    globalSetup: db === "embedded" ? ["apps/server/src/testing/global-setup.ts"] : [],
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
            "apps/web/src/**/*.test.ts",
          ],
        },
      },
      server("embedded", "embedded"),
      ...(withPostgres ? [server("postgres", "postgres")] : []),
    ],
  },
});
