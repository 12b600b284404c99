import { iso } from "../../lib/time";
import type { WebhookDelivery, WebhookEndpoint, WebhookEventType } from "./schema";

export interface EndpointRow {
  id: string;
  workspace_id: string;
  url: string;
  description: string;
  events: string[];
  active: boolean;
  disabled_reason: string | null;
  failing_since: Date | null;
  created_at: Date;
  updated_at: Date;
}
export const ENDPOINT_COLUMNS =
  "id, workspace_id, url, description, events, active, disabled_reason, failing_since, created_at, updated_at";

export const presentEndpoint = (r: EndpointRow): WebhookEndpoint => ({
  id: r.id,
  url: r.url,
  description: r.description,
  events: r.events as WebhookEventType[],
  active: r.active,
  disabledReason: (r.disabled_reason as WebhookEndpoint["disabledReason"]) ?? null,
  failingSince: iso(r.failing_since),
  createdAt: iso(r.created_at)!,
  updatedAt: iso(r.updated_at)!,
});

export interface DeliveryRow {
  id: string;
  event_id: string;
  event_type: string;
  status: WebhookDelivery["status"];
  attempts: number;
  next_attempt_at: Date;
  last_attempt_at: Date | null;
  duration_ms: number | null;
  response_status: number | null;
  response_excerpt: string | null;
  error: string | null;
  resent_from: string | null;
  created_at: Date;
  delivered_at: Date | null;
}
export const DELIVERY_COLUMNS =
  "id, event_id, event_type, status, attempts, next_attempt_at, last_attempt_at, duration_ms, response_status, response_excerpt, error, resent_from, created_at, delivered_at";

export const presentDelivery = (r: DeliveryRow): WebhookDelivery => ({
  id: r.id,
  eventId: r.event_id,
  eventType: r.event_type,
  status: r.status,
  attempts: r.attempts,
  nextAttemptAt: r.status === "pending" ? iso(r.next_attempt_at) : null,
  lastAttemptAt: iso(r.last_attempt_at),
  durationMs: r.duration_ms,
  responseStatus: r.response_status,
  responseExcerpt: r.response_excerpt,
  error: r.error,
  resentFrom: r.resent_from,
  createdAt: iso(r.created_at)!,
  deliveredAt: iso(r.delivered_at),
});
