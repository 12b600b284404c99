import { z } from "zod";

/**
 * A Twilio-compatible Messages API (CHANNELS.md §SMS): what the admin gives to connect, and the form-encoded
 * callbacks the provider posts (inbound messages and status callbacks, both signed with X-Twilio-Signature).
 */

/** Connection-form labels of SMS fields: i18n keys of the web app's `sms` namespace. */
const label = (key: string, opts: { hint?: boolean; secret?: boolean } = {}) => ({
  title: `sms.fields.${key}`,
  ...(opts.hint ? { description: `sms.hints.${key}` } : {}),
  ...(opts.secret ? { writeOnly: true } : {}),
});

/** A phone number in E.164 (+ and up to 15 digits) or a short code (3–8 digits). */
export const SENDER_NUMBER = /^(\+[1-9]\d{6,14}|\d{3,8})$/;

export const SmsCredentialsInput = z
  .object({
    accountSid: z
      .string({ error: "accountSid is required: the account SID from the provider's console (AC…)." })
      .trim()
      .regex(
        /^[A-Za-z0-9]{2,64}$/,
        "accountSid must be letters and digits only (Twilio: AC and 32 hex digits).",
      )
      .meta(label("accountSid")),
    authToken: z
      .string({ error: "authToken is required: the account's auth token from the provider's console." })
      .trim()
      .min(8, "authToken looks too short: copy the account's auth token from the provider's console.")
      .max(200)
      .meta(label("authToken", { secret: true })),
    fromNumber: z
      .string()
      .trim()
      .regex(
        SENDER_NUMBER,
        "fromNumber must be a phone number in international format (+15551234567) or a short code.",
      )
      .optional()
      .meta(label("fromNumber", { hint: true })),
    messagingServiceSid: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9]{2,64}$/, "messagingServiceSid must be letters and digits only (Twilio: MG…).")
      .optional()
      .meta(label("messagingServiceSid", { hint: true })),
    baseUrl: z
      .url({ protocol: /^https?$/, error: "baseUrl must be an http(s) URL, e.g. https://api.twilio.com." })
      .optional()
      .meta(label("baseUrl", { hint: true })),
  })
  .refine((c) => !!c.fromNumber || !!c.messagingServiceSid, {
    message: "Give fromNumber (the number messages come from) or messagingServiceSid.",
    path: ["fromNumber"],
  });
export type SmsCredentials = z.infer<typeof SmsCredentialsInput>;

export const SmsSettings = z.object({});
export type SmsSettings = z.infer<typeof SmsSettings>;

/** An inbound message as the provider posts it (Twilio's "A message comes in" webhook). */
export const SmsInbound = z.object({
  MessageSid: z.string().min(1).max(64),
  From: z.string().min(1).max(64),
  To: z.string().max(64).optional(),
  Body: z.string().max(20_000).optional(),
  NumMedia: z.coerce.number().int().min(0).max(10).optional(),
  /** With Advanced Opt-Out: STOP, START or HELP when the provider recognised a keyword. */
  OptOutType: z.string().max(20).optional(),
});

/** A status callback of a message Parley sent. */
export const SmsStatusCallback = z.object({
  MessageSid: z.string().min(1).max(64),
  MessageStatus: z.string().min(1).max(32),
  ErrorCode: z.string().max(16).optional(),
});

/** The Messages API's answer to a send, and its error shape. */
export const SmsSendAnswer = z.object({ sid: z.string().min(1), status: z.string().optional() });
export const SmsErrorAnswer = z.object({
  code: z.coerce.number().optional(),
  message: z.string().optional(),
  status: z.coerce.number().optional(),
});
