import type { Db, Queryable } from "../db/client";

/**
 * Runs `take` (statements that take locks) in a transaction of its own and holds it open until `release()`:
 * a test makes the database slow or blocked on purpose (on the embedded database, which runs one transaction
 * at a time, it blocks everything). `taken` resolves once `take` has run; `done` once the transaction has
 * ended.
 */
export function holdLock(db: Db, take: (q: Queryable) => Promise<unknown>) {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  let locked!: () => void;
  const taken = new Promise<void>((resolve) => {
    locked = resolve;
  });
  const done = db.tx(async (q) => {
    await take(q);
    locked();
    await gate;
  });
  return { taken, release, done };
}
