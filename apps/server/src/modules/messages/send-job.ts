import type { FailureReason } from "@parley/protocol";
import { z } from "zod";
import { adapterContext } from "../../channels/context";
import { ChannelPacing, ChannelSendError } from "../../channels/types";
import { type AppContext, type Tx, transact } from "../../context";
import type { DeliveryReport } from "../../domain/delivery-state";
import { PermanentFailure, RetryLater } from "../../jobs/queue";
import { conversationWindow, refusalReason } from "../conversations/window";
import { MESSAGE_COLUMNS, type MessageRow } from "./present";
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
  message: MessageRow;
  connection: { id: string; type: string; credentials_enc: string; settings: unknown; enabled: boolean };
  externalId: string;
  quotedProviderId: string | null;
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
      const [row] = await tx.q.query<MessageRow>(
        `select ${MESSAGE_COLUMNS} from messages where id = $1 for update`,
        [messageId],
      );
      if (!row) return;
      if (providerId) {
        await tx.q.query("update messages set provider_message_id = $2 where id = $1", [
          messageId,
          providerId,
        ]);
        row.provider_message_id = providerId;
      }
      const report = apply(row);
      await updateDelivery(tx, workspaceId, row, report);
      if (providerId) await applyEarlyReceipts(tx, workspaceId, row.id, providerId);
    });

  ctx.jobs.register({
    type: SEND_MESSAGE_JOB,
    payload: Payload,
    maxAttempts: 8,
    backoffMs: (attempt) => Math.min(500 * 2 ** attempt, 5 * 60_000),
    async run({ messageId, workspaceId }) {
      const loaded = await load(ctx, messageId);
      if (!loaded) return; // deleted meanwhile
      const { message, connection, externalId, quotedProviderId } = loaded;
      if (message.delivery_state !== "queued") return; // already sent by an earlier attempt
      // Messages of one conversation reach the customer in the order they were written.
      const earlier = await ctx.db.query(
        `select 1 from messages where conversation_id = $1 and direction = 'outbound' and kind = 'message'
           and delivery_state = 'queued' and seq < $2 limit 1`,
        [message.conversation_id, message.seq],
      );
      if (earlier.length > 0)
        throw new RetryLater(250, "An earlier message of this conversation is still being sent.");
      if (!connection.enabled) throw new PermanentFailure("The channel connection is disabled.");
      const adapter = ctx.channels.get(connection.type);
      // The window may have closed while the message waited (retries): check again, as the provider would.
      // A template message is what remains allowed where the window allows only templates (WhatsApp).
      const window = await conversationWindow(ctx.db, message.conversation_id, ctx.clock.now());
      if (!window.allowed && !(window.only === "template" && message.template)) {
        await record(messageId, workspaceId, () => ({
          state: "failed",
          at: ctx.clock.now(),
          reason: refusalReason(window),
          detail: window.reason,
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
          if (err.retryAfterMs) throw new RetryLater(err.retryAfterMs, err.detail);
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
  const [message] = await ctx.db.query<MessageRow>(`select ${MESSAGE_COLUMNS} from messages where id = $1`, [
    messageId,
  ]);
  if (!message) return null;
  const [row] = await ctx.db.query<
    SendContext["connection"] & { external_id: string; quoted_provider_id: string | null }
  >(
    `select cc.id, cc.type, cc.credentials_enc, cc.settings, cc.enabled, i.external_id,
       (select q.provider_message_id from messages q where q.id = $2) as quoted_provider_id
     from conversations c
     join channel_connections cc on cc.id = c.connection_id
     join contact_identities i on i.id = c.identity_id
     where c.id = $1`,
    [message.conversation_id, message.quoted_message_id],
  );
  if (!row) return null;
  const { external_id, quoted_provider_id, ...connection } = row;
  return { message, connection, externalId: external_id, quotedProviderId: quoted_provider_id };
}
