import type { Db, Queryable } from "../db/client";

/**
 * The same database, counting every statement sent to it (in transactions too): for tests that a
 * set-based path costs the same number of statements whatever the size of its batch.
 */
export function countingDb(db: Db) {
  let statements = 0;
  const wrap = (q: Queryable): Queryable => ({
    query<T>(sql: string, params?: unknown[]) {
      statements++;
      return q.query<T>(sql, params);
    },
  });
  const counted: Db = { ...db, ...wrap(db), tx: (fn, opts) => db.tx((q) => fn(wrap(q)), opts) };
  return {
    db: counted,
    /** The statements since the last call. */
    take() {
      const n = statements;
      statements = 0;
      return n;
    },
  };
}
