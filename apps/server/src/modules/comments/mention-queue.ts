import type { InboundEvent } from "../../channels/types";
import type { Tx } from "../../context";
import type { ConnectionRef } from "../ingest/ingest-messages";

export const MENTION_JOB = "comment.mention";

export type MentionEvent = Extract<InboundEvent, { kind: "mention" }>;
export type MentionOutcome = { kind: "mention"; status: "queued" | "duplicate" };

/**
 * An Instagram mention (R451), in the webhook's transaction: recorded once per comment (or per media for a
 * caption mention) in `instagram_mentions`, with a `comment.mention` job that reads it after the webhook is
 * acknowledged. Meta's retries find the row and answer `duplicate`.
 */
export async function queueMention(
  tx: Tx,
  connection: ConnectionRef,
  e: MentionEvent,
): Promise<MentionOutcome> {
  const [row] = await tx.q.query<{ media_id: string }>(
    `insert into instagram_mentions (workspace_id, connection_id, media_id, comment_id, received_at, updated_at)
     values ($1, $2, $3, $4, $5, $5) on conflict do nothing returning media_id`,
    [connection.workspaceId, connection.id, e.mediaId, e.commentId, tx.now],
  );
  if (!row) return { kind: "mention", status: "duplicate" };
  await tx.enqueue(
    MENTION_JOB,
    {
      workspaceId: connection.workspaceId,
      connectionId: connection.id,
      mediaId: e.mediaId,
      commentId: e.commentId,
    },
    {
      workspaceId: connection.workspaceId,
      idempotencyKey: `mention:${connection.id}:${e.commentId ?? `media:${e.mediaId}`}`,
    },
  );
  return { kind: "mention", status: "queued" };
}
