import type {
  Attachment,
  DeliveryState,
  FailureReason,
  Message,
  MessageComment,
  MessageReaction,
} from "@parley/protocol";
import type { Queryable } from "../../db/client";
import { iso } from "../../lib/time";
import type { StoredTemplateRef } from "../templates/render";

export interface MessageRow {
  id: string;
  seq: number;
  conversation_id: string;
  direction: Message["direction"];
  kind: Message["kind"];
  author_type: Message["authorType"];
  author_id: string | null;
  text: string | null;
  attachments: Attachment[];
  quoted_message_id: string | null;
  event: Record<string, unknown> | null;
  provider_message_id: string | null;
  delivery_state: DeliveryState | null;
  queued_at: Date | null;
  sent_at: Date | null;
  delivered_at: Date | null;
  read_at: Date | null;
  failed_at: Date | null;
  failure_reason: FailureReason | null;
  failure_detail: string | null;
  /** Why a queued message waits ("rate_limited") and when it is tried again. */
  waiting_reason: "rate_limited" | null;
  retry_at: Date | null;
  /** Set when sent as a provider template (see modules/templates). */
  template: StoredTemplateRef | null;
  /** The customer's reactions (Messenger, Instagram). */
  reactions?: MessageReaction[] | null;
  /** Comments and replies to them (R451). */
  comment?: MessageComment | null;
  created_at: Date;
}

export const MESSAGE_COLUMNS = `id, seq, conversation_id, direction, kind, author_type, author_id, text, attachments,
  quoted_message_id, event, provider_message_id, delivery_state, queued_at, sent_at, delivered_at, read_at,
  failed_at, failure_reason, failure_detail, waiting_reason, retry_at, template, reactions, comment, created_at`;

export function presentMessage(r: MessageRow): Message {
  return {
    id: r.id,
    seq: r.seq,
    conversationId: r.conversation_id,
    direction: r.direction,
    kind: r.kind,
    authorType: r.author_type,
    authorId: r.author_id,
    text: r.text,
    attachments: r.attachments,
    quotedMessageId: r.quoted_message_id,
    event: r.event,
    providerMessageId: r.provider_message_id,
    delivery: r.delivery_state
      ? {
          state: r.delivery_state,
          queuedAt: iso(r.queued_at),
          sentAt: iso(r.sent_at),
          deliveredAt: iso(r.delivered_at),
          readAt: iso(r.read_at),
          failedAt: iso(r.failed_at),
          failureReason: r.failure_reason,
          failureDetail: r.failure_detail,
          waiting:
            r.delivery_state === "queued" && r.waiting_reason && r.retry_at
              ? { reason: r.waiting_reason, until: iso(r.retry_at)! }
              : null,
        }
      : null,
    template: r.template
      ? { name: r.template.name, language: r.template.language, variables: r.template.variables }
      : null,
    reactions: r.reactions ?? [],
    ...(r.comment ? { comment: r.comment } : {}),
    createdAt: iso(r.created_at)!,
  };
}

export async function loadMessage(q: Queryable, workspaceId: string, id: string): Promise<MessageRow | null> {
  const [row] = await q.query<MessageRow>(
    `select ${MESSAGE_COLUMNS} from messages where workspace_id = $1 and id = $2`,
    [workspaceId, id],
  );
  return row ?? null;
}
