import { sql } from "kysely";
import type { Queryable } from "../../../db/client";
import { kysely } from "../../../db/kysely";

/** Tags with the number of contacts that carry each. */
const selectTags = (q: Queryable) =>
  kysely(q)
    .selectFrom("tags as t")
    .select((eb) => [
      "t.id",
      "t.name",
      "t.color",
      eb
        .selectFrom("contact_tags as x")
        .select((x) => x.fn.countAll<number>().as("n"))
        .whereRef("x.tag_id", "=", "t.id")
        .$asScalar()
        .$notNull()
        .as("contact_count"),
    ]);

type TagRow = Awaited<ReturnType<ReturnType<typeof selectTags>["executeTakeFirstOrThrow"]>>;
const present = (r: TagRow) => ({ id: r.id, name: r.name, color: r.color, contactCount: r.contact_count });

/** The workspace's tags, most used first. */
export async function listTags(q: Queryable, workspaceId: string) {
  const rows = await selectTags(q)
    .where("t.workspace_id", "=", workspaceId)
    .orderBy("contact_count", "desc")
    .orderBy(sql`lower(t.name)`)
    .execute();
  return rows.map(present);
}

/** One tag of the workspace, or undefined. */
export async function loadTag(q: Queryable, workspaceId: string, id: string) {
  const row = await selectTags(q)
    .where("t.workspace_id", "=", workspaceId)
    .where("t.id", "=", id)
    .executeTakeFirst();
  return row && present(row);
}
