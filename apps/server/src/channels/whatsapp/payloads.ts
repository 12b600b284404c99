import { z } from "zod";
import { field } from "../form-fields";

/**
 * WhatsApp Business Cloud API payloads (CHANNELS.md §2). The webhook schemas are loose on purpose: Meta adds
 * fields (pricing, conversation, user ids...) without notice, so only what Parley reads is checked and the
 * rest passes through untouched.
 */

/** What the admin types when connecting a WhatsApp number. */
export const WhatsAppCredentialsInput = z.object({
  /** The business phone number's id (not the phone number itself), from the app's WhatsApp set-up page. */
  phoneNumberId: z
    .string()
    .trim()
    .regex(/^\d{1,32}$/, "phoneNumberId is the numeric id of the business phone number")
    .meta(field("phoneNumberId")),
  /** A system-user (or business-integration) access token with whatsapp_business_messaging. */
  accessToken: z
    .string()
    .trim()
    .min(20, "accessToken looks too short")
    .max(2048)
    .meta(field("accessToken", { secret: true })),
  /** The Meta app's App Secret: it signs every webhook (X-Hub-Signature-256). */
  appSecret: z
    .string()
    .trim()
    .min(8, "appSecret looks too short")
    .max(256)
    .meta(field("appSecret", { secret: true })),
  /** The token Meta echoes in the webhook verification handshake; generated when left out. */
  verifyToken: z
    .string()
    .trim()
    .min(8, "verifyToken must have at least 8 characters")
    .max(256)
    .optional()
    .meta(field("verifyToken", { hint: true, secret: true })),
  /** The WhatsApp Business Account (WABA) id: needed to sync the message templates. */
  businessAccountId: z
    .string()
    .trim()
    .regex(/^\d{1,32}$/, "businessAccountId is the numeric id of the WhatsApp Business Account")
    .optional()
    .meta(field("businessAccountId", { hint: true })),
});

export interface WhatsAppCredentials {
  phoneNumberId: string;
  accessToken: string;
  appSecret: string;
  verifyToken: string;
  businessAccountId?: string;
}

export const WhatsAppSettings = z.object({});
export type WhatsAppSettings = z.infer<typeof WhatsAppSettings>;

// ---- Webhook (POST) ----

const MediaObject = z.looseObject({
  id: z.string().min(1),
  mime_type: z.string().optional(),
  sha256: z.string().optional(),
  caption: z.string().optional(),
  filename: z.string().optional(),
  voice: z.boolean().optional(),
  animated: z.boolean().optional(),
});
export type WaMedia = z.infer<typeof MediaObject>;

export const WaMessage = z.looseObject({
  from: z.string().min(1).max(128),
  id: z.string().min(1).max(255),
  timestamp: z.string().optional(),
  type: z.string(),
  context: z.looseObject({ from: z.string().optional(), id: z.string().optional() }).optional(),
  text: z.looseObject({ body: z.string() }).optional(),
  image: MediaObject.optional(),
  video: MediaObject.optional(),
  audio: MediaObject.optional(),
  document: MediaObject.optional(),
  sticker: MediaObject.optional(),
  location: z
    .looseObject({
      latitude: z.number().optional(),
      longitude: z.number().optional(),
      name: z.string().optional(),
      address: z.string().optional(),
      url: z.string().optional(),
    })
    .optional(),
  contacts: z
    .array(
      z.looseObject({
        name: z.looseObject({ formatted_name: z.string().optional() }).optional(),
        phones: z.array(z.looseObject({ phone: z.string().optional() })).optional(),
        emails: z.array(z.looseObject({ email: z.string().optional() })).optional(),
      }),
    )
    .optional(),
  interactive: z
    .looseObject({
      type: z.string().optional(),
      button_reply: z.looseObject({ id: z.string().optional(), title: z.string().optional() }).optional(),
      list_reply: z
        .looseObject({
          id: z.string().optional(),
          title: z.string().optional(),
          description: z.string().optional(),
        })
        .optional(),
    })
    .optional(),
  button: z.looseObject({ text: z.string().optional(), payload: z.string().optional() }).optional(),
  reaction: z.looseObject({ message_id: z.string().optional(), emoji: z.string().optional() }).optional(),
  system: z.looseObject({ body: z.string().optional() }).optional(),
  errors: z.array(z.looseObject({ code: z.number().optional(), title: z.string().optional() })).optional(),
});
export type WaMessage = z.infer<typeof WaMessage>;

/** An echo of a message the business sent from the WhatsApp Business app (coexistence numbers). */
export const WaEcho = WaMessage.extend({ to: z.string().min(1).max(128) });

export const WaStatusError = z.looseObject({
  code: z.number().optional(),
  title: z.string().optional(),
  message: z.string().optional(),
  error_data: z.looseObject({ details: z.string().optional() }).optional(),
  /** Account-level errors (`value.errors[]`) may carry their own time (Unix seconds, as a string or number). */
  timestamp: z.union([z.string(), z.number()]).optional(),
});
export type WaStatusError = z.infer<typeof WaStatusError>;

export const WaStatus = z.looseObject({
  id: z.string().min(1).max(255),
  status: z.string(),
  timestamp: z.string().optional(),
  recipient_id: z.string().optional(),
  errors: z.array(WaStatusError).optional(),
});

export const WaChangeValue = z.looseObject({
  messaging_product: z.string().optional(),
  metadata: z
    .looseObject({ phone_number_id: z.string().optional(), display_phone_number: z.string().optional() })
    .optional(),
  contacts: z
    .array(
      z.looseObject({
        wa_id: z.string().optional(),
        profile: z.looseObject({ name: z.string().optional() }).optional(),
      }),
    )
    .optional(),
  messages: z.array(WaMessage).optional(),
  message_echoes: z.array(WaEcho).optional(),
  statuses: z.array(WaStatus).optional(),
  errors: z.array(WaStatusError).optional(),
});

export const WaWebhookBody = z.looseObject({
  object: z.string(),
  entry: z
    .array(
      z.looseObject({
        id: z.string().optional(),
        changes: z.array(z.looseObject({ field: z.string(), value: z.unknown() })).default([]),
      }),
    )
    .default([]),
});

// ---- Graph API answers ----

export const GraphErrorBody = z.looseObject({
  error: z.looseObject({
    message: z.string().optional(),
    type: z.string().optional(),
    code: z.number().optional(),
    error_subcode: z.number().optional(),
    is_transient: z.boolean().optional(),
    error_user_title: z.string().optional(),
    error_user_msg: z.string().optional(),
    error_data: z
      .union([z.looseObject({ details: z.string().optional() }), z.string()])
      .optional()
      .catch(undefined),
    fbtrace_id: z.string().optional(),
  }),
});
export type GraphError = z.infer<typeof GraphErrorBody>["error"];

export const SendResponse = z.looseObject({
  messages: z.array(z.looseObject({ id: z.string().min(1) })).min(1),
});

export const MediaInfo = z.looseObject({
  url: z.url(),
  mime_type: z.string().optional(),
  file_size: z.union([z.string(), z.number()]).optional(),
  id: z.string().optional(),
});

/** One outgoing WhatsApp message's content (POST /{v}/{phone-number-id}/messages). */
export type WaPart =
  | { type: "text"; text: { body: string; preview_url: boolean } }
  | { type: "image"; image: MediaLink }
  | { type: "video"; video: MediaLink }
  | { type: "audio"; audio: MediaRef }
  | { type: "document"; document: MediaLink & { filename?: string } };
/** A file by link (WhatsApp fetches it) or by the media id of an upload. */
type MediaRef = { link: string } | { id: string };
type MediaLink = MediaRef & { caption?: string };

// ---- Message templates (GET /{v}/{waba-id}/message_templates) ----

export const WaTemplate = z.looseObject({
  id: z.string().optional(),
  name: z.string().min(1).max(512),
  language: z.string().min(1).max(32),
  status: z.string(),
  category: z.string().optional(),
  components: z.array(z.looseObject({ type: z.string() })).default([]),
});
export type WaTemplate = z.infer<typeof WaTemplate>;

export const WaTemplatePage = z.looseObject({
  data: z.array(z.unknown()),
  paging: z
    .looseObject({
      cursors: z.looseObject({ before: z.string().optional(), after: z.string().optional() }).optional(),
      next: z.string().optional(),
    })
    .optional(),
});
