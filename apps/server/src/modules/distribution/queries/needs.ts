import type { Queryable } from "../../../db/client";
import type { ConversationNeed } from "../scope";

/**
 * What matching needs of each conversation, in the order given: its channel type, its language as the
 * channel told it (`source.language`, read as the rules' language condition reads it) and its contact's tags.
 * One query for the batch.
 */
export async function loadNeeds(
  q: Queryable,
  workspaceId: string,
  conversationIds: readonly string[],
): Promise<ConversationNeed[]> {
  const rows = await q.query<{ id: string; channel: string; language: string | null; tag_ids: string[] }>(
    `select c.id, cc.type as channel, nullif(c.source->>'language', '') as language,
       coalesce((select array_agg(t.tag_id::text) from contact_tags t where t.contact_id = c.contact_id), '{}') as tag_ids
     from conversations c join channel_connections cc on cc.id = c.connection_id
     where c.workspace_id = $1 and c.id = any($2::uuid[])`,
    [workspaceId, conversationIds],
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  return conversationIds.map((id) => {
    const r = byId.get(id);
    return { channel: r?.channel ?? "", language: r?.language ?? null, tagIds: r?.tag_ids ?? [] };
  });
}
