import { z } from "zod";
import { field } from "../form-fields";

/** WeChat Official Account payloads (CHANNELS.md §8.2). */

/** What the admin gives when connecting an Official Account (Settings and Development → Basic configuration). */
export const WechatCredentialsInput = z.object({
  appId: z
    .string({ error: "appId is required: the AppID from the Basic configuration page." })
    .trim()
    .regex(/^wx[0-9a-zA-Z]{16}$/, "appId must look like wx followed by 16 letters and digits.")
    .meta(field("wechatAppId")),
  appSecret: z
    .string({ error: "appSecret is required: the AppSecret from the Basic configuration page." })
    .trim()
    .regex(/^[0-9a-zA-Z]{32}$/, "appSecret must be the 32 letters and digits WeChat shows.")
    .meta(field("wechatAppSecret", { secret: true })),
  token: z
    .string({ error: "token is required: the Token entered in the server configuration." })
    .trim()
    .regex(/^[0-9a-zA-Z]{3,32}$/, "token must be 3 to 32 letters and digits, as WeChat requires.")
    .meta(field("wechatToken", { secret: true, hint: true })),
  encodingAesKey: z
    .string()
    .trim()
    .regex(/^[0-9a-zA-Z]{43}$/, "encodingAesKey must be the 43 letters and digits WeChat generates.")
    .optional()
    .meta(field("encodingAesKey", { secret: true, hint: true })),
});
export type WechatCredentials = z.infer<typeof WechatCredentialsInput>;

export const WechatSettings = z.object({
  /**
   * Messages the account may send per customer message within the 48-hour window (the window policy reads it;
   * WeChat's documented limit has been 20, accounts report 5).
   */
  wechatMaxMessages: z
    .number()
    .int()
    .min(1, "wechatMaxMessages must be at least 1.")
    .max(20, "WeChat allows at most 20 messages per customer message.")
    .optional()
    .meta(field("wechatMaxMessages", { hint: true, default: 20 })),
});
export type WechatSettings = z.infer<typeof WechatSettings>;

const text = z.string().optional();
/** A pushed message or event, as the flat XML's elements (every value a string: MsgId is 64-bit). */
export const WechatXmlMessage = z.looseObject({
  ToUserName: z.string().min(1),
  FromUserName: z.string().min(1).max(255),
  CreateTime: z.string().regex(/^\d{1,13}$/, "CreateTime must be seconds since 1970"),
  MsgType: z.string().min(1),
  MsgId: z
    .string()
    .regex(/^\d{1,20}$/, "MsgId must be an integer")
    .optional(),
  Content: text,
  MediaId: text,
  PicUrl: text,
  Format: text,
  Recognition: text,
  Location_X: text,
  Location_Y: text,
  Label: text,
  Title: text,
  Description: text,
  Url: text,
  Event: text,
});
export type WechatXmlMessage = z.infer<typeof WechatXmlMessage>;

/** Every JSON answer of the API: `errcode` 0 (or absent) is success. */
export const WechatAnswer = z.looseObject({
  errcode: z.number().optional(),
  errmsg: z.string().optional(),
  access_token: z.string().optional(),
  expires_in: z.number().optional(),
  media_id: z.string().optional(),
  msgid: z.union([z.number(), z.string()]).optional(),
});
export type WechatAnswer = z.infer<typeof WechatAnswer>;
