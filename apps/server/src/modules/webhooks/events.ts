import crypto from "node:crypto";
import type { DomainEvent } from "@parley/protocol";
import type { WebhookEventType } from "./schema";

/** One event as a receiver gets it: the public API's shape of the object in `data`. */
export interface WebhookPayload {
  id: string;
  type: WebhookEventType | "webhook.test";
  createdAt: string;
  workspaceId: string;
  data: unknown;
}

/** What a domain event becomes for webhooks: its type, the object, and the key its order is kept within. */
export interface Mapped {
  type: WebhookEventType;
  data: unknown;
  orderingKey: string;
}

/**
 * The webhook event a domain event stands for, if any. `message.updated` of an outgoing message is its
 * delivery report moving on (sent, delivered, read, failed): `message.status_changed`.
 */
export function webhookEventOf(e: DomainEvent): Mapped | null {
  switch (e.type) {
    case "conversation.created":
    case "conversation.assigned":
    case "conversation.status_changed":
      return { type: e.type, data: e.conversation, orderingKey: e.conversationId };
    case "message.created":
      return { type: "message.created", data: e.message, orderingKey: e.conversationId };
    case "message.updated":
      if (e.message.direction !== "outbound" || !e.message.delivery) return null;
      return { type: "message.status_changed", data: e.message, orderingKey: e.conversationId };
    case "contact.created":
    case "contact.updated":
      return { type: e.type, data: e.contact, orderingKey: e.contactId };
    case "contact.erased":
      // Nothing of the person: only which contact is gone, so a receiver deletes its copy.
      return { type: e.type, data: { id: e.contactId }, orderingKey: e.contactId };
    default:
      return null;
  }
}

/** The event's id: the same for every endpoint (and when sent again), derived from its place in the log. */
export function eventIdOf(workspaceId: string, seq: number): string {
  const h = crypto.createHash("sha256").update(`${workspaceId}:${seq}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export const payloadBody = (p: WebhookPayload) => JSON.stringify(p);
