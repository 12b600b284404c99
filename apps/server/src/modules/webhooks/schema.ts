import { z } from "zod";

/** The events an endpoint may subscribe to (docs/features/webhooks.md). */
export const WebhookEventType = z.enum([
  "conversation.created",
  "conversation.assigned",
  "conversation.status_changed",
  "message.created",
  "message.status_changed",
  "contact.created",
  "contact.updated",
  "contact.erased",
]);
export type WebhookEventType = z.infer<typeof WebhookEventType>;

/** What an endpoint's owner sees: never the secret (that has its own, audited, request). */
export const WebhookEndpoint = z.object({
  id: z.string(),
  url: z.string(),
  description: z.string(),
  events: z.array(WebhookEventType),
  active: z.boolean(),
  /** Why it is off: an admin turned it off, or 24 hours of failed attempts did. */
  disabledReason: z.enum(["manual", "failing"]).nullable(),
  /** Since when every attempt has failed; null when the last one succeeded. */
  failingSince: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type WebhookEndpoint = z.infer<typeof WebhookEndpoint>;

export const WebhookDelivery = z.object({
  id: z.string(),
  eventId: z.string(),
  eventType: z.string(),
  status: z.enum(["pending", "succeeded", "failed"]),
  attempts: z.number().int(),
  nextAttemptAt: z.string().nullable(),
  lastAttemptAt: z.string().nullable(),
  durationMs: z.number().int().nullable(),
  responseStatus: z.number().int().nullable(),
  /** The first characters of the receiver's answer (control characters removed). */
  responseExcerpt: z.string().nullable(),
  /** Why the last attempt failed: a refused address, a timeout, a connection error, a status. */
  error: z.string().nullable(),
  resentFrom: z.string().nullable(),
  createdAt: z.string(),
  deliveredAt: z.string().nullable(),
});
export type WebhookDelivery = z.infer<typeof WebhookDelivery>;

const Url = z
  .string()
  .trim()
  .max(2000)
  .refine((s) => {
    try {
      const u = new URL(s);
      return u.protocol === "https:" || u.protocol === "http:";
    } catch {
      return false;
    }
  }, "Give a full http:// or https:// address, e.g. https://example.com/parley/webhooks");

export const NewEndpoint = z.object({
  url: Url,
  description: z.string().trim().max(500).default(""),
  events: z.array(WebhookEventType).min(1, "Choose at least one event.").max(20),
});
export const EndpointChange = z
  .object({
    url: Url,
    description: z.string().trim().max(500),
    events: z.array(WebhookEventType).min(1, "Choose at least one event.").max(20),
    active: z.boolean(),
  })
  .partial();
export type EndpointChange = z.infer<typeof EndpointChange>;
