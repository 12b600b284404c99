import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { type CpuSample, cpuMeter } from "./cpu";

const TABLE =
  "bench_insert (id bigint generated always as identity primary key, payload jsonb not null, created_at timestamptz not null default now())";

export interface InsertLoop {
  rate: number;
  cpuPerRow: CpuSample;
}

/**
 * Rows per second, and the CPU (the loop's process + PostgreSQL's) per row. On PostgreSQL, `logged` is the same
 * loop into an ordinary table (with `options.logged`), whose rows are in the WAL and on disk at each commit as a
 * message's must be: the figures the goals are set in use the temporary table's.
 */
export async function insertBaseline(
  kind: "embedded" | "postgres",
  postmaster: number | null,
  options: { logged?: boolean } = {},
): Promise<InsertLoop & { logged?: InsertLoop }> {
  const meter = cpuMeter(null, postmaster);
  const n = kind === "postgres" ? 3000 : 1500;
  const payload = JSON.stringify({
    text: "hello from the baseline",
    contact: { id: "c-1", name: "Contact" },
  });
  /**
   * The same loop on either database: n single-row INSERTs, one after another, each its own transaction, timed
   * after n untimed ones. Timed cold, its own process cost two to four times as much a row (the driver's code
   * not yet compiled, the connection's caches empty), while Parley's figures come after a warm-up of their own.
   */
  const measure = async (query: (sql: string, params?: unknown[]) => Promise<unknown>) => {
    const loop = async () => {
      for (let i = 0; i < n; i++) await query("insert into bench_insert (payload) values ($1)", [payload]);
    };
    await loop();
    const cpu0 = meter.sample();
    const t0 = performance.now();
    await loop();
    const rate = n / ((performance.now() - t0) / 1000);
    const cpu = meter.since(cpu0);
    return { rate, cpuPerRow: { app: cpu.app / n, db: cpu.db / n } };
  };
  if (kind === "postgres") {
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    try {
      // A temporary table: it writes no WAL (docs/features/ingest.md, "Why 2× the bare INSERT is not reached").
      await client.query(`create temp table ${TABLE}`);
      const bare = await measure((sql, params) => client.query(sql, params));
      if (!options.logged) return bare;
      await client.query("drop table bench_insert");
      // An ordinary table outlives a run that was stopped halfway.
      await client.query("drop table if exists bench_insert");
      await client.query(`create table ${TABLE}`);
      try {
        return { ...bare, logged: await measure((sql, params) => client.query(sql, params)) };
      } finally {
        await client.query("drop table bench_insert");
      }
    } finally {
      await client.end();
    }
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "parley-bench-insert-"));
  const db = await PGlite.create({ dataDir: dir });
  try {
    await db.query(`create table ${TABLE}`);
    return await measure((sql, params) => db.query(sql, params));
  } finally {
    await db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
