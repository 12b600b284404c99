import { sql } from "kysely";
import type { Queryable } from "../../../db/client";
import { kysely } from "../../../db/kysely";

/** The workspace's teams by name (or the one asked for), each with its members' ids. */
export async function listTeams(q: Queryable, workspaceId: string, id?: string) {
  const rows = await kysely(q)
    .selectFrom("teams as t")
    .select([
      "t.id",
      "t.name",
      sql<
        string[]
      >`coalesce((select array_agg(m.user_id::text) from team_members m where m.team_id = t.id), '{}')`.as(
        "member_ids",
      ),
    ])
    .where("t.workspace_id", "=", workspaceId)
    .$if(id !== undefined, (qb) => qb.where("t.id", "=", id!))
    .orderBy(sql`lower(t.name)`)
    .execute();
  return rows.map((r) => ({ id: r.id, name: r.name, memberIds: r.member_ids }));
}
