import { afterAll, beforeAll } from "vitest";
import type { Db } from "../db/client";
import { openTestDb } from "./db";
import { startTestServer, type TestServer } from "./harness";

type StartOptions = Parameters<typeof startTestServer>[1];

/** A test file's server, with the test database it runs on. */
export interface TestEnv extends TestServer {
  readonly db: Db;
  /** The PostgreSQL database's URL (for other processes on it); null on the embedded database. */
  readonly dbUrl: string | null;
}

/**
 * Opens a test database and starts a server on it before the file's tests, and closes both after them.
 * Options given as a function are read when the server starts, so they may use what an earlier
 * `beforeAll` started (a fake provider's URL). Call it at the top level of a test file.
 */
export function useTestServer(options: StartOptions | (() => StartOptions) = {}): TestEnv {
  let testDb: Awaited<ReturnType<typeof openTestDb>> | undefined;
  let server: TestServer | undefined;
  beforeAll(async () => {
    testDb = await openTestDb();
    server = await startTestServer(testDb.db, typeof options === "function" ? options() : options);
  });
  afterAll(async () => {
    await server?.close();
    await testDb?.close();
  });
  const started = () => {
    if (!server || !testDb) throw new Error("the test server starts in beforeAll");
    return { server, db: testDb.db, dbUrl: testDb.url };
  };
  return {
    get server() {
      return started().server.server;
    },
    get url() {
      return started().server.url;
    },
    get wsUrl() {
      return started().server.wsUrl;
    },
    get db() {
      return started().db;
    },
    get dbUrl() {
      return started().dbUrl;
    },
    close: () => started().server.close(),
  };
}
