import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { TEST_DATABASE_URL, TEST_DB } from "../testing/db";
import { type Db, openPglite, openPostgres, type Queryable } from "./client";
import { migrate, statements } from "./migrate";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * An empty database of the project's kind: in-memory PGlite, or a schema of its own in the PostgreSQL test
 * database (first on the search path, `public` after it for the extensions), so no CREATEDB right is needed.
 */
async function emptyDb(): Promise<Db> {
  if (TEST_DB === "embedded") {
    const db = await openPglite(null);
    cleanups.push(() => db.close());
    return db;
  }
  const schema = `migrate_${crypto.randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const url = new URL(TEST_DATABASE_URL);
  url.searchParams.set("options", `-c search_path=${schema},public`);
  const db = await openPostgres(url.toString(), 2);
  cleanups.push(async () => {
    await db.close();
    const drop = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await drop.connect();
    await drop.query(`drop schema if exists ${schema} cascade`);
    await drop.end();
  });
  return db;
}

/** A migrations folder holding the given files. */
function folder(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "parley-migrations-"));
  for (const [name, sql] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), sql);
  cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const tables = async (db: Db) =>
  (
    await db.query<{ table_name: string }>(
      "select table_name from information_schema.tables where table_schema = current_schema() order by 1",
    )
  ).map((r) => r.table_name);

describe("migrate", { timeout: 180_000 }, () => {
  it("migrates a fresh database with the project's migrations, and a second run applies nothing", async () => {
    const db = await emptyDb();
    const applied = await migrate(db);
    expect(applied.length).toBeGreaterThan(10);
    expect(await tables(db)).toEqual(expect.arrayContaining(["workspaces", "messages", "jobs"]));
    const rows = await db.query<{ checksum: string | null }>("select checksum from schema_migrations");
    expect(rows).toHaveLength(applied.length);
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.checksum ?? ""))).toBe(true);
    expect(await migrate(db)).toEqual([]);
  });

  it("refuses to start, naming the file, when an applied migration has changed", async () => {
    const db = await emptyDb();
    const dir = folder({
      "0001_a.sql": "create table a (id int);\n",
      "0002_b.sql": "create table b (id int);\n",
    });
    await migrate(db, dir);
    fs.writeFileSync(path.join(dir, "0001_a.sql"), "create table a (id bigint);\n");
    fs.writeFileSync(path.join(dir, "0003_c.sql"), "create table c (id int);\n");
    await expect(migrate(db, dir)).rejects.toThrow(/Migration 0001_a\.sql has changed since it was applied/);
    // Nothing later was applied either.
    expect(await tables(db)).toEqual(["a", "b", "schema_migrations"]);
  });

  it("records the checksums of files applied before checksums were kept, then holds them to it", async () => {
    const db = await emptyDb();
    const dir = folder({ "0001_a.sql": "create table a (id int);\n" });
    // A database migrated by the earlier runner: a bookkeeping table without the checksum column.
    await db.query(
      "create table schema_migrations (name text primary key, applied_at timestamptz not null default now())",
    );
    await db.query("create table a (id int)");
    await db.query("insert into schema_migrations (name) values ('0001_a.sql')");
    expect(await migrate(db, dir)).toEqual([]);
    const [row] = await db.query<{ checksum: string }>("select checksum from schema_migrations");
    expect(row?.checksum).toMatch(/^[0-9a-f]{64}$/);
    fs.writeFileSync(path.join(dir, "0001_a.sql"), "create table a (id bigint);\n");
    await expect(migrate(db, dir)).rejects.toThrow(/0001_a\.sql has changed/);
  });

  it("runs a file with a PL/pgSQL function whose body holds semicolons, across lines", async () => {
    const db = await emptyDb();
    const dir = folder({
      "0001_fn.sql": `-- A function over several lines; its body has semicolons.
create table counters (id int primary key, n int not null default 0);

create function bump(k int) returns int language plpgsql as $$
declare
  result int;
begin
  insert into counters (id, n) values (k, 1)
    on conflict (id) do update set n = counters.n + 1
    returning n into result;
  return result;  -- ';' in a comment, and in a string: ';'
end
$$;

create function tagged() returns text language sql as $body$ select 'a;b' $body$;
`,
    });
    expect(await migrate(db, dir)).toEqual(["0001_fn.sql"]);
    await db.query("select bump(1)");
    const [row] = await db.query<{ n: number; t: string }>("select bump(1) as n, tagged() as t");
    expect(row).toEqual({ n: 2, t: "a;b" });
  });

  it("rolls a failing file back alone: earlier files stay applied, the error names the file", async () => {
    const db = await emptyDb();
    const dir = folder({
      "0001_ok.sql": "create table kept (id int);\n",
      "0002_bad.sql":
        "create table half (id int);\ninsert into half values (1);\nselect * from no_such_table;\n",
      "0003_later.sql": "create table later (id int);\n",
    });
    await expect(migrate(db, dir)).rejects.toThrow(/Migration 0002_bad\.sql failed/);
    expect(await tables(db)).toEqual(["kept", "schema_migrations"]);
    const names = await db.query<{ name: string }>("select name from schema_migrations");
    expect(names.map((r) => r.name)).toEqual(["0001_ok.sql"]);
  });
});

describe("migrate with a handle that runs scripts", { timeout: 180_000 }, () => {
  it("hands each file whole to the transaction's exec (PGlite, whichever database the suite runs on)", async () => {
    const raw = await PGlite.create();
    cleanups.push(() => raw.close());
    const scripts: string[] = [];
    // A database client whose transaction handle offers `exec`, as PGlite's own transactions do.
    const db: Db = {
      kind: "pglite",
      query: async (sql, params) =>
        (await raw.query<never>(typeof sql === "string" ? sql : sql.text, params)).rows,
      tx: (fn) =>
        raw.transaction((t) =>
          fn({
            query: async (sql: string, params?: unknown[]) => (await t.query<never>(sql, params)).rows,
            exec: async (sql: string) => {
              scripts.push(sql);
              return t.exec(sql);
            },
          } as Queryable),
        ),
      close: () => raw.close(),
    };
    const fn =
      "create table n (v int);\ncreate function one() returns int language plpgsql as $$ begin return 1; end $$;\n";
    const dir = folder({
      "0001_fn.sql": fn,
      "0002_bad.sql": "insert into n values (1);\nselect * from missing;\n",
    });
    await expect(migrate(db, dir)).rejects.toThrow(/Migration 0002_bad\.sql failed/);
    expect(scripts).toEqual([fn, "insert into n values (1);\nselect * from missing;\n"]);
    expect(await db.query("select one() as one")).toEqual([{ one: 1 }]);
    expect(await db.query("select count(*)::int as c from n")).toEqual([{ c: 0 }]);
  });
});

describe("statements", () => {
  it("cuts at top-level semicolons only", () => {
    const sql = `create table t (x text default 'a;b', "we;ird" int); -- c;
/* block; */ insert into t values ('it''s; fine');
do $x$ begin perform 1; end $x$;
-- only a comment;
`;
    expect(statements(sql)).toEqual([
      `create table t (x text default 'a;b', "we;ird" int)`,
      `-- c;\n/* block; */ insert into t values ('it''s; fine')`,
      "do $x$ begin perform 1; end $x$",
    ]);
  });
});
