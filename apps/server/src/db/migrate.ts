import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Db } from "./client";

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), "migrations");

/**
 * Applies the SQL files in `migrations/` in name order, each in its own transaction, once.
 * One set of migrations serves both the embedded database and PostgreSQL. A transaction-level advisory
 * lock keeps two processes starting together from applying the same file twice.
 */
export async function migrate(db: Db): Promise<string[]> {
  await db.query(`create table if not exists schema_migrations (
    name text primary key, applied_at timestamptz not null default now())`);
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".sql"))
    .sort();
  const applied: string[] = [];
  for (const file of files) {
    const sql = fs.readFileSync(path.join(dir, file), "utf8");
    const done = await db.tx(async (q) => {
      await q.query("select pg_advisory_xact_lock(727274)");
      const seen = await q.query("select 1 from schema_migrations where name = $1", [file]);
      if (seen.length > 0) return false;
      for (const statement of splitStatements(sql)) await q.query(statement);
      await q.query("insert into schema_migrations (name) values ($1)", [file]);
      return true;
    });
    if (done) applied.push(file);
  }
  return applied;
}

/** Splits a migration on `;` at line ends (the files keep one statement per `;`-terminated block). */
function splitStatements(sql: string): string[] {
  return sql
    .split(/;\s*$/m)
    .map((s) => s.replace(/^\s*--.*$/gm, "").trim())
    .filter(Boolean);
}
