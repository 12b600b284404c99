import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDb, TEST_DB } from "../testing/db";
import { type Db, openPostgres } from "./client";

let testDb: Awaited<ReturnType<typeof openTestDb>>;
/** One connection on PostgreSQL: every transaction runs on the connection the one before left behind. */
let db: Db;
beforeAll(async () => {
  testDb = await openTestDb();
  db = TEST_DB === "postgres" ? await openPostgres(testDb.url!, 1) : testDb.db;
  await db.query("create table tx_probe (n int primary key)");
});
afterAll(async () => {
  await testDb.db.query("drop table if exists tx_probe");
  if (db !== testDb.db) await db.close();
  await testDb.close();
});

const stored = async () =>
  (await db.query<{ n: number }>("select n from tx_probe order by n")).map((r) => r.n);

describe("a transaction's last statements (atCommit)", () => {
  it("run after every other statement, and their rows come once it has committed", async () => {
    await db.query("delete from tx_probe");
    let rows: Promise<{ total: number }[]> | undefined;
    const order: string[] = [];
    const value = await db.tx(async (q) => {
      rows = q.atCommit!<{ total: number }>(
        "insert into tx_probe select 100 + count(*) from tx_probe returning n as total",
      );
      void rows.then(() => order.push("its rows"));
      await q.query("insert into tx_probe values (1)");
      await q.query("insert into tx_probe values (2)");
      order.push("the function returned");
      return "done";
    });
    expect(value).toBe("done");
    expect(order).toEqual(["the function returned", "its rows"]);
    // Queued first, it ran last: it counted the two rows written after it was queued.
    expect(await rows).toEqual([{ total: 102 }]);
    expect(await stored()).toEqual([1, 2, 102]);
  });

  it("run in the order queued", async () => {
    await db.query("delete from tx_probe");
    const [a, b] = await db
      .tx(async (q) => {
        const queued = [
          q.atCommit!<{ n: number }>("insert into tx_probe values (1) returning n"),
          q.atCommit!<{ n: number }>("insert into tx_probe select max(n) + 1 from tx_probe returning n"),
        ];
        return { queued };
      })
      .then((r) => Promise.all(r.queued));
    expect([a, b]).toEqual([[{ n: 1 }], [{ n: 2 }]]);
  });

  it("that fails rolls the whole transaction back: tx and the statement's promise reject with its error", async () => {
    await db.query("delete from tx_probe");
    await db.query("insert into tx_probe values (7)");
    let last: Promise<unknown> | undefined;
    const failed = db.tx(async (q) => {
      await q.query("insert into tx_probe values (8)");
      last = q.atCommit!("insert into tx_probe values (7)"); // the key is taken
      last.catch(() => {});
    });
    await expect(failed).rejects.toMatchObject({ code: "23505" });
    await expect(last).rejects.toMatchObject({ code: "23505" });
    expect(await stored()).toEqual([7]);
    // The connection is back in the pool outside any transaction: the next one commits.
    await db.tx(async (q) => {
      await q.query("insert into tx_probe values (9)");
    });
    expect(await stored()).toEqual([7, 9]);
  });

  it("that the driver cannot send (a parameter it cannot encode) roll the transaction back too", async () => {
    await db.query("delete from tx_probe");
    const unencodable = {
      toJSON() {
        throw new Error("this value cannot be encoded");
      },
    };
    let last: Promise<unknown> | undefined;
    const failed = db.tx(async (q) => {
      await q.query("insert into tx_probe values (3)");
      last = q.atCommit!("select $1::jsonb", [unencodable]);
    });
    await expect(failed).rejects.toThrow("this value cannot be encoded");
    await expect(last).rejects.toThrow("this value cannot be encoded");
    expect(await stored()).toEqual([]);
  });

  it("cannot be queued once the function has returned: the promise says so", async () => {
    let queue: ((sql: string) => Promise<unknown>) | undefined;
    await db.tx(async (q) => {
      queue = (sql) => q.atCommit!(sql);
    });
    await expect(queue!("select 1")).rejects.toThrow("before its function returns");
  });

  it("never run when the function throws: their promises get its error", async () => {
    await db.query("delete from tx_probe");
    let last: Promise<unknown> | undefined;
    const failed = db.tx(async (q) => {
      last = q.atCommit!("insert into tx_probe values (5)");
      last.catch(() => {});
      await q.query("insert into tx_probe values (4)");
      throw new Error("the command refused");
    });
    await expect(failed).rejects.toThrow("the command refused");
    await expect(last).rejects.toThrow("the command refused");
    expect(await stored()).toEqual([]);
  });
});

describe.runIf(TEST_DB === "postgres")("a pooled connection on PostgreSQL", () => {
  it("that broke inside a transaction is not handed out again: the next transaction runs on a new one", async () => {
    const [{ pid: before }] = (await db.query<{ pid: number }>("select pg_backend_pid() as pid")) as [
      { pid: number },
    ];
    await expect(
      db.tx(async (q) => {
        await q.query("select pg_terminate_backend(pg_backend_pid())");
      }),
    ).rejects.toThrow();
    const after = await db.tx(
      async (q) => (await q.query<{ pid: number }>("select pg_backend_pid() as pid"))[0]!.pid,
    );
    expect(after).not.toBe(before);
  });
});
