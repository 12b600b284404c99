import { z } from "zod";
import { field } from "../form-fields";

/** LINE Messaging API payloads (CHANNELS.md §8.1). */

/** What the admin gives when connecting a LINE Official Account (LINE Developers console, Messaging API). */
export const LineCredentialsInput = z.object({
  channelSecret: z
    .string({ error: "channelSecret is required: the channel secret from the Basic settings tab." })
    .trim()
    .regex(/^[0-9a-f]{32}$/i, "channelSecret must be the 32 hexadecimal characters LINE shows.")
    .meta(field("channelSecret", { secret: true })),
  channelAccessToken: z
    .string({
      error: "channelAccessToken is required: a long-lived channel access token from the Messaging API tab.",
    })
    .trim()
    .min(20, "channelAccessToken looks too short: copy the long-lived token from the Messaging API tab.")
    .max(1000)
    .meta(field("channelAccessToken", { secret: true })),
});
export type LineCredentials = z.infer<typeof LineCredentialsInput>;

export const LineSettings = z.object({});
export type LineSettings = z.infer<typeof LineSettings>;

const Source = z.looseObject({
  type: z.string(),
  userId: z.string().min(1).max(255).optional(),
  groupId: z.string().optional(),
  roomId: z.string().optional(),
});

export const LineMessage = z.looseObject({
  id: z.string().min(1).max(255),
  type: z.string(),
  text: z.string().optional(),
  fileName: z.string().max(512).optional(),
  fileSize: z.number().optional(),
  packageId: z.string().optional(),
  stickerId: z.string().optional(),
  title: z.string().optional(),
  address: z.string().optional(),
  latitude: z.number().optional(),
  longitude: z.number().optional(),
  contentProvider: z
    .looseObject({ type: z.string(), originalContentUrl: z.string().max(2048).optional() })
    .optional(),
});
export type LineMessage = z.infer<typeof LineMessage>;

export const LineEvent = z.looseObject({
  type: z.string(),
  mode: z.string().optional(),
  timestamp: z.number(),
  source: Source.optional(),
  webhookEventId: z.string().optional(),
  replyToken: z.string().optional(),
  deliveryContext: z.looseObject({ isRedelivery: z.boolean() }).optional(),
  message: LineMessage.optional(),
});
export type LineEvent = z.infer<typeof LineEvent>;

export const LineWebhook = z.looseObject({
  destination: z.string().optional(),
  events: z.array(z.unknown()),
});

/** `POST /v2/bot/message/reply|push` answers the ids of the messages it sent (since 2023). */
export const LineSent = z.looseObject({
  sentMessages: z.array(z.looseObject({ id: z.string() })).optional(),
});

/** `GET /v2/bot/profile/{userId}`. */
export const LineProfile = z.looseObject({
  displayName: z.string().optional(),
  userId: z.string().optional(),
  pictureUrl: z.string().optional(),
});

/** LINE's error body: `{message, details:[{message, property}]}`. */
export const LineErrorBody = z.looseObject({
  message: z.string().optional(),
  details: z
    .array(z.looseObject({ message: z.string().optional(), property: z.string().optional() }))
    .optional(),
});
