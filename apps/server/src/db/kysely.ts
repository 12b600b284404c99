import {
  type CompiledQuery,
  type ConnectionProvider,
  type DatabaseConnection,
  DefaultQueryExecutor,
  type Dialect,
  type Driver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryResult,
} from "kysely";
import type { Queryable } from "./client";
import type { DB } from "./schema";

/** A typed query builder over one `Queryable`: the database itself or an open transaction. */
export type Kx = Kysely<DB>;

const refuse = async () => {
  throw new Error("Open transactions with transact() (or Db.tx) and build the query over tx.q.");
};
const driver: Driver = {
  init: async () => {},
  acquireConnection: refuse,
  beginTransaction: refuse,
  commitTransaction: refuse,
  rollbackTransaction: refuse,
  releaseConnection: async () => {},
  destroy: async () => {},
};
// Stateless between statements: one of each serves every builder.
const adapter = new PostgresAdapter();
const compiler = new PostgresQueryCompiler();
const dialect: Dialect = {
  createAdapter: () => adapter,
  createDriver: () => driver,
  createIntrospector: (db) => new PostgresIntrospector(db),
  createQueryCompiler: () => compiler,
};

/**
 * The typed query builder that runs its statements through `q`. Built over a transaction's handle
 * (`kysely(tx.q)`), every statement runs in that transaction, next to the raw ones. The embedded database
 * and PostgreSQL share it: both speak PostgreSQL's SQL through `Queryable`. Building one costs a few
 * objects, no connection; transactions are opened by `transact()` (or `Db.tx`), never by Kysely.
 */
export function kysely(q: Queryable): Kx {
  const connection: DatabaseConnection = {
    async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
      // Rows only: a statement whose count matters says `returning`.
      return { rows: await q.query<R>(compiled.sql, [...compiled.parameters]) };
    },
    // biome-ignore lint/correctness/useYield: streaming is refused before the first row
    async *streamQuery() {
      throw new Error("Streaming is not supported: page with limit and a cursor.");
    },
  };
  // No queue of its own: the Queryable orders its statements as the raw ones are ordered.
  const provider: ConnectionProvider = { provideConnection: (consume) => consume(connection) };
  const executor = new DefaultQueryExecutor(compiler, adapter, provider, []);
  return new Kysely<DB>({ config: { dialect }, dialect, driver, executor });
}
