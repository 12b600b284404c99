import type { Queryable } from "../db/client";
import { type Actor, can, conversationPolicy } from "../domain/permissions";
import { accessOf, loadConversationRow } from "../modules/conversations/present";

/**
 * Whether a signed-in agent may download a file of their workspace. A file belongs to the conversations
 * whose messages carry it (customers' media, agents' attachments) and, for an agent's upload, to the
 * conversation it was uploaded for: the agent must be able to read one of them, as for the conversation
 * itself. Avatars (of users and contacts) are seen by the whole workspace. A file linked to nothing yet is
 * its uploader's (and managers', who see every conversation).
 */
export async function canReadFile(
  q: Queryable,
  actor: Actor,
  file: { id: string; conversation_id: string | null; uploaded_by: string | null },
): Promise<boolean> {
  const url = `/api/files/${file.id}`;
  const carriers = await q.query<{ conversation_id: string }>(
    `select distinct conversation_id from messages
     where workspace_id = $1 and jsonb_array_length(attachments) > 0 and attachments @> $2::jsonb
     limit 50`,
    [actor.workspaceId, JSON.stringify([{ url }])],
  );
  const conversations = new Set(carriers.map((r) => r.conversation_id));
  if (file.conversation_id) conversations.add(file.conversation_id);
  for (const id of conversations) {
    const row = await loadConversationRow(q, actor.workspaceId, id);
    if (row && conversationPolicy(actor, accessOf(row)).read) return true;
  }
  if (conversations.size === 0 && (can(actor, "conversations.view_all") || file.uploaded_by === actor.userId))
    return true;
  const [avatar] = await q.query(
    `select 1 from users where workspace_id = $1 and avatar_url = $2 and avatar_url like '/api/files/%'
     union all
     select 1 from contacts where workspace_id = $1 and avatar_url = $2 and avatar_url like '/api/files/%'
     limit 1`,
    [actor.workspaceId, url],
  );
  return !!avatar;
}
