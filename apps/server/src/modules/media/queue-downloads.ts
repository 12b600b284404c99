import type { InboundAttachment } from "../../channels/types";
import type { Tx } from "../../context";
import type { MessageOutcome } from "../ingest/ingest-messages";

export const MEDIA_DOWNLOAD_JOB = "media.download";

/** What the download job is given: the message, which of its files, and where the provider keeps it. */
export interface MediaDownloadPayload {
  messageId: string;
  workspaceId: string;
  index: number;
  source: Record<string, string>;
  maxBytes: number;
  /** ISO time after which the provider's reference no longer works: no more tries. */
  retryUntil: string;
}

/**
 * In the ingest transaction: one download job per file a newly stored message announced (its attachment is
 * stored as "downloading"). The job is durable with the message, so a file is never forgotten however the
 * process ends; a duplicate webhook stores nothing and asks for nothing.
 */
export async function queueMediaDownloads(
  tx: Tx,
  messages: { connection: { workspaceId: string }; message: { attachments: InboundAttachment[] } }[],
  outcomes: MessageOutcome[],
) {
  for (const [k, m] of messages.entries()) {
    const outcome = outcomes[k];
    if (outcome?.status !== "created" || !outcome.messageId) continue;
    for (const [index, a] of m.message.attachments.entries()) {
      if (!a.pending) continue;
      const payload: MediaDownloadPayload = {
        messageId: outcome.messageId,
        workspaceId: m.connection.workspaceId,
        index,
        source: a.pending.source,
        maxBytes: a.pending.maxBytes,
        retryUntil: a.pending.retryUntil.toISOString(),
      };
      await tx.enqueue(MEDIA_DOWNLOAD_JOB, payload, {
        workspaceId: m.connection.workspaceId,
        idempotencyKey: `media:${outcome.messageId}:${index}`,
        maxAttempts: 1000,
      });
    }
  }
}
