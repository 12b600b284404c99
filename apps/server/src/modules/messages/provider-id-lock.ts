import type { Queryable } from "../../db/client";

/**
 * Serialises a send recording its provider id with a delivery report for that id that arrives meanwhile.
 * Without it, on PostgreSQL, a report could look for the id before the send's transaction committed it
 * (and keep the report for later), while the send looked for kept reports before the report's transaction
 * committed it: the report would be kept and never applied. Both take this transaction-scoped lock on
 * (connection, provider id) first — the report only when it found no message — so whichever comes second
 * sees what the first committed.
 */
export async function lockProviderIds(q: Queryable, keys: { connectionId: string; providerId: string }[]) {
  if (!keys.length) return;
  await q.query(
    `select pg_advisory_xact_lock(k.h)
     from (select distinct hashtextextended(u.cid::text || ':' || u.pid, 0) as h
           from unnest($1::uuid[], $2::text[]) as u(cid, pid)) k
     order by k.h`,
    [keys.map((k) => k.connectionId), keys.map((k) => k.providerId)],
  );
}
