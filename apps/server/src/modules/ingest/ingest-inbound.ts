import type { InboundEvent } from "../../channels/types";
import { type AppContext, type Tx, transact } from "../../context";
import { type Prepared, prepared } from "../../db/client";
import { applyDeliveryReport } from "../../domain/delivery-state";
import {
  type CommentOutcome,
  ingestCommentChange,
  queuePostDetails,
  routeCommentEchoes,
} from "../comments/ingest-comments";
import { type MentionOutcome, queueMention } from "../comments/mention-queue";
import { queueProfileLookups } from "../contacts/profile-job";
import { queueMediaDownloads } from "../media/queue-downloads";
import { READ_TRACKING_JOINS } from "../receipts/policy";
import type { ChannelEventOutcome, RecordedAccountError } from "./channel-event";
import { recordAccountErrors } from "./ingest-account-errors";
import { ingestChannelEvent, isChannelEvent } from "./ingest-channel-events";
import {
  type ConnectionRef,
  type InboundMessage,
  ingestMessages,
  type MessageOutcome,
} from "./ingest-messages";
import { ingestReaction, type ReactionOutcome } from "./ingest-reactions";
import { applyReports, ingestStatuses, LOCKED_COLUMNS, type LockedRow, snapshotOf } from "./ingest-statuses";
import { refreshSenders } from "./refresh-senders";

export type { ConnectionRef } from "./ingest-messages";

export type IngestOutcome =
  | MessageOutcome
  | { kind: "status"; status: "updated" | "unchanged" | "unknown_message"; messageId: string | null }
  | { kind: "read_watermark"; status: "updated" | "unchanged" | "unknown_contact"; count: number }
  | { kind: "delivery_watermark"; status: "updated" | "unchanged"; count: number }
  | ReactionOutcome
  | ChannelEventOutcome
  | CommentOutcome
  | MentionOutcome;

export interface IngestSubmission {
  connection: ConnectionRef;
  events: InboundEvent[];
}

/**
 * The one ingest command every channel uses. In one transaction it finds or creates the contacts and their
 * identities, finds or opens the conversations (a closed one reopens, R206), inserts the messages
 * idempotently by provider id, updates the conversations, applies delivery reports and appends the domain
 * events. Once it resolves, everything is durable and the webhooks may be acknowledged. It takes several
 * webhooks at once (see IngestQueue): their messages are written with a few set-based statements.
 */
export async function ingestBatch(
  ctx: AppContext,
  submissions: IngestSubmission[],
): Promise<IngestOutcome[][]> {
  const accountErrors: RecordedAccountError[] = [];
  const write = async (tx: Tx) => {
    accountErrors.length = 0; // a transaction run again starts over
    const out: IngestOutcome[][] = submissions.map((s) => new Array<IngestOutcome>(s.events.length));
    const all: { connection: ConnectionRef; message: InboundMessage; at: [number, number] }[] = [];
    submissions.forEach((s, i) => {
      s.events.forEach((e, j) => {
        if (e.kind === "message") all.push({ connection: s.connection, message: e, at: [i, j] });
      });
    });
    // The business's own comments go to the conversation of the comment they answer, or are not stored.
    const dropped = await routeCommentEchoes(tx, all);
    const messages = all.filter((m) => !dropped.has(m.message));
    for (const m of all) {
      const reason = dropped.get(m.message);
      if (reason) out[m.at[0]]![m.at[1]] = ignore(ctx, submissions[m.at[0]]!.connection, reason);
    }
    await refreshSenders(tx, messages);
    const created = await ingestMessages(tx, messages);
    messages.forEach((m, k) => {
      out[m.at[0]]![m.at[1]] = created[k]!;
    });
    // Files announced by the webhook: downloaded by a job each, after the webhook is acknowledged.
    await queueMediaDownloads(tx, messages, created);
    // Posts that comments are about, seen for the first time: their details are fetched by a job.
    await queuePostDetails(tx, messages, created);
    // Senders whose profile the channel can look up (new ones, or looked up over a day ago): a job each.
    await queueProfileLookups(
      tx,
      ctx,
      messages
        .filter((m) => !m.message.comment)
        .map((m) => ({
          connectionId: m.connection.id,
          type: m.connection.type,
          externalId: m.message.externalContactId,
        })),
    );
    // Delivery reports after the messages: a report in the same batch as the message it is about applies.
    // Per-message reports are applied together (set-based); watermarks then, one by one.
    const statuses: { connection: ConnectionRef; event: Extract<InboundEvent, { kind: "status" }> }[] = [];
    const statusAt: [number, number][] = [];
    submissions.forEach((s, i) => {
      s.events.forEach((e, j) => {
        if (e.kind !== "status") return;
        statuses.push({ connection: s.connection, event: e });
        statusAt.push([i, j]);
      });
    });
    (await ingestStatuses(tx, statuses)).forEach((o, k) => {
      out[statusAt[k]![0]]![statusAt[k]![1]] = o;
    });
    for (const [i, s] of submissions.entries()) {
      for (const [j, e] of s.events.entries()) {
        if (e.kind === "read_watermark" || e.kind === "delivery_watermark") {
          out[i]![j] = await ingestWatermark(tx, s.connection, e);
        } else if (e.kind === "reaction") {
          out[i]![j] = await ingestReaction(tx, s.connection, e);
        } else if (e.kind === "comment_changed") {
          out[i]![j] = await ingestCommentChange(tx, s.connection, e);
        } else if (e.kind === "mention") {
          out[i]![j] = await queueMention(tx, s.connection, e);
        } else if (e.kind === "ignored") {
          out[i]![j] = ignore(ctx, s.connection, e.reason);
        } else if (isChannelEvent(e)) {
          out[i]![j] = await ingestChannelEvent(ctx, tx, s.connection, e, accountErrors);
        }
      }
    }
    return out;
  };
  // Its hot statements take their rows as arrays and find them by key, as do the rest: see TxOptions.genericPlans.
  const outcomes = await transact(ctx, write, { genericPlans: true });
  // Health is written after commit, not in the ingest transaction: there, concurrent webhooks of one
  // connection locked its row and the workspace's in different orders and deadlocked on PostgreSQL.
  await recordAccountErrors(ctx, accountErrors);
  const connections = new Map(submissions.map((s) => [s.connection.id, s]));
  for (const [id, s] of connections) {
    await recordHealth(ctx, id, "last_webhook_at");
    const isReport = (e: InboundEvent) => ["status", "read_watermark", "delivery_watermark"].includes(e.kind);
    if (submissions.some((x) => x.connection.id === id && x.events.some(isReport))) {
      await recordHealth(ctx, s.connection.id, "last_status_at");
    }
  }
  return outcomes;
}

/** An event acknowledged but not stored: the reason is logged and returned in the webhook's answer. */
function ignore(ctx: AppContext, connection: ConnectionRef, reason: string): CommentOutcome {
  ctx.log.info({ connectionId: connection.id, reason }, "webhook event not stored");
  return { kind: "ignored", status: "ignored", reason };
}

/** Ingests one webhook's events in their own transaction. */
export async function ingestInbound(ctx: AppContext, connection: ConnectionRef, events: InboundEvent[]) {
  const [outcomes] = await ingestBatch(ctx, [{ connection, events }]);
  return outcomes!;
}

/**
 * When this process last wrote each connection's health field: the field keeps whole seconds' news, so a
 * busy connection's batches within a second of that skip the statement (another process's writes do not
 * matter here: the UPDATE's own condition compares with the stored time).
 */
const healthWritten = new WeakMap<AppContext, Map<string, number>>();

const HEALTH = Object.fromEntries(
  (["last_webhook_at", "last_status_at"] as const).map((column) => [
    column,
    prepared(
      `ingest.health.${column}`,
      `update channel_connections set ${column} = $2
       where id = $1 and (${column} is null or ${column} < $2::timestamptz - interval '1 second')`,
    ),
  ]),
) as Record<"last_webhook_at" | "last_status_at", Prepared>;

async function recordHealth(
  ctx: AppContext,
  connectionId: string,
  column: "last_webhook_at" | "last_status_at",
) {
  const now = ctx.clock.now().getTime();
  let written = healthWritten.get(ctx);
  if (!written) {
    written = new Map();
    healthWritten.set(ctx, written);
  }
  const key = `${column}:${connectionId}`;
  const last = written.get(key);
  if (last !== undefined && now >= last && now - last < 1000) return;
  written.set(key, now);
  await ctx.db
    .query(HEALTH[column], [connectionId, ctx.clock.now()])
    .catch((err) => ctx.log.warn({ err, connectionId }, "could not record the connection's health"));
}

/**
 * A watermark report: every outgoing message to the contact created up to `upTo` has reached that state
 * (Messenger's delivery and read watermarks, the API channel's read), or every one up to a named message of
 * the conversation (Instagram's read). Messages already there are skipped.
 */
async function ingestWatermark(
  tx: Tx,
  connection: ConnectionRef,
  e: Extract<InboundEvent, { kind: "read_watermark" | "delivery_watermark" }>,
): Promise<IngestOutcome> {
  const state = e.kind === "read_watermark" ? "read" : "delivered";
  const before = state === "read" ? ["sent", "delivered"] : ["sent"];
  const rows = await tx.q.query<LockedRow>(
    `select ${LOCKED_COLUMNS}
     from messages m
     join conversations c on c.id = m.conversation_id
     join contact_identities i on i.id = c.identity_id
     ${READ_TRACKING_JOINS}
     where i.connection_id = $1 and i.external_id = $2 and m.direction = 'outbound' and m.kind = 'message'
       and m.delivery_state = any($4::text[]) and ${
         e.upTo instanceof Date
           ? "m.created_at <= $3"
           : `m.seq <= (select n.seq from messages n where n.conversation_id = c.id and n.connection_id = $1
                and n.provider_message_id = $3 and n.direction = 'outbound')`
       }
     order by m.seq for update of m`,
    [connection.id, e.externalContactId, e.upTo instanceof Date ? e.upTo : e.upTo.providerMessageId, before],
  );
  // Where read receipts are off or the contact has not consented (R305, R307), a read only says "arrived".
  const reports = rows.flatMap((row) => {
    const snap = applyDeliveryReport(snapshotOf(row), {
      state: state === "read" && row.tracking_off ? "delivered" : state,
      at: e.at,
    });
    return snap ? [{ row, snap, workspaceId: connection.workspaceId }] : [];
  });
  // All the messages it moves with the same statements as a batch of per-message reports.
  await applyReports(tx, reports);
  const count = reports.length;
  return { kind: e.kind, status: count > 0 ? "updated" : "unchanged", count };
}
