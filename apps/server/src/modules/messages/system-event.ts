import type { Message, SystemEventKind } from "@parley/protocol";
import type { Tx } from "../../context";
import type { EventAudience } from "../../domain/permissions";
import { MESSAGE_COLUMNS, type MessageRow, presentMessage } from "./present";

/** Writes a system line into the feed (assigned, closed, reopened…) and its `message.created` event. */
export async function addSystemEvent(
  tx: Tx,
  c: { workspaceId: string; conversationId: string; connectionId: string },
  event: { kind: SystemEventKind; byUserId: string | null } & Record<string, unknown>,
  audience: EventAudience,
): Promise<void> {
  const [row] = await tx.q.query<MessageRow>(
    `insert into messages (workspace_id, conversation_id, connection_id, direction, kind, author_type, author_id, event, created_at)
     values ($1, $2, $3, 'internal', 'event', $4, $5, $6, $7) returning ${MESSAGE_COLUMNS}`,
    [
      c.workspaceId,
      c.conversationId,
      c.connectionId,
      event.byUserId ? "user" : "system",
      event.byUserId,
      JSON.stringify(event),
      tx.now,
    ],
  );
  tx.emit(c.workspaceId, {
    type: "message.created",
    conversationId: c.conversationId,
    message: presentMessage(row!),
    audience,
  });
}

/**
 * The system lines of many conversations of one workspace (one line each) in one insert; answers them as
 * `message.created` carries them, in the order given. The caller emits the events (interleaved with its own).
 */
export async function insertSystemLines(
  tx: Tx,
  workspaceId: string,
  lines: {
    conversationId: string;
    connectionId: string;
    event: { kind: SystemEventKind; byUserId: string | null } & Record<string, unknown>;
  }[],
): Promise<Message[]> {
  if (lines.length === 0) return [];
  const rows = await tx.q.query<MessageRow>(
    `insert into messages (workspace_id, conversation_id, connection_id, direction, kind, author_type, author_id, event, created_at)
     select $1, l.conversation_id, l.connection_id, 'internal', 'event',
       case when l.author_id is null then 'system' else 'user' end, l.author_id, l.event::jsonb, $2
     from unnest($3::uuid[], $4::uuid[], $5::uuid[], $6::text[]) with ordinality
       as l(conversation_id, connection_id, author_id, event, i)
     order by l.i
     returning ${MESSAGE_COLUMNS}`,
    [
      workspaceId,
      tx.now,
      lines.map((l) => l.conversationId),
      lines.map((l) => l.connectionId),
      lines.map((l) => l.event.byUserId),
      lines.map((l) => JSON.stringify(l.event)),
    ],
  );
  const byConversation = new Map(rows.map((r) => [r.conversation_id, r]));
  return lines.map((l) => presentMessage(byConversation.get(l.conversationId)!));
}
