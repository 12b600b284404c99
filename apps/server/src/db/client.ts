import fs from "node:fs";
import path from "node:path";
import { PGlite, types as pgliteTypes } from "@electric-sql/pglite";
import { btree_gin } from "@electric-sql/pglite/contrib/btree_gin";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import pg from "pg";
import { LISTENER_DEFAULTS, Listener, type ListenerOptions, type ListenerState } from "./listener";

/**
 * A statement run on the hot path (every webhook, every job): on PostgreSQL each connection parses it once
 * under its name and afterwards only binds the parameters, so the text is neither sent nor parsed again.
 * PostgreSQL still plans it for each call's values unless its generic plan looks as cheap (see
 * TxOptions.genericPlans). Names must be unique per text; the embedded database runs the text.
 */
export interface Prepared {
  name: string;
  text: string;
}

/** A named statement (see Prepared); `name` must be unique in the application. */
export const prepared = (name: string, text: string): Prepared => ({ name, text });

const textOf = (sql: string | Prepared) => (typeof sql === "string" ? sql : sql.text);
/** node-postgres's query: a name makes it a prepared statement of the connection. */
const pgQuery = (sql: string | Prepared, values: unknown[]) =>
  typeof sql === "string" ? { text: sql, values } : { name: sql.name, text: sql.text, values };

/** Anything that runs a parameterised query: the database itself or an open transaction. */
export interface Queryable {
  query<T = Record<string, unknown>>(sql: string | Prepared, params?: unknown[]): Promise<T[]>;
  /** Runs a script of several statements at once (the embedded database's transactions; migrations use it). */
  exec?(sql: string): Promise<unknown>;
}

export interface Db extends Queryable {
  readonly kind: "pglite" | "postgres";
  /** Runs `fn` in one transaction; commits when it resolves, rolls back when it throws. */
  tx<T>(fn: (q: Queryable) => Promise<T>, opts?: TxOptions): Promise<T>;
  /** The connection pool's state (PostgreSQL only): connections open, idle, and callers waiting for one. */
  pool?(): { total: number; idle: number; waiting: number };
  /**
   * LISTEN on a channel (PostgreSQL only: the embedded database has one process by construction). Every
   * channel shares one connection, re-established with backoff when it drops; `onReconnect` runs once it is
   * listening again (notifications sent while it was down are lost: catch up from the tables).
   */
  listen?(
    channel: string,
    onPayload: (payload: string) => void,
    onReconnect?: () => void,
  ): Promise<() => Promise<void>>;
  /** The LISTEN connection's state (PostgreSQL only). */
  listener?: { state(): ListenerState; onChange(handler: (state: ListenerState) => void): () => void };
  close(): Promise<void>;
}

export interface TxOptions {
  /**
   * PostgreSQL: the transaction's statements run generic plans (`plan_cache_mode = force_generic_plan`, for
   * this transaction only), so a named statement is planned once per connection instead of again for each
   * call's values. For a hot transaction whose statements take their rows as arrays (`unnest($1::uuid[])`)
   * and find them by key: the planner counts ten rows for an array parameter, judges a plan made for the
   * actual one or few values cheaper, and so makes one on most calls. In the ingest transaction that
   * planning cost more than running its statements (0.4–0.5 ms a commit). Unnamed statements (every query
   * not made with `prepared()`) are still planned on every call, now without their values: use it only
   * where every statement is anchored on keys. The embedded database plans each statement anyway: there it
   * changes nothing.
   */
  genericPlans?: boolean;
}

// int8 (sequence numbers, counts) as JS numbers: every value we store fits in 2^53.
const parseInt8 = (v: string) => Number(v);

export async function openPglite(dataDir: string | null): Promise<Db> {
  if (dataDir) fs.mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create({
    ...(dataDir ? { dataDir: path.join(dataDir, "pg") } : {}),
    extensions: { pg_trgm, btree_gin },
    parsers: { [pgliteTypes.INT8]: parseInt8 },
  });
  const q: Queryable = {
    async query<T>(sql: string | Prepared, params: unknown[] = []) {
      const r = await db.query<T>(textOf(sql), params);
      return r.rows;
    },
  };
  return {
    kind: "pglite",
    query: q.query,
    async tx(fn) {
      return db.transaction(async (t) =>
        fn({
          async query<T>(sql: string | Prepared, params: unknown[] = []) {
            return (await t.query<T>(textOf(sql), params)).rows;
          },
          exec: (sql: string) => t.exec(sql),
        }),
      );
    },
    async close() {
      await db.close();
    },
  };
}

pg.types.setTypeParser(pg.types.builtins.INT8, parseInt8);

const BEGIN_GENERIC = "begin; set local plan_cache_mode = force_generic_plan";

export async function openPostgres(
  url: string,
  poolSize: number,
  listenerOptions: Partial<ListenerOptions> = {},
): Promise<Db> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // An idle client that errors (server restart) must not crash the process.
  pool.on("error", () => {});
  await pool.query("select 1");
  const listener = new Listener(url, { ...LISTENER_DEFAULTS, ...listenerOptions });
  return {
    kind: "postgres",
    pool: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    async query<T>(sql: string | Prepared, params: unknown[] = []) {
      const r = await pool.query(pgQuery(sql, params));
      return r.rows as T[];
    },
    async tx(fn, opts) {
      const client = await pool.connect();
      try {
        // One round trip: the setting rides with the BEGIN (a simple query may hold several statements).
        await client.query(opts?.genericPlans ? BEGIN_GENERIC : "begin");
        const result = await fn({
          async query<T>(sql: string | Prepared, params: unknown[] = []) {
            return (await client.query(pgQuery(sql, params))).rows as T[];
          },
        });
        await client.query("commit");
        return result;
      } catch (err) {
        await client.query("rollback").catch(() => {});
        throw err;
      } finally {
        client.release();
      }
    },
    listen: (channel, onPayload, onReconnect) => listener.listen(channel, onPayload, onReconnect),
    listener,
    async close() {
      await listener.close();
      await pool.end();
    },
  };
}
