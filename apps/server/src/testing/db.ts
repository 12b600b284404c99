import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type Db, openPglite, openPostgres } from "../db/client";
import { migrate } from "../db/migrate";
import { createDatabaseFrom, databaseUrl, dropDatabase } from "./postgres-admin";

/** Which database the current test project runs on (set per Vitest project). */
export const TEST_DB = (process.env.PARLEY_TEST_DB ?? "embedded") as "embedded" | "postgres";
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? "";

let databases = 0;

/**
 * A database for one test file: a copy of the migrated embedded template, or a PostgreSQL database created
 * from the migrated template database (and dropped when the file closes it). A file's job runners
 * therefore see only that file's jobs. Tests never clean up tables: each creates its own workspaces.
 */
export async function openTestDb(): Promise<{
  db: Db;
  url: string | null;
  dataDir: string | null;
  close(): Promise<void>;
}> {
  if (TEST_DB === "postgres") {
    if (!TEST_DATABASE_URL) throw new Error("The postgres test project needs TEST_DATABASE_URL");
    const template = process.env.PARLEY_TEST_PG_TEMPLATE;
    if (!template) throw new Error("The postgres test project's global set-up names the template database");
    const name = `parley_test_${process.pid}_${++databases}`;
    await createDatabaseFrom(TEST_DATABASE_URL, name, template);
    const url = databaseUrl(TEST_DATABASE_URL, name);
    const db = await openPostgres(url, 10);
    return {
      db,
      url,
      dataDir: null,
      async close() {
        await db.close();
        await dropDatabase(TEST_DATABASE_URL, name);
      },
    };
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "parley-test-"));
  const template = process.env.PARLEY_TEST_TEMPLATE;
  if (template && fs.existsSync(template)) fs.cpSync(template, dataDir, { recursive: true });
  const db = await openPglite(dataDir);
  await migrate(db);
  return {
    db,
    url: null,
    dataDir,
    async close() {
      await db.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
