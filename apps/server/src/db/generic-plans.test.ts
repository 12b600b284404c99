import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDb, TEST_DB } from "../testing/db";
import { type Db, openPostgres } from "./client";

let testDb: Awaited<ReturnType<typeof openTestDb>>;
/** One connection on PostgreSQL, so each transaction is sure to run where the one before did. */
let db: Db;
beforeAll(async () => {
  testDb = await openTestDb();
  db = TEST_DB === "postgres" ? await openPostgres(testDb.url!, 1) : testDb.db;
});
afterAll(async () => {
  if (db !== testDb.db) await db.close();
  await testDb.close();
});

const mode = async (q: { query<T>(sql: string): Promise<T[]> }) =>
  (await q.query<{ m: string }>("select current_setting('plan_cache_mode') as m"))[0]!.m;

describe("a transaction asked for generic plans", () => {
  it("runs them on PostgreSQL for itself only: the connection's next transaction plans as usual", async () => {
    const inside = await db.tx((q) => mode(q), { genericPlans: true });
    const next = await db.tx((q) => mode(q));
    // The embedded database plans each statement anyway: the option changes nothing there.
    expect(inside).toBe(TEST_DB === "postgres" ? "force_generic_plan" : "auto");
    expect(next).toBe("auto");
    expect(await mode(db)).toBe("auto");
  });

  it("rolls back what it wrote when it throws, and leaves the setting behind with it", async () => {
    await db.query("create table generic_plans_probe (n int)");
    await expect(
      db.tx(
        async (q) => {
          await q.query("insert into generic_plans_probe values (1)");
          expect(await mode(q)).toBe(TEST_DB === "postgres" ? "force_generic_plan" : "auto");
          throw new Error("stop");
        },
        { genericPlans: true },
      ),
    ).rejects.toThrow("stop");
    expect(await db.query("select * from generic_plans_probe")).toEqual([]);
    expect(await db.tx((q) => mode(q))).toBe("auto");
  });
});
