import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openPglite } from "../db/client";
import { migrate } from "../db/migrate";

/** Builds one migrated embedded database that every test file copies (initdb takes seconds; a copy does not). */
export default async function setup() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "parley-template-"));
  const db = await openPglite(dir);
  await migrate(db);
  await db.close();
  process.env.PARLEY_TEST_TEMPLATE = dir;
  return () => fs.rmSync(dir, { recursive: true, force: true });
}
