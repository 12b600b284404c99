import type { Db, Queryable } from "../db/client";
import { gate } from "./gate";

/**
 * Runs `take` (statements that take locks) in a transaction of its own and holds it open until `release()`:
 * a test makes the database slow or blocked on purpose (on the embedded database, which runs one transaction
 * at a time, it blocks everything). `taken` resolves once `take` has run; `done` once the transaction has
 * ended.
 */
export function holdLock(db: Db, take: (q: Queryable) => Promise<unknown>) {
  const held = gate();
  const locked = gate();
  const done = db.tx(async (q) => {
    await take(q);
    locked.open();
    await held.opened;
  });
  return { taken: locked.opened, release: held.open, done };
}
