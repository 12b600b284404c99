import pg from "pg";

/**
 * Where PostgreSQL's time went, statement by statement, with `BENCH_STATEMENTS=1` on a server that has the
 * `pg_stat_statements` extension (in `shared_preload_libraries`, and created in the benchmark's database):
 * its counters are reset before the measured steps and read after them, and each statement's execution time
 * is divided by the items the steps handled. With `pg_stat_statements.track = all` the statements that
 * others run inside them (foreign-key checks, triggers) are listed too, marked "inside"; their time is also
 * in the statement that ran them. The reset clears the counters of the whole server, so it is asked for,
 * never done by default.
 */
export async function statementTimes(url: string | undefined) {
  if (process.env.BENCH_STATEMENTS !== "1" || !url) return null;
  /** Runs `fn` on a connection of its own; a failure is told in one line, and the benchmark goes on. */
  const using = async <T>(what: string, fn: (c: pg.Client) => Promise<T>): Promise<T | null> => {
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      return await fn(client);
    } catch (err) {
      console.log(`  statements: could not ${what}: ${err instanceof Error ? err.message : String(err)}`);
      return null;
    } finally {
      await client.end().catch(() => {});
    }
  };
  const ready = await using("reset pg_stat_statements", async (c) => {
    const found = await c.query("select 1 from pg_extension where extname = 'pg_stat_statements'");
    if (found.rowCount === 0)
      throw new Error("it is not in this database (shared_preload_libraries, then create extension)");
    await c.query("select pg_stat_statements_reset()");
    return true;
  });
  if (!ready) return null;
  return {
    /** The statements that took the most time, in µs per item, as lines to print. */
    lines: async (items: number, unit: string, top = 10): Promise<string[]> =>
      (await using("read pg_stat_statements", async (c) => {
        const { rows } = await c.query<{
          calls: string | number;
          ms: number;
          toplevel: boolean;
          query: string;
        }>(
          `select calls, total_exec_time as ms, toplevel, regexp_replace(query, '\\s+', ' ', 'g') as query
           from pg_stat_statements
           where dbid = (select oid from pg_database where datname = current_database())
           order by total_exec_time desc limit $1`,
          [top],
        );
        const head = `µs per ${unit}`;
        return [
          `\n  Where PostgreSQL's time went over the steps (pg_stat_statements, ${items} ${unit}s):`,
          `  ${head.padStart(12)}  ${"calls".padStart(8)}  statement`,
          ...rows.map((r) => {
            const us = items ? ((r.ms * 1000) / items).toFixed(1) : "-";
            const text = `${r.toplevel ? "" : "(inside) "}${r.query}`;
            return `  ${us.padStart(12)}  ${String(r.calls).padStart(8)}  ${text.length > 90 ? `${text.slice(0, 89)}…` : text}`;
          }),
        ];
      })) ?? [],
  };
}
