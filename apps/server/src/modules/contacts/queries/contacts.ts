import { sql } from "kysely";
import type { Queryable } from "../../../db/client";
import { kysely } from "../../../db/kysely";
import { notFound } from "../../../lib/errors";
import { type ContactRow, presentContact } from "../present";

/** Contacts with their tags, pinned first. */
const selectContacts = (q: Queryable) =>
  kysely(q)
    .selectFrom("contacts as ct")
    .select([
      "ct.id",
      "ct.name",
      "ct.nickname",
      "ct.email",
      "ct.phone",
      "ct.company",
      "ct.avatar_url",
      "ct.blocked_at",
      "ct.created_at",
      sql<
        ContactRow["tags"]
      >`coalesce((select json_agg(json_build_object('id', t.id, 'name', t.name, 'color', t.color, 'pinned', x.pinned) order by x.pinned desc, t.name)
        from contact_tags x join tags t on t.id = x.tag_id where x.contact_id = ct.id), '[]')`.as("tags"),
    ]);

/**
 * Contacts whose name, nickname, phone or email holds `search` (typo-tolerant: trigram word similarity),
 * exact substrings first; without `search`, the newest.
 */
export async function searchContacts(
  q: Queryable,
  workspaceId: string,
  search: string | undefined,
  limit: number,
) {
  const s = search ? search.toLowerCase().replace(/[%_\\]/g, (m) => `\\${m}`) : undefined;
  const contains = sql<boolean>`ct.search_text like '%' || ${s} || '%'`;
  const rows = await selectContacts(q)
    .where("ct.workspace_id", "=", workspaceId)
    .$if(s !== undefined, (qb) =>
      qb
        .where(sql<boolean>`(${contains} or ${s} <% ct.search_text)`)
        .orderBy(contains, "desc")
        .orderBy(sql`word_similarity(${s}, ct.search_text)`, "desc"),
    )
    .orderBy("ct.created_at", "desc")
    .limit(limit)
    .execute();
  return rows.map(presentContact);
}

/** One contact of the workspace; 404 when there is none. */
export async function loadContact(q: Queryable, workspaceId: string, id: string) {
  const row = await selectContacts(q)
    .where("ct.workspace_id", "=", workspaceId)
    .where("ct.id", "=", id)
    .executeTakeFirst();
  if (!row) throw notFound("Contact");
  return presentContact(row);
}

/** Whether the workspace has this contact. */
export async function contactExists(q: Queryable, workspaceId: string, id: string): Promise<boolean> {
  const row = await kysely(q)
    .selectFrom("contacts")
    .select("id")
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", id)
    .executeTakeFirst();
  return row !== undefined;
}

/** Contacts linked to this one, from either side of the link; 404 when the contact is not the workspace's. */
export async function linkedContacts(q: Queryable, workspaceId: string, id: string) {
  if (!(await contactExists(q, workspaceId, id))) throw notFound("Contact");
  const rows = await selectContacts(q)
    .where("ct.workspace_id", "=", workspaceId)
    .where("ct.id", "in", (eb) =>
      eb
        .selectFrom("contact_links")
        .select("contact_b as other")
        .where("contact_a", "=", id)
        .where("workspace_id", "=", workspaceId)
        .unionAll(
          eb
            .selectFrom("contact_links")
            .select("contact_a as other")
            .where("contact_b", "=", id)
            .where("workspace_id", "=", workspaceId),
        ),
    )
    .orderBy(sql`ct.name nulls last`)
    .orderBy("ct.id")
    .execute();
  return rows.map(presentContact);
}

/** Several contacts of the workspace as the API answers them (those not found are left out). */
export async function loadContacts(q: Queryable, workspaceId: string, ids: readonly string[]) {
  if (ids.length === 0) return [];
  const rows = await selectContacts(q)
    .where("ct.workspace_id", "=", workspaceId)
    .where("ct.id", "in", [...ids])
    .execute();
  return rows.map(presentContact);
}
