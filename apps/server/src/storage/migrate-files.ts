import type { Queryable } from "../db/client";
import type { BlobStore } from "./blob-store";

export interface MigrationCounts {
  total: number;
  copied: number;
  /** Already in the target with the same size: an earlier run copied them. */
  skipped: number;
  /** Rows whose bytes are not in the source (reported, left as they are). */
  missing: number;
  /** Copies whose SHA-256 differs from the one recorded when the file was stored (removed again). */
  damaged: number;
  bytes: number;
}

const PAGE = 500;
const PROGRESS_EVERY_MS = 2000;

/**
 * Copies the bytes of every stored file from one store to another (disk to S3), in the order of the files'
 * ids. It can be stopped and run again: a file already in the target with its recorded size is skipped
 * (an S3 object appears only once its upload completed, so a present one is whole), and each copy is
 * checked against the SHA-256 recorded when the file was first stored. The source is left untouched.
 */
export async function migrateFiles(
  db: Queryable,
  from: BlobStore,
  to: BlobStore,
  say: (line: string) => void,
  now: () => number = () => performance.now(),
): Promise<MigrationCounts> {
  const [{ n }] = (await db.query<{ n: string }>("select count(*)::text as n from files")) as [{ n: string }];
  const c: MigrationCounts = { total: Number(n), copied: 0, skipped: 0, missing: 0, damaged: 0, bytes: 0 };
  const progress = () =>
    `${c.copied + c.skipped + c.missing + c.damaged}/${c.total} files: ${c.copied} copied (${mb(c.bytes)}), ` +
    `${c.skipped} already there, ${c.missing} missing on disk, ${c.damaged} damaged`;
  let lastSaid = now();
  let after: string | null = null;
  for (;;) {
    const rows: { id: string; storage_key: string; size: string; sha256: string }[] = await db.query(
      `select id, storage_key, size::text as size, sha256 from files
        where ($1::uuid is null or id > $1::uuid) order by id limit ${PAGE}`,
      [after],
    );
    if (!rows.length) break;
    for (const row of rows) {
      const size = Number(row.size);
      const there = await to.stat(row.storage_key);
      if (there && there.size === size) {
        c.skipped++;
      } else if (!(await from.stat(row.storage_key))) {
        c.missing++;
        say(`missing on disk: file ${row.id} (${row.storage_key})`);
      } else {
        const put = await to.put(row.storage_key, from.get(row.storage_key), Number.MAX_SAFE_INTEGER);
        if (put.sha256 !== row.sha256 || put.size !== size) {
          await to.remove(row.storage_key);
          c.damaged++;
          say(`damaged on disk (size or SHA-256 differs from the recorded one): file ${row.id}`);
        } else {
          c.copied++;
          c.bytes += put.size;
        }
      }
      if (now() - lastSaid >= PROGRESS_EVERY_MS) {
        lastSaid = now();
        say(progress());
      }
    }
    after = rows[rows.length - 1]!.id;
  }
  say(progress());
  return c;
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
