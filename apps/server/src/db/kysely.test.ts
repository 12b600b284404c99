import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDb } from "../testing/db";
import { kysely } from "./kysely";

describe("kysely over Queryable", () => {
  let t: Awaited<ReturnType<typeof openTestDb>>;
  let workspaceId: string;
  beforeAll(async () => {
    t = await openTestDb();
    const w = await kysely(t.db)
      .insertInto("workspaces")
      .values({ name: "Kysely" })
      .returning("id")
      .executeTakeFirstOrThrow();
    workspaceId = w.id;
  });
  afterAll(() => t.close());

  const tagNames = () =>
    kysely(t.db)
      .selectFrom("tags")
      .select("name")
      .where("workspace_id", "=", workspaceId)
      .orderBy("name")
      .execute();

  it("runs in the transaction it was built over, with the raw statements", async () => {
    const seen = await t.db
      .tx(async (q) => {
        await q.query("insert into tags (workspace_id, name) values ($1, 'raw')", [workspaceId]);
        await kysely(q).insertInto("tags").values({ workspace_id: workspaceId, name: "typed" }).execute();
        const inside = await kysely(q)
          .selectFrom("tags")
          .select("name")
          .where("workspace_id", "=", workspaceId)
          .orderBy("name")
          .execute();
        throw Object.assign(new Error("roll back"), { inside });
      })
      .catch((err: { inside?: { name: string }[] }) => err.inside);
    expect(seen).toEqual([{ name: "raw" }, { name: "typed" }]);
    expect(await tagNames()).toEqual([]);

    await t.db.tx(async (q) => {
      await kysely(q).insertInto("tags").values({ workspace_id: workspaceId, name: "kept" }).execute();
    });
    expect(await tagNames()).toEqual([{ name: "kept" }]);
  });

  it("leaves opening transactions to Db.tx", async () => {
    await expect(
      kysely(t.db)
        .transaction()
        .execute(async () => 1),
    ).rejects.toThrow(/transact\(\)/);
  });
});
