import type { Db } from "../db/client";

/**
 * Holds a lock in a transaction of its own until `release()`: a test makes the database slow or blocked on
 * purpose (on the embedded database, which runs one transaction at a time, it blocks everything). `taken`
 * resolves once the lock is held; `done` once the transaction has ended.
 */
export function holdLock(db: Db, sql: string, params: unknown[] = []) {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  let locked!: () => void;
  const taken = new Promise<void>((resolve) => {
    locked = resolve;
  });
  const done = db.tx(async (q) => {
    await q.query(sql, params);
    locked();
    await gate;
  });
  return { taken, release, done };
}
