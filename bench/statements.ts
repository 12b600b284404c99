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
  const connect = async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    return client;
  };
  const client = await connect();
  try {
    const rows = await client.query("select 1 from pg_extension where extname = 'pg_stat_statements'");
    if (rows.rowCount === 0) {
      console.log(
        "  statements: pg_stat_statements is not in this database (shared_preload_libraries, then create extension)",
      );
      return null;
    }
    await client.query("select pg_stat_statements_reset()");
  } finally {
    await client.end();
  }
  return {
    /** The statements that took the most time, in µs per item, as lines to print. */
    async lines(items: number, unit: string, top = 10): Promise<string[]> {
      const c = await connect();
      try {
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
        const out = [
          `\n  Where PostgreSQL's time went over the steps (pg_stat_statements, ${items} ${unit}s):`,
          `    µs per ${unit}     calls  statement`,
        ];
        for (const r of rows) {
          const us = items ? ((r.ms * 1000) / items).toFixed(1) : "-";
          const text = `${r.toplevel ? "" : "(inside) "}${r.query}`;
          out.push(
            `  ${us.padStart(12)}  ${String(r.calls).padStart(8)}  ${text.length > 90 ? `${text.slice(0, 89)}…` : text}`,
          );
        }
        return out;
      } finally {
        await c.end();
      }
    },
  };
}
