import { z } from "zod";
import { field } from "../form-fields";

/** Meta ids arrive as strings; some senders (and older payloads) use numbers: keep them as strings. */
const Id = z.union([z.string().min(1).max(255), z.number().transform((n) => String(n))]);

// ---------------------------------------------------------------------------------------------------------
// Connection credentials and settings
// ---------------------------------------------------------------------------------------------------------

const secret = (what: string) =>
  z
    .string({ error: `${what} is required.` })
    .trim()
    .min(1, `${what} is required.`)
    .max(1024, `${what} is too long.`);
const numericId = (what: string) =>
  z
    .string({ error: `${what} is required.` })
    .trim()
    .regex(/^\d{1,32}$/, `${what} must be the numeric id Meta shows (digits only).`);

/** The token typed into the app's webhook settings; generated when left out. */
const verifyToken = z
  .string()
  .trim()
  .min(8)
  .max(256)
  .optional()
  .meta(field("verifyToken", { hint: true, secret: true }));
/** The Meta app's id: echoes of messages this app sent (Parley's own sends) are then dropped by app_id. */
const appId = z
  .string()
  .trim()
  .regex(/^\d{1,32}$/, "appId must be digits only.")
  .optional()
  .meta(field("appId", { hint: true }));
/** A secret the admin types, labelled in the connection form as `key`. */
const secretField = (key: string, what: string) => secret(what).meta(field(key, { secret: true }));

export const MessengerCredentialsInput = z.object({
  pageId: numericId("pageId (the Facebook Page id)").meta(field("pageId")),
  pageAccessToken: secretField(
    "pageAccessToken",
    "pageAccessToken (a Page access token with pages_messaging)",
  ),
  appSecret: secretField(
    "appSecret",
    "appSecret (the Meta app's App Secret, used to check webhook signatures)",
  ),
  verifyToken,
  appId,
});
export interface MessengerCredentials {
  pageId: string;
  pageAccessToken: string;
  appSecret: string;
  verifyToken: string;
  appId?: string;
}

/**
 * Instagram has two flavours (CHANNELS.md §5): (a) Messenger API for Instagram — a Facebook Page linked to the
 * account, the Page access token, graph.facebook.com; (b) Instagram API with Instagram Login — an Instagram
 * user token, graph.instagram.com. `igUserId` (the professional account's id, `entry.id` of the webhooks) is
 * always required; then either `pageAccessToken` (+ `pageId`) or `instagramAccessToken`.
 */
export const InstagramCredentialsInput = z
  .object({
    igUserId: numericId("igUserId (the Instagram professional account id)").meta(field("igUserId")),
    pageId: numericId("pageId (the linked Facebook Page id)").optional().meta(field("pageId")),
    pageAccessToken: secret("pageAccessToken")
      .optional()
      .meta(field("pageAccessToken", { hint: true, secret: true })),
    instagramAccessToken: secret("instagramAccessToken")
      .optional()
      .meta(field("instagramAccessToken", { hint: true, secret: true })),
    appSecret: secretField(
      "appSecret",
      "appSecret (the App Secret of the app receiving the webhooks; the Instagram app secret for Instagram Login)",
    ),
    verifyToken,
    appId,
  })
  .refine((c) => Boolean(c.pageAccessToken || c.instagramAccessToken), {
    message:
      "Give either pageAccessToken (Messenger API for Instagram, with a linked Page) or instagramAccessToken (Instagram Login).",
    path: ["pageAccessToken"],
  });
export interface InstagramCredentials {
  igUserId: string;
  pageId?: string;
  pageAccessToken?: string;
  instagramAccessToken?: string;
  appSecret: string;
  verifyToken: string;
  appId?: string;
}

export const MetaSettings = z.object({
  /**
   * The app has Meta's Human Agent feature: a human reply may be sent with the HUMAN_AGENT tag up to 7 days
   * after the customer's last message (read by the window policy).
   */
  humanAgentTag: z
    .boolean()
    .default(false)
    .meta(field("humanAgentTag", { hint: true })),
});
export type MetaSettings = z.infer<typeof MetaSettings>;

// ---------------------------------------------------------------------------------------------------------
// Webhooks (object "page" for Messenger, "instagram" for Instagram; same envelope)
// ---------------------------------------------------------------------------------------------------------

export const MetaAttachment = z.object({
  type: z.string().max(64),
  payload: z
    .object({
      url: z.string().max(8192).optional(),
      title: z.string().max(2048).nullish(),
      sticker_id: Id.optional(),
      coordinates: z.object({ lat: z.number(), long: z.number() }).optional(),
      reel_video_id: Id.optional(),
    })
    .nullish(),
  title: z.string().max(2048).nullish(),
  url: z.string().max(8192).nullish(),
});

export const MetaMessage = z.object({
  mid: z.string().min(1).max(512),
  text: z.string().max(65_536).optional(),
  is_echo: z.boolean().optional(),
  app_id: Id.optional(),
  metadata: z.string().max(2048).optional(),
  is_deleted: z.boolean().optional(),
  is_unsupported: z.boolean().optional(),
  attachments: z.array(MetaAttachment).max(50).optional(),
  reply_to: z
    .object({
      mid: z.string().max(512).optional(),
      story: z.object({ url: z.string().max(8192).optional(), id: Id.optional() }).optional(),
    })
    .optional(),
  quick_reply: z.object({ payload: z.string().max(2048) }).optional(),
  sticker_id: Id.optional(),
});

export const MetaMessagingEvent = z.object({
  sender: z.object({ id: Id }).optional(),
  recipient: z.object({ id: Id }).optional(),
  timestamp: z.number().optional(),
  message: MetaMessage.optional(),
  delivery: z.object({ mids: z.array(z.string().max(512)).optional(), watermark: z.number() }).optional(),
  read: z.object({ watermark: z.number().optional(), mid: z.string().max(512).optional() }).optional(),
  /** `message_reactions`: the customer reacted to (or un-reacted from) a message. */
  reaction: z
    .object({
      mid: z.string().min(1).max(512),
      action: z.enum(["react", "unreact"]),
      emoji: z.string().max(64).optional(),
      /** The reaction's name: smile, angry, sad, wow, love, like, dislike, other. */
      reaction: z.string().max(64).optional(),
    })
    .optional(),
  postback: z
    .object({
      mid: z.string().max(512).optional(),
      title: z.string().max(2048).optional(),
      payload: z.string().max(2048).optional(),
    })
    .optional(),
});
export type MetaMessagingEvent = z.infer<typeof MetaMessagingEvent>;

export const MetaWebhook = z.object({
  object: z.string(),
  entry: z
    .array(
      z.object({
        id: Id,
        time: z.number().optional(),
        // Events of a thread another app controls (Handover Protocol) arrive as `standby`: not ours.
        messaging: z.array(z.unknown()).optional(),
        /** Page `feed` and Instagram `comments` / `mentions` changes (R451). */
        changes: z.array(z.unknown()).optional(),
      }),
    )
    .default([]),
});

// ---------------------------------------------------------------------------------------------------------
// Send API
// ---------------------------------------------------------------------------------------------------------

export const GraphError = z.object({
  error: z.object({
    message: z.string().default(""),
    type: z.string().optional(),
    code: z.number().optional(),
    error_subcode: z.number().optional(),
    fbtrace_id: z.string().optional(),
  }),
});
export type GraphError = z.infer<typeof GraphError>["error"];

export const SendResult = z.object({ recipient_id: z.string().optional(), message_id: z.string().min(1) });

/** The User Profile API's answer (Messenger: first_name, last_name, name; Instagram: name, username). */
export const GraphProfile = z.object({
  name: z.string().max(1024).nullish(),
  first_name: z.string().max(512).nullish(),
  last_name: z.string().max(512).nullish(),
  username: z.string().max(512).nullish(),
  profile_pic: z.string().max(8192).nullish(),
});
