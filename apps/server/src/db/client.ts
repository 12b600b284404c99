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

/** An open transaction's handle. */
export interface TxQueryable extends Queryable {
  /**
   * Queues `sql` as one of the transaction's last statements: it is sent when the transaction's function has
   * resolved, after every other statement, together with the COMMIT (PostgreSQL gets both in one round trip;
   * the embedded database runs it just before committing). The promise settles once the transaction has
   * ended: with the rows when it committed, with the statement's error when it failed (the transaction is
   * then rolled back and `tx` rejects with that error), or with the transaction's own error. Never await it
   * inside the transaction: it cannot settle before the function returns. Several run in the order queued.
   * Optional: a handle without it (a test's wrapper) runs the statement where the caller would.
   */
  atCommit?<T = Record<string, unknown>>(sql: string | Prepared, params?: unknown[]): Promise<T[]>;
}

export interface Db extends Queryable {
  readonly kind: "pglite" | "postgres";
  /** Runs `fn` in one transaction; commits when it resolves, rolls back when it throws. */
  tx<T>(fn: (q: TxQueryable) => Promise<T>, opts?: TxOptions): Promise<T>;
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
      const last = new LastStatements();
      try {
        const result = await db.transaction(async (t) => {
          const run = async <T>(sql: string | Prepared, params: unknown[] = []) =>
            (await t.query<T>(textOf(sql), params)).rows;
          const value = await fn({ query: run, exec: (sql: string) => t.exec(sql), atCommit: last.queue });
          // Run just before the commit; one that fails throws here, which rolls the transaction back.
          await last.run(run);
          return value;
        });
        last.settle();
        return result;
      } catch (err) {
        last.fail(err);
        throw err;
      }
    },
    async close() {
      await db.close();
    },
  };
}

pg.types.setTypeParser(pg.types.builtins.INT8, parseInt8);

const BEGIN_GENERIC = "begin; set local plan_cache_mode = force_generic_plan";

interface LastStatement {
  sql: string | Prepared;
  params: unknown[];
  rows?: unknown[];
  resolve(rows: unknown[]): void;
  reject(err: unknown): void;
}

/** The statements a transaction queued with `atCommit`, and their promises, settled once it has ended. */
class LastStatements {
  private readonly list: LastStatement[] = [];
  /** Set once they are run or sent: a statement queued later would never run. */
  private closed = false;
  /** The first error the driver gave a sent statement before PostgreSQL saw it (see `send`). */
  refused: unknown = null;

  readonly queue = <T>(sql: string | Prepared, params: unknown[] = []): Promise<T[]> => {
    const queued = new Promise<T[]>((resolve, reject) => {
      if (this.closed)
        throw new Error("a transaction's last statements are queued before its function returns");
      this.list.push({ sql, params, resolve: resolve as (rows: unknown[]) => void, reject });
    });
    // A caller that never reads it does not leave a rejection unhandled; one that awaits it still gets it.
    queued.catch(() => {});
    return queued;
  };

  /** Runs them one after the other (the embedded database); the first that fails throws. */
  async run(query: (sql: string | Prepared, params: unknown[]) => Promise<unknown[]>) {
    this.closed = true;
    for (const s of this.list) s.rows = await query(s.sql, s.params);
  }

  /**
   * Sends them all at once on a pipelining connection, without waiting (see openPostgres): each promise is
   * already handled, and awaited by `collect` once the COMMIT sent behind them has answered. A statement
   * the driver refuses (a parameter it cannot encode) fails before PostgreSQL sees it, so the COMMIT would
   * not turn into a rollback: the driver says so at once or on the next tick, and `refused` holds it.
   */
  send(client: pg.PoolClient): Promise<pg.QueryResult>[] {
    this.closed = true;
    return this.list.map((s) => {
      const sent = client.query(pgQuery(s.sql, s.params));
      sent.catch((err: unknown) => {
        this.refused ??= err;
      });
      return sent;
    });
  }

  /** The rows of what `send` sent; the first statement that failed throws its error. */
  async collect(sent: Promise<pg.QueryResult>[]) {
    for (const [i, p] of sent.entries()) this.list[i]!.rows = (await p).rows;
  }

  /** The transaction committed: each promise gets its rows. */
  settle() {
    for (const s of this.list) s.resolve(s.rows ?? []);
  }

  /** The transaction did not commit: each promise gets its error. */
  fail(err: unknown) {
    for (const s of this.list) s.reject(err);
  }
}

export async function openPostgres(
  url: string,
  poolSize: number,
  listenerOptions: Partial<ListenerOptions> = {},
): Promise<Db> {
  // The connections pipeline: a statement is sent without waiting for the answers to those before it, which
  // still run one after the other, in order. Every caller awaits each statement, except where a transaction
  // sends two at once (its BEGIN before its first statement, its last statements with its COMMIT).
  const pool = new pg.Pool({ connectionString: url, max: poolSize, pipeline: true });
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
      const run = async <T>(sql: string | Prepared, params: unknown[] = []) =>
        (await client.query(pgQuery(sql, params))).rows as T[];
      const last = new LastStatements();
      let unusable: Error | undefined;
      // A connection lost mid-transaction (the server restarted, the backend was ended) fails the statements
      // under way and is reported as an error event too: not left unhandled, and the connection not reused.
      const lost = (err: Error) => {
        unusable = err;
      };
      client.on("error", lost);
      try {
        // The setting rides with the BEGIN (a simple query may hold several statements), and the BEGIN with
        // the first statement: it is not waited for. Only a broken connection makes a BEGIN fail, and that
        // fails the statements behind it too.
        const begun = client.query(opts?.genericPlans ? BEGIN_GENERIC : "begin");
        begun.catch(() => {});
        let result: Awaited<ReturnType<typeof fn>>;
        try {
          result = await fn({ query: run, atCommit: last.queue });
        } catch (err) {
          // A statement that failed because the BEGIN did: the BEGIN's error says why.
          throw (
            (await begun.then(
              () => null,
              (beginErr: unknown) => beginErr,
            )) ?? err
          );
        }
        await begun;
        const sent = last.send(client);
        // The driver's verdict on what it was just given comes at once or on the next tick: a statement it
        // refused never reached PostgreSQL, so nothing would make the COMMIT roll back. Its error is thrown
        // instead, and the transaction rolled back below.
        await new Promise((resolve) => process.nextTick(resolve));
        if (last.refused) throw last.refused;
        // A COMMIT after a statement that failed in PostgreSQL ends the transaction with a rollback (its
        // answer says ROLLBACK); the statement's own error is the one thrown.
        const committed = await client.query("commit");
        await last.collect(sent);
        if (committed.command !== "COMMIT")
          throw new Error(`the transaction was rolled back at commit (${committed.command})`);
        last.settle();
        return result;
      } catch (err) {
        last.fail(err);
        await client.query("rollback").catch((rollbackErr: Error) => {
          // A connection that cannot roll back may still be inside the transaction: it is not reused.
          unusable = rollbackErr;
        });
        throw err;
      } finally {
        client.off("error", lost);
        client.release(unusable);
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
