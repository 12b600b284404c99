import type { ChannelType } from "./enums";

/** What a channel really reports and accepts; the UI reads this instead of hard-coding channel checks. */
export interface ChannelCapabilities {
  reportsDelivered: boolean;
  reportsRead: boolean;
  /** The channel accepts a "seen" mark from the business. */
  markSeen: boolean;
  quoting: boolean;
  textMaxChars: number;
  attachments: { maxBytes: number; maxPerMessage: number } | null;
  /** Name of the messaging-window rule (see the window policy module). */
  window: "none" | "whatsapp" | "messenger" | "instagram" | "viber" | "wechat";
}

export const API_CHANNEL_CAPABILITIES: ChannelCapabilities = {
  reportsDelivered: true,
  reportsRead: true,
  markSeen: false,
  quoting: true,
  textMaxChars: 65_536,
  attachments: { maxBytes: 100 * 1024 * 1024, maxPerMessage: 10 },
  window: "none",
};

export const CAPABILITIES: Partial<Record<ChannelType, ChannelCapabilities>> = {
  api: API_CHANNEL_CAPABILITIES,
};
