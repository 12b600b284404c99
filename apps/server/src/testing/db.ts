import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type Db, openPglite, openPostgres } from "../db/client";
import { migrate } from "../db/migrate";

/** Which database the current test project runs on (set per Vitest project). */
export const TEST_DB = (process.env.PARLEY_TEST_DB ?? "embedded") as "embedded" | "postgres";
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? "";

/**
 * A database for one test file: a copy of the migrated embedded template, or the shared PostgreSQL test
 * database. Tests never clean up tables: each creates its own workspaces, so files can run in parallel.
 */
export async function openTestDb(): Promise<{
  db: Db;
  url: string | null;
  dataDir: string | null;
  close(): Promise<void>;
}> {
  if (TEST_DB === "postgres") {
    if (!TEST_DATABASE_URL) throw new Error("The postgres test project needs TEST_DATABASE_URL");
    const db = await openPostgres(TEST_DATABASE_URL, 10);
    await migrate(db);
    return { db, url: TEST_DATABASE_URL, dataDir: null, close: () => db.close() };
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
