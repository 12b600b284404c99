import type { Bot } from "./schema";

export interface BotRow {
  id: string;
  workspace_id: string;
  name: string;
  avatar_url: string | null;
  webhook_url: string;
  time_limit_seconds: number;
  handoff_keywords: string[];
  created_at: Date;
  updated_at: Date;
}

export const BOT_COLUMNS =
  "id, workspace_id, name, avatar_url, webhook_url, time_limit_seconds, handoff_keywords, created_at, updated_at";

export const presentBot = (r: BotRow): Bot => ({
  id: r.id,
  name: r.name,
  avatarUrl: r.avatar_url,
  webhookUrl: r.webhook_url,
  timeLimitSeconds: r.time_limit_seconds,
  handoffKeywords: r.handoff_keywords,
  createdAt: new Date(r.created_at).toISOString(),
  updatedAt: new Date(r.updated_at).toISOString(),
});

/**
 * Whether a customer's text asks for a person: a hand-off keyword as a whole word or phrase, ignoring case
 * and the punctuation around it ("Operator!", "talk to a human please").
 */
export function asksForPerson(text: string | null, keywords: readonly string[]): string | null {
  if (!text) return null;
  const words = ` ${text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, " ")} `;
  for (const k of keywords) {
    const phrase = k
      .toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, " ")
      .trim();
    if (phrase && words.includes(` ${phrase} `)) return k;
  }
  return null;
}
