import { WIDGET_CAPABILITIES } from "@parley/protocol";
import { z } from "zod";

export const Page = z.object({
  /** The embedding page's origin, as the browser reported it to the widget frame (postMessage). */
  origin: z.string().max(200),
  url: z.string().max(2048).optional(),
  title: z.string().max(300).optional(),
  referrer: z.string().max(2048).optional(),
  landingPage: z.string().max(2048).optional(),
  utm: z.record(z.string().max(40), z.string().max(300)).optional(),
  language: z.string().max(35).optional(),
  timezone: z.string().max(64).optional(),
});
export type Page = z.infer<typeof Page>;

const ContactFields = z.object({
  name: z.string().trim().max(200).optional(),
  email: z.email().max(320).optional(),
  phone: z
    .string()
    .trim()
    .regex(/^[+0-9 ()-]{5,32}$/, "A phone number has digits, spaces, +, - and brackets")
    .optional(),
});

export const SessionBody = z.object({
  connection: z.uuid(),
  token: z.string().max(200).optional(),
  page: Page,
  identity: z
    .object({
      userId: z.string().min(1).max(200),
      hash: z.string().max(128).optional(),
      name: z.string().trim().max(200).optional(),
      email: z.email().max(320).optional(),
    })
    .optional(),
  contact: ContactFields.optional(),
});
export type SessionBody = z.infer<typeof SessionBody>;

export const MessageBody = z.object({
  clientId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, "8–64 letters, digits, - or _"),
  text: z.string().max(WIDGET_CAPABILITIES.textMaxChars).optional(),
  fileIds: z.array(z.uuid()).max(10).default([]),
});
export type MessageBody = z.infer<typeof MessageBody>;

/** The largest file a visitor may upload, in base64. */
export const UPLOAD_BASE64_MAX = Math.ceil((WIDGET_CAPABILITIES.attachments!.maxBytes * 4) / 3);

export const UploadBody = z.object({
  name: z.string().trim().min(1).max(200),
  mimeType: z
    .string()
    .max(255)
    .regex(/^[\w.+-]+\/[\w.+-]+$/, "A MIME type, e.g. image/png"),
  data: z.string().max(UPLOAD_BASE64_MAX + 4),
});
export type UploadBody = z.infer<typeof UploadBody>;

/** What the visitor's socket may send. */
export const VisitorFrame = z.discriminatedUnion("type", [
  z.object({ type: z.literal("typing"), on: z.boolean() }),
  z.object({ type: z.literal("received"), upTo: z.number().int().nonnegative() }),
  z.object({ type: z.literal("seen"), upTo: z.number().int().nonnegative() }),
  z.object({ type: z.literal("sync"), after: z.number().int().nonnegative() }),
  z.object({ type: z.literal("ping") }),
]);

export const MessagesQuery = z.object({ after: z.coerce.number().int().nonnegative().default(0) });

/** The visitor's answer to "may we see when you read our replies?" (R307, asked in consent mode). */
export const ConsentBody = z.object({ granted: z.boolean() });
