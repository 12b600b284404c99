import pg from "pg";

/**
 * WAL files ready ahead of the writes, as on a PostgreSQL server in service.
 *
 * A new cluster (the throw-away one the benchmarks start) has no WAL files beyond the one being written. Each
 * time the writes reach the end of a file, the backend that needs the next one creates it and fills its
 * 16 MB with zeros while holding the WAL write lock, and every commit waits meanwhile: at 1,000 messages/s
 * that was a 20–60 ms stall every three seconds, which set the ingest benchmark's p99. A server that has been
 * running recycles the files of its last checkpoints instead (renames them, nothing to fill), so those
 * stalls are the new cluster's, not the load's. Before its warm-up a benchmark writes `megabytes` of WAL into
 * a scratch table and runs a checkpoint, which turns those files into the ones the next writes use. The
 * warm-up then comes between that checkpoint and the measured steps: the first change to a page after a
 * checkpoint logs the whole page, which a server in service spreads over its checkpoint's minutes.
 *
 * Needs a role that may read the WAL directory and run CHECKPOINT (a superuser, as on the throw-away
 * cluster); otherwise nothing is done and the line says why. BENCH_COLD_WAL=1 skips it, to measure a new
 * cluster as it is. Returns the line the benchmark prints.
 */
export async function prepareWal(url: string, megabytes: number): Promise<string> {
  if (process.env.BENCH_COLD_WAL === "1")
    return "WAL: not prepared (BENCH_COLD_WAL=1): the writes create and zero-fill each new WAL file";
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    // Checked first: writing the WAL is no use without the checkpoint that turns it into ready files.
    const [role] = (
      await client.query<{ may: boolean }>(
        "select rolsuper or pg_has_role(current_user, 'pg_checkpoint', 'MEMBER') as may from pg_roles where rolname = current_user",
      )
    ).rows;
    if (!role?.may) throw new Error("this role may not run CHECKPOINT");
    const ahead = async () => {
      const [row] = (
        await client.query<{ files: number; size: number }>(
          `select count(*)::int as files, pg_size_bytes(current_setting('wal_segment_size')) / 1048576 as size
           from pg_ls_waldir() where name ~ '^[0-9A-F]{24}$' and name > pg_walfile_name(pg_current_wal_lsn())`,
        )
      ).rows;
      return { files: row!.files, size: Number(row!.size) };
    };
    const before = await ahead();
    const wanted = Math.ceil(megabytes / before.size);
    if (before.files < wanted) {
      // Rows of 1 kB, written and dropped: about `megabytes` of WAL. A table left by a run that broke off goes first.
      await client.query("drop table if exists parley_bench_wal");
      await client.query("create table parley_bench_wal (b text not null)");
      await client.query(
        "insert into parley_bench_wal select repeat(md5(g::text), 32) from generate_series(1, $1::int) g",
        [megabytes * 1000],
      );
      await client.query("drop table parley_bench_wal");
      await client.query("checkpoint");
    }
    const after = await ahead();
    return `WAL: ${after.files} files of ${after.size} MB ready ahead of the writes (${before.files} before${
      before.files < wanted ? `; ${megabytes} MB written and checkpointed` : ""
    }), as a server in service reuses its old ones`;
  } catch (err) {
    return `WAL: not prepared (${(err as Error).message}): the writes may create and zero-fill new WAL files`;
  } finally {
    await client.query("drop table if exists parley_bench_wal").catch(() => {});
    await client.end().catch(() => {});
  }
}

/**
 * prepareWal sized for `items` writes to come, printed; nothing on the embedded database. A message wrote 5–9 kB
 * of WAL with its indexes, its conversation and its event (less in larger batches), so 8 kB an item. Files
 * beyond `max_wal_size` (1 GB by default) are not kept ready, so it writes no more than 960 MB.
 */
export async function prepareWalFor(kind: "embedded" | "postgres", items: number) {
  if (kind !== "postgres") return;
  const megabytes = Math.min(960, Math.max(128, Math.ceil((items * 8) / 1000) + 64));
  console.log(`  ${await prepareWal(process.env.DATABASE_URL!, megabytes)}`);
}
