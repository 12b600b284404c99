import type { SystemEventKind } from "@parley/protocol";
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
