import { z } from "zod";
import { field } from "../form-fields";

/**
 * Viber REST Bot API payloads (CHANNELS.md §3). `message_token` is a 64-bit integer above 2^53: bodies are
 * read with `parseViberJson`, which quotes it before JSON.parse, so the schemas see it as a digit string.
 */

/** What the admin gives when connecting a Viber bot. */
export const ViberCredentialsInput = z.object({
  authToken: z
    .string({ error: "authToken is required: the bot's token from the Viber Admin Panel." })
    .trim()
    .min(10, "authToken looks too short: copy the bot's token from the Viber Admin Panel.")
    .max(200)
    .meta(field("authToken", { secret: true })),
  /** Shown to the user as the sender of every message (Viber: at most 28 characters). */
  senderName: z
    .string({ error: "senderName is required: the name Viber shows as the sender." })
    .trim()
    .min(1, "senderName must not be empty.")
    .max(28, "senderName can have at most 28 characters (Viber's limit).")
    .meta(field("senderName")),
  senderAvatar: z
    .url({ protocol: /^https?$/, error: "senderAvatar must be an http(s) URL." })
    .optional()
    .meta(field("senderAvatar")),
});
export type ViberCredentials = z.infer<typeof ViberCredentialsInput>;

export const ViberSettings = z.object({
  /**
   * Answered to `conversation_started` (a user opened the chat and is not subscribed yet): Viber shows it
   * for free, once per opening. Empty: no welcome message.
   */
  welcomeMessage: z
    .string()
    .trim()
    .max(7000, "The welcome message can have at most 7,000 characters (Viber's limit).")
    .nullish()
    .meta(field("welcomeMessage", { hint: true, multiline: true })),
});
export type ViberSettings = z.infer<typeof ViberSettings>;

/** A message token after lossless parsing: always a digit string. */
const Token = z.string().regex(/^-?\d{1,20}$/, "message_token must be an integer");

const ViberUser = z.object({
  id: z.string().min(1).max(255),
  name: z.string().max(255).nullish(),
  avatar: z.string().max(2048).nullish(),
  country: z.string().nullish(),
  language: z.string().nullish(),
  api_version: z.number().nullish(),
});

export const ViberMessage = z.object({
  type: z.string(),
  text: z.string().nullish(),
  media: z.string().max(2048).nullish(),
  thumbnail: z.string().nullish(),
  file_name: z.string().max(512).nullish(),
  size: z.number().nullish(),
  duration: z.number().nullish(),
  sticker_id: z.union([z.number(), z.string()]).nullish(),
  contact: z
    .object({
      name: z.string().nullish(),
      phone_number: z.string().nullish(),
      avatar: z.string().nullish(),
    })
    .nullish(),
  location: z.object({ lat: z.number(), lon: z.number(), address: z.string().nullish() }).nullish(),
  tracking_data: z.string().nullish(),
});
export type ViberMessage = z.infer<typeof ViberMessage>;

const base = { timestamp: z.number(), chat_hostname: z.string().nullish() };

export const ViberMessageEvent = z.object({
  ...base,
  event: z.literal("message"),
  message_token: Token,
  sender: ViberUser,
  message: ViberMessage,
  silent: z.boolean().nullish(),
});

export const ViberReceiptEvent = z.object({
  ...base,
  event: z.enum(["delivered", "seen", "failed"]),
  message_token: Token,
  user_id: z.string().nullish(),
  desc: z.string().nullish(),
});

/** A user subscribed (`user`), or opened the chat (`conversation_started`, with `subscribed`). */
export const ViberUserEvent = z.object({
  ...base,
  event: z.enum(["subscribed", "conversation_started"]),
  user: ViberUser,
  subscribed: z.boolean().nullish(),
  type: z.string().nullish(),
  context: z.string().nullish(),
});

export const ViberUnsubscribedEvent = z.object({
  ...base,
  event: z.literal("unsubscribed"),
  user_id: z.string().min(1).max(255),
});

/** The request body of POST /pa/send_message. */
export interface ViberSendBody {
  receiver: string;
  min_api_version: number;
  sender: { name: string; avatar?: string };
  tracking_data?: string;
  type: "text" | "picture" | "video" | "file";
  text?: string;
  media?: string;
  thumbnail?: string;
  size?: number;
  file_name?: string;
}

/** What every /pa/* endpoint answers (HTTP 200 even on errors: `status` tells). */
export const ViberApiResponse = z
  .object({
    status: z.number(),
    status_message: z.string().nullish(),
    message_token: Token.nullish(),
  })
  .loose();

export const EVENT_TYPES = [
  "delivered",
  "seen",
  "failed",
  "subscribed",
  "unsubscribed",
  "conversation_started",
] as const;

/**
 * JSON.parse that keeps Viber's 64-bit `message_token` exact: the number is quoted in the raw text first
 * (a key can only appear unescaped outside string values, so text inside messages is never touched).
 */
export function parseViberJson(text: string): unknown {
  return JSON.parse(text.replace(/("message_token"\s*:\s*)(-?\d+)(?=\s*[,}\]])/g, '$1"$2"'));
}
