import type { FailureReason } from "@parley/protocol";
import { z } from "zod";
import { adapterContext } from "../../channels/context";
import { ChannelPacing, ChannelSendError } from "../../channels/types";
import { type AppContext, type Tx, transact } from "../../context";
import type { DeliveryReport } from "../../domain/delivery-state";
import { PermanentFailure, RetryLater } from "../../jobs/queue";
import { commentOfSend, commentSendRefusal } from "../comments/reply";
import { accessOf, loadConversationRow } from "../conversations/present";
import { conversationWindow, refusalReason, senderOf } from "../conversations/window";
import { MESSAGE_COLUMNS, type MessageRow, presentMessage } from "./present";
import { lockProviderIds } from "./provider-id-lock";
import { updateDelivery } from "./update-delivery";

export const SEND_MESSAGE_JOB = "message.send";

/**
 * Applies the delivery reports that arrived for a provider id before the send was recorded, in the order
 * they came, then forgets them (and any report older than a week that nobody claimed).
 */
async function applyEarlyReceipts(tx: Tx, workspaceId: string, messageId: string, providerId: string) {
  const early = await tx.q.query<{
    id: number;
    state: DeliveryReport["state"];
    at: Date;
    reason: FailureReason | null;
    detail: string | null;
  }>(
    `delete from early_receipts e using messages m
     where m.id = $1 and e.connection_id = m.connection_id and e.provider_message_id = $2
     returning e.state, e.at, e.reason, e.detail, e.id`,
    [messageId, providerId],
  );
  for (const r of early.sort((a, b) => a.id - b.id)) {
    const [current] = await tx.q.query<MessageRow>(`select ${MESSAGE_COLUMNS} from messages where id = $1`, [
      messageId,
    ]);
    if (!current) break;
    const report: DeliveryReport =
      r.state === "failed"
        ? { state: "failed", at: r.at, reason: r.reason ?? "provider_error", detail: r.detail }
        : { state: r.state, at: r.at };
    await updateDelivery(tx, workspaceId, current, report);
  }
  await tx.q.query("delete from early_receipts where received_at < $1", [
    new Date(tx.now.getTime() - 7 * 86400_000),
  ]);
}

const Payload = z.object({ messageId: z.uuid(), workspaceId: z.uuid() });

interface SendContext {
  message: MessageRow & { rate_limited_since: Date | null; sent_parts: string[] | null };
  connection: { id: string; type: string; credentials_enc: string; settings: unknown; enabled: boolean };
  externalId: string;
  quotedProviderId: string | null;
  /** When the conversation's contact was blocked (null: not blocked). */
  contactBlockedAt: Date | null;
}

/** The durable job that hands a queued message to its channel adapter. */
export function registerSendJob(ctx: AppContext) {
  const record = async (
    messageId: string,
    workspaceId: string,
    apply: (m: MessageRow) => DeliveryReport,
    providerId?: string,
  ) =>
    transact(ctx, async (tx) => {
      const [row] = await tx.q.query<MessageRow & { connection_id: string }>(
        `select ${MESSAGE_COLUMNS}, connection_id from messages where id = $1 for update`,
        [messageId],
      );
      if (!row) return;
      // A delivery report for the new id may be arriving meanwhile (provider-id-lock.ts).
      if (providerId) await lockProviderIds(tx.q, [{ connectionId: row.connection_id, providerId }]);
      // Sent or failed: no longer waiting for the channel.
      await tx.q.query(
        `update messages set provider_message_id = coalesce($2, provider_message_id), waiting_reason = null,
           retry_at = null, rate_limited_since = null
         where id = $1`,
        [messageId, providerId ?? null],
      );
      if (providerId) row.provider_message_id = providerId;
      row.waiting_reason = null;
      row.retry_at = null;
      const report = apply(row);
      await updateDelivery(tx, workspaceId, row, report);
      if (providerId) await applyEarlyReceipts(tx, workspaceId, row.id, providerId);
    });

  /** The channel is rate-limiting: the message says so, with the time of the next try (`message.updated`). */
  const waitFor = (messageId: string, workspaceId: string, until: Date) =>
    transact(ctx, async (tx) => {
      const [row] = await tx.q.query<MessageRow>(
        `update messages set waiting_reason = 'rate_limited', retry_at = $2,
           rate_limited_since = coalesce(rate_limited_since, $3)
         where id = $1 and delivery_state = 'queued' returning ${MESSAGE_COLUMNS}`,
        [messageId, until, tx.now],
      );
      if (!row) return;
      const conv = await loadConversationRow(tx.q, workspaceId, row.conversation_id);
      tx.emit(workspaceId, {
        type: "message.updated",
        conversationId: row.conversation_id,
        message: presentMessage(row),
        audience: conv ? { conversation: accessOf(conv) } : {},
      });
    });

  /** The provider ids of a multi-part message's parts, appended as each is accepted (see OutgoingParts). */
  const recordPart = async (messageId: string, index: number, providerId: string) => {
    await ctx.db.query(
      `update messages set sent_parts = coalesce(sent_parts, '[]'::jsonb) || jsonb_build_array($2::text)
       where id = $1 and jsonb_array_length(coalesce(sent_parts, '[]'::jsonb)) = $3`,
      [messageId, providerId, index],
    );
  };

  const maxRateLimitWaitMs = ctx.config.OUTBOUND_RATE_LIMIT_MAX_WAIT_SECONDS * 1000;

  ctx.jobs.register({
    type: SEND_MESSAGE_JOB,
    payload: Payload,
    maxAttempts: 8,
    backoffMs: (attempt) => Math.min(500 * 2 ** attempt, 5 * 60_000),
    async run({ messageId, workspaceId }) {
      const loaded = await load(ctx, messageId);
      if (!loaded) return; // deleted meanwhile
      const { message, connection, externalId, quotedProviderId, contactBlockedAt } = loaded;
      if (message.delivery_state !== "queued") return; // already sent by an earlier attempt
      // Nothing is sent to a blocked contact (R209), also when it was blocked while the message waited (behind
      // an earlier one, for a rate limit, for a retry). Sending it after unblocking is a retry (R301).
      if (contactBlockedAt) {
        await record(messageId, workspaceId, () => ({
          state: "failed",
          at: ctx.clock.now(),
          reason: "contact_blocked",
          detail: "The contact was blocked before this message was sent: unblock them and send it again.",
        }));
        return;
      }
      // Messages of one conversation reach the customer in the order they were written.
      // One waiting for a rate limit holds the later ones until its next try, not in a tight loop; other
      // conversations' messages are claimed meanwhile.
      const [earlier] = await ctx.db.query<{ retry_at: Date | null }>(
        `select retry_at from messages where conversation_id = $1 and direction = 'outbound' and kind = 'message'
           and delivery_state = 'queued' and seq < $2 order by seq limit 1`,
        [message.conversation_id, message.seq],
      );
      if (earlier) {
        const untilMs = earlier.retry_at ? earlier.retry_at.getTime() - ctx.clock.now().getTime() : 0;
        throw new RetryLater(
          Math.max(250, untilMs),
          "An earlier message of this conversation is still being sent.",
          // Exactly the earlier message's next try (not "now" read again plus the difference).
          untilMs > 250 && earlier.retry_at ? earlier.retry_at : undefined,
        );
      }
      if (!connection.enabled) throw new PermanentFailure("The channel connection is disabled.");
      const adapter = ctx.channels.get(connection.type);
      // The window may have closed while the message waited (retries): check again, as the provider would,
      // for the message's author: a bot's, a rule's or an automatic reply is automation, which never gets
      // Messenger's and Instagram's human-agent tag period.
      // A template message is what remains allowed where the window allows only templates (WhatsApp).
      const window = await conversationWindow(ctx.db, message.conversation_id, ctx.clock.now(), {
        sender: senderOf(message.author_type),
        beforeSeq: message.seq,
      });
      if (!window.allowed && !(window.only === "template" && message.template)) {
        await record(messageId, workspaceId, () => ({
          state: "failed",
          at: ctx.clock.now(),
          reason: refusalReason(window),
          detail: window.reason,
        }));
        return;
      }
      // A private reply to a comment: still the only one, and within 7 days of the comment (R451).
      const refusal = await commentSendRefusal(ctx.db, message, connection.type, ctx.clock.now());
      if (refusal) {
        await record(messageId, workspaceId, () => ({
          state: "failed",
          at: ctx.clock.now(),
          reason: "window_closed",
          detail: refusal,
        }));
        return;
      }
      let result: { providerMessageId: string };
      try {
        result = await adapter.send(
          {
            id: connection.id,
            workspaceId,
            credentials: ctx.secrets.open(connection.credentials_enc),
            settings: connection.settings,
          },
          {
            id: message.id,
            conversationId: message.conversation_id,
            externalContactId: externalId,
            text: message.text,
            attachments: message.attachments,
            quotedProviderMessageId: quotedProviderId,
            tag: window.allowed && window.mode === "human_agent_tag" ? "HUMAN_AGENT" : null,
            template: message.template
              ? {
                  name: message.template.name,
                  language: message.template.language,
                  components: message.template.components,
                }
              : null,
            comment: await commentOfSend(ctx.db, message),
            parts: {
              sent: message.sent_parts ?? [],
              record: (index, providerId) => recordPart(messageId, index, providerId),
            },
          },
          adapterContext(ctx, { id: connection.id, workspaceId, type: connection.type }),
        );
      } catch (err) {
        if (err instanceof ChannelPacing) throw new RetryLater(err.retryAfterMs, err.message);
        if (err instanceof ChannelSendError) {
          await ctx.db.query(
            "update channel_connections set last_error = $2, last_error_at = $3, error_count = error_count + 1 where id = $1",
            [connection.id, err.detail, ctx.clock.now()],
          );
          if (err.retryAfterMs) {
            // The channel is rate-limiting ("too many requests"): wait as it asks, within a bounded total wait
            // counted from its first such answer for this message. A next try past that bound fails it now.
            const now = ctx.clock.now();
            const since = message.rate_limited_since ?? now;
            const until = new Date(now.getTime() + err.retryAfterMs);
            if (until.getTime() - since.getTime() > maxRateLimitWaitMs) {
              const minutes = Math.max(1, Math.round((now.getTime() - since.getTime()) / 60_000));
              await record(messageId, workspaceId, () => ({
                state: "failed",
                at: now,
                reason: "rate_limited",
                detail: `${err.detail} (the channel kept asking to wait: ${minutes} min so far, next try not before ${until.toISOString()}; the limit is ${Math.round(maxRateLimitWaitMs / 60_000)} min)`,
              }));
              return;
            }
            await waitFor(messageId, workspaceId, until);
            throw new RetryLater(err.retryAfterMs, err.detail, until);
          }
          if (err.retryable) throw err;
          await record(messageId, workspaceId, () => ({
            state: "failed",
            at: ctx.clock.now(),
            reason: err.reason,
            detail: err.detail,
          }));
          return;
        }
        throw err;
      }
      await record(
        messageId,
        workspaceId,
        () => ({ state: "sent", at: ctx.clock.now() }),
        result.providerMessageId,
      );
    },
    async onDead({ messageId, workspaceId }, error) {
      const detail = error instanceof Error ? error.message : String(error);
      const reason = error instanceof ChannelSendError ? error.reason : "provider_error";
      await record(messageId, workspaceId, () => ({ state: "failed", at: ctx.clock.now(), reason, detail }));
    },
  });
}

async function load(ctx: AppContext, messageId: string): Promise<SendContext | null> {
  const [message] = await ctx.db.query<SendContext["message"]>(
    `select ${MESSAGE_COLUMNS}, rate_limited_since, sent_parts from messages where id = $1`,
    [messageId],
  );
  if (!message) return null;
  const [row] = await ctx.db.query<
    SendContext["connection"] & {
      external_id: string;
      quoted_provider_id: string | null;
      contact_blocked_at: Date | null;
    }
  >(
    `select cc.id, cc.type, cc.credentials_enc, cc.settings, cc.enabled, i.external_id,
       (select q.provider_message_id from messages q where q.id = $2) as quoted_provider_id,
       ct.blocked_at as contact_blocked_at
     from conversations c
     join channel_connections cc on cc.id = c.connection_id
     join contact_identities i on i.id = c.identity_id
     join contacts ct on ct.id = c.contact_id
     where c.id = $1`,
    [message.conversation_id, message.quoted_message_id],
  );
  if (!row) return null;
  const { external_id, quoted_provider_id, contact_blocked_at, ...connection } = row;
  return {
    message,
    connection,
    externalId: external_id,
    quotedProviderId: quoted_provider_id,
    contactBlockedAt: contact_blocked_at,
  };
}
