import { z } from "zod";
import type { Attachment } from "./models";

/** The website chat widget's languages (its own small dictionaries in apps/widget). */
export const WidgetLanguage = z.enum(["en", "ru", "uk"]);
export type WidgetLanguage = z.infer<typeof WidgetLanguage>;

const PreChatField = z.enum(["off", "optional", "required"]);

/** An origin as the browser sends it: scheme, host and port, nothing else. */
const Origin = z
  .string()
  .trim()
  .max(200)
  .regex(/^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$/i, "An origin is a scheme and host, e.g. https://shop.example");

/** A widget connection's settings, edited by admins in the agent app (with a live preview). */
export const WidgetSettings = z.object({
  /** Sites allowed to embed the widget; empty means none (the widget refuses to start). */
  allowedOrigins: z.array(Origin).max(50).default([]),
  greeting: z.string().trim().max(500).default(""),
  color: z
    .string()
    .regex(/^#[0-9a-f]{6}$/i, "A colour is written #rrggbb")
    .default("#1c7ed6"),
  position: z.enum(["right", "left"]).default("right"),
  language: WidgetLanguage.default("en"),
  preChat: z
    .object({ name: PreChatField, email: PreChatField, phone: PreChatField })
    .default({ name: "off", email: "off", phone: "off" }),
  /** R603: close the conversation when the visitor has been away this long. */
  autoCloseMinutes: z
    .number()
    .int()
    .min(5)
    .max(7 * 24 * 60)
    .default(60),
  /** Show visitors when agents have read their messages. */
  readReceipts: z.boolean().default(true),
  /** Refuse identity claims without a valid HMAC (the secret is shown once when the connection is created). */
  identityVerification: z.boolean().default(false),
  /** Largest file a visitor may send. */
  maxFileBytes: z
    .number()
    .int()
    .min(0)
    .max(25 * 1024 * 1024)
    .default(10 * 1024 * 1024),
});
export type WidgetSettings = z.infer<typeof WidgetSettings>;

/** A message as the visitor sees it: no notes, no internal events, no agent ids. */
export interface WidgetMessage {
  id: string;
  seq: number;
  from: "visitor" | "agent";
  text: string | null;
  attachments: Attachment[];
  /** The visitor's own id for a message it sent (idempotent retries, optimistic display). */
  clientId: string | null;
  authorName: string | null;
  createdAt: string;
}

/** Frames the server sends on the visitor socket. */
export type WidgetServerFrame =
  | { type: "hello"; conversationId: string | null; readUpTo: number }
  | { type: "messages"; messages: WidgetMessage[] }
  | { type: "typing"; on: boolean }
  /** Agents have read the visitor's messages up to this seq (when the connection shows read receipts). */
  | { type: "read"; upTo: number }
  | { type: "pong" }
  | { type: "error"; code: string; message: string };

/** Frames the visitor socket accepts. */
export type WidgetClientFrame =
  | { type: "typing"; on: boolean }
  /** The agent messages up to this seq reached the widget (delivered). */
  | { type: "received"; upTo: number }
  /** …and were on screen while the widget was open and focused (read). */
  | { type: "seen"; upTo: number }
  /** Look the conversation up again (after the visitor's first message created it). */
  | { type: "sync"; after: number }
  | { type: "ping" };
