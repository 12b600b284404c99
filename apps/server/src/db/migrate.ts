import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Db, Queryable } from "./client";

const migrationsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), "migrations");

/** Held (per transaction) while the bookkeeping table is set up and while each file is applied. */
const LOCK = "select pg_advisory_xact_lock(727274)";

/** A transaction handle that can also run a script of several statements at once (PGlite's `exec`). */
type Script = Queryable & { exec?(sql: string): Promise<unknown> };

/**
 * Applies the SQL files in `migrations/` in name order, once each. A file runs whole, in its own transaction,
 * so it may hold any SQL, PL/pgSQL function bodies included; a file that fails rolls back alone and stops
 * the start with its name. One set of migrations serves both the embedded database and PostgreSQL. A
 * transaction-level advisory lock keeps two processes starting together from applying the same file twice.
 *
 * Applied files are append-only: the runner records each file's sha256 and refuses to start when an applied
 * file has changed since (add a new migration instead). Databases migrated before checksums were kept get
 * the checksums of their files recorded on their first start.
 */
export async function migrate(db: Db, dir = migrationsDir): Promise<string[]> {
  await db.tx(async (q) => {
    await q.query(LOCK);
    await q.query(`create table if not exists schema_migrations (
      name text primary key, applied_at timestamptz not null default now())`);
    await q.query("alter table schema_migrations add column if not exists checksum text");
  });
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".sql"))
    .sort()
    .map((name) => {
      const sql = fs.readFileSync(path.join(dir, name), "utf8");
      return { name, sql, checksum: checksum(sql) };
    });
  await verifyApplied(db, files);

  const applied: string[] = [];
  for (const file of files) {
    const done = await db.tx(async (q) => {
      await q.query(LOCK);
      const seen = await q.query("select 1 from schema_migrations where name = $1", [file.name]);
      if (seen.length > 0) return false;
      try {
        await runScript(db, q, file.sql);
      } catch (err) {
        throw new Error(
          `Migration ${file.name} failed, nothing of it was applied: ${(err as Error).message}`,
          {
            cause: err,
          },
        );
      }
      await q.query("insert into schema_migrations (name, checksum) values ($1, $2)", [
        file.name,
        file.checksum,
      ]);
      return true;
    });
    if (done) applied.push(file.name);
  }
  return applied;
}

/** The file's sha256; line endings do not count (a checkout with CRLF is the same migration). */
export function checksum(sql: string): string {
  return createHash("sha256").update(sql.replace(/\r\n/g, "\n")).digest("hex");
}

/** Refuses to go on when an applied file changed; records checksums that were never recorded. */
async function verifyApplied(db: Db, files: { name: string; checksum: string }[]): Promise<void> {
  const rows = await db.query<{ name: string; checksum: string | null }>(
    "select name, checksum from schema_migrations",
  );
  const recorded = new Map(rows.map((r) => [r.name, r.checksum]));
  for (const file of files) {
    if (!recorded.has(file.name)) continue;
    const before = recorded.get(file.name);
    if (before == null) {
      await db.query("update schema_migrations set checksum = $2 where name = $1 and checksum is null", [
        file.name,
        file.checksum,
      ]);
    } else if (before !== file.checksum) {
      throw new Error(
        `Migration ${file.name} has changed since it was applied to this database ` +
          `(recorded sha256 ${before.slice(0, 12)}…, file now ${file.checksum.slice(0, 12)}…). ` +
          "Applied migrations are append-only: restore the file and put the change in a new migration.",
      );
    }
  }
}

/**
 * Runs a whole script in the open transaction. PostgreSQL (node-postgres) sends a query without parameters
 * over the simple-query protocol, which takes several statements; PGlite takes them through `exec`. Where a
 * handle offers neither, the script is cut into statements by `statements()`, which respects quotes,
 * comments and dollar-quoted bodies.
 */
async function runScript(db: Db, q: Script, sql: string): Promise<void> {
  if (typeof q.exec === "function") await q.exec(sql);
  else if (db.kind === "postgres") await q.query(sql);
  else for (const statement of statements(sql)) await q.query(statement);
}

/**
 * Cuts a SQL script at its top-level semicolons: not inside '…' strings, "…" identifiers, -- and /* … *\/
 * comments, or $tag$ … $tag$ bodies. Statements that hold only comments are dropped.
 */
export function statements(sql: string): string[] {
  const out: string[] = [];
  let start = 0;
  let i = 0;
  const push = (end: number) => {
    const text = sql.slice(start, end).trim();
    if (text.replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, "").trim()) out.push(text);
    start = end + 1;
  };
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === "'" || c === '"') {
      // A doubled quote inside is an escaped quote: the scan simply leaves and re-enters the literal.
      const close = sql.indexOf(c, i + 1);
      i = close < 0 ? sql.length : close + 1;
    } else if (c === "-" && sql[i + 1] === "-") {
      const eol = sql.indexOf("\n", i);
      i = eol < 0 ? sql.length : eol + 1;
    } else if (c === "/" && sql[i + 1] === "*") {
      const close = sql.indexOf("*/", i + 2);
      i = close < 0 ? sql.length : close + 2;
    } else if (c === "$") {
      const tag = /^\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i))?.[0];
      if (tag) {
        const close = sql.indexOf(tag, i + tag.length);
        i = close < 0 ? sql.length : close + tag.length;
      } else i++;
    } else if (c === ";") {
      push(i);
      i++;
    } else i++;
  }
  push(sql.length);
  return out;
}
