import type { Attachment } from "@parley/protocol";
import type { Queryable } from "../db/client";

export interface StoredFile {
  id: string;
  name: string;
  mime_type: string;
  size: number;
  storage_key: string;
  conversation_id: string | null;
  uploaded_by: string | null;
}

/** A stored file by id, within a workspace; `workspaceId` null for a signed link (the signature names the file). */
export async function findFile(
  q: Queryable,
  id: string,
  workspaceId: string | null,
): Promise<StoredFile | null> {
  const [file] = await q.query<StoredFile>(
    `select id, name, mime_type, size, storage_key, conversation_id, uploaded_by from files
     where id = $1 and ($2::uuid is null or workspace_id = $2)`,
    [id, workspaceId],
  );
  return file ?? null;
}

export interface AttachmentRow {
  message_id: string;
  direction: string;
  created_at: Date;
  a: Attachment;
}

/** Every attachment of a conversation's messages, newest first (the attachments panel; at most 1,000 messages). */
export function conversationAttachments(q: Queryable, workspaceId: string, conversationId: string) {
  return q.query<AttachmentRow>(
    `select m.id as message_id, m.direction, m.created_at, a
     from messages m cross join lateral jsonb_array_elements(m.attachments) a
     where m.conversation_id = $1 and m.workspace_id = $2 and jsonb_array_length(m.attachments) > 0
     order by m.seq desc limit 1000`,
    [conversationId, workspaceId],
  );
}
