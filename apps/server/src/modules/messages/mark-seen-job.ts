import { z } from "zod";
import { adapterContext } from "../../channels/context";
import { ChannelSendError } from "../../channels/types";
import type { AppContext, Tx } from "../../context";
import { RetryLater } from "../../jobs/queue";
import { READ_TRACKING_JOINS, READ_TRACKING_OFF_SQL } from "../receipts/policy";

export const MARK_SEEN_JOB = "conversation.mark_seen";

const Payload = z.object({ conversationId: z.uuid(), workspaceId: z.uuid() });

/** When the workspace tells customers their messages were seen (R306): never, when an agent opens, or replies. */
export type SendSeenPolicy = "off" | "on_open" | "on_reply";

/**
 * Queues a "seen" for the customer's latest message, in the caller's transaction, when the workspace's
 * policy asks for it at this moment and the channel supports it. One pending job per conversation.
 */
export async function queueMarkSeen(
  tx: Tx,
  ctx: AppContext,
  workspaceId: string,
  conversationId: string,
  moment: "open" | "reply",
) {
  const [row] = await tx.q.query<{
    policy: SendSeenPolicy | null;
    type: string;
    off: string | null;
    kind: string;
  }>(
    `select w.settings->>'sendSeen' as policy, cc.type, ${READ_TRACKING_OFF_SQL} as off, c.kind
     from conversations c ${READ_TRACKING_JOINS}
     where c.id = $1 and c.workspace_id = $2`,
    [conversationId, workspaceId],
  );
  // Comments under posts have no "seen" (R451).
  if (!row || (row.policy ?? "off") === "off" || row.kind === "comment") return;
  // Read receipts turned off for this conversation, its connection or the workspace, or no consent (R305, R307).
  if (row.off) return;
  if ((row.policy === "on_open") !== (moment === "open")) return;
  if (!ctx.channels.get(row.type).capabilities.markSeen) return;
  await tx.enqueue(
    MARK_SEEN_JOB,
    { conversationId, workspaceId },
    { workspaceId, idempotencyKey: `mark-seen:${conversationId}:${tx.now.getTime()}`, maxAttempts: 5 },
  );
}

/** The job: tells the provider the customer's latest message was seen. */
export function registerMarkSeenJob(ctx: AppContext) {
  ctx.jobs.register({
    type: MARK_SEEN_JOB,
    payload: Payload,
    maxAttempts: 5,
    async run({ conversationId, workspaceId }) {
      const [row] = await ctx.db.query<{
        connection_id: string;
        type: string;
        credentials_enc: string;
        settings: unknown;
        enabled: boolean;
        external_id: string;
        provider_message_id: string | null;
      }>(
        `select cc.id as connection_id, cc.type, cc.credentials_enc, cc.settings, cc.enabled, i.external_id,
           (select m.provider_message_id from messages m where m.conversation_id = c.id and m.direction = 'inbound'
              and m.provider_message_id is not null order by m.seq desc limit 1) as provider_message_id
         from conversations c join channel_connections cc on cc.id = c.connection_id
         join contact_identities i on i.id = c.identity_id
         where c.id = $1 and c.workspace_id = $2`,
        [conversationId, workspaceId],
      );
      if (!row?.provider_message_id || !row.enabled) return;
      const adapter = ctx.channels.get(row.type);
      if (!adapter.markSeen) return;
      try {
        await adapter.markSeen(
          {
            id: row.connection_id,
            workspaceId,
            credentials: ctx.secrets.open(row.credentials_enc),
            settings: row.settings,
          },
          { externalContactId: row.external_id, providerMessageId: row.provider_message_id },
          adapterContext(ctx, { id: row.connection_id, workspaceId, type: row.type }),
        );
      } catch (err) {
        if (err instanceof ChannelSendError && err.retryAfterMs)
          throw new RetryLater(err.retryAfterMs, err.detail);
        // A "seen" that cannot be delivered is not worth failing anything for: retried, then dropped.
        throw err;
      }
    },
  });
}
