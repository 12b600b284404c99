import { z } from "zod";

export const tags = ["bots"];
export const IdParams = z.object({ id: z.uuid() });

/** Why a bot's conversation went back to people. */
export const HandoverReason = z.enum(["api", "keyword", "timeout", "agent"]);
export type HandoverReason = z.infer<typeof HandoverReason>;

const Keyword = z.string().trim().min(1).max(60);
const WebhookUrl = z
  .url({ protocol: /^https?$/, error: "The webhook URL must be an http:// or https:// address." })
  .max(2000);

export const Bot = z.object({
  id: z.string(),
  name: z.string(),
  avatarUrl: z.string().nullable(),
  webhookUrl: z.string(),
  timeLimitSeconds: z.number().int(),
  handoffKeywords: z.array(z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Bot = z.infer<typeof Bot>;

export const NewBot = z.object({
  name: z.string().trim().min(1).max(80),
  avatarUrl: z
    .url({ protocol: /^https?$/ })
    .max(2000)
    .nullish(),
  webhookUrl: WebhookUrl,
  timeLimitSeconds: z.number().int().min(10).max(86400).default(300),
  handoffKeywords: z.array(Keyword).max(20).default([]),
});
export type NewBot = z.infer<typeof NewBot>;

export const BotChange = NewBot.partial().extend({
  timeLimitSeconds: z.number().int().min(10).max(86400).optional(),
  handoffKeywords: z.array(Keyword).max(20).optional(),
});
export type BotChange = z.infer<typeof BotChange>;

/** What creating a bot (or renewing its credentials) answers, the only time the secrets are shown. */
export const BotCredentials = z.object({
  bot: Bot,
  /** Signs the events Parley posts to the bot (`X-Parley-Signature`, as outgoing webhooks). */
  signingSecret: z.string(),
  /** The bot's API token: replies and hand-overs with it are the bot's. */
  token: z.string(),
});

export const AssignBotBody = z.object({ botId: z.uuid().nullable() });
export const HandoverBody = z
  .object({
    /** Why, in the bot's words: shown in the feed's hand-over line. */
    reason: z.string().trim().max(500).optional(),
  })
  .optional();

export const BotReportRow = z.object({
  botId: z.string(),
  name: z.string(),
  handled: z.number().int(),
  resolved: z.number().int(),
  handedOver: z.number().int(),
  byReason: z.object({ api: z.number(), keyword: z.number(), timeout: z.number(), agent: z.number() }),
  /** Median seconds from being handed to the bot to being handed over (null: none handed over). */
  medianHandoverSeconds: z.number().nullable(),
});
export const ReportQuery = z
  .object({
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
  })
  .refine((q) => !q.from || !q.to || Date.parse(q.from) < Date.parse(q.to), {
    path: ["from"],
    message: "The period's start must be before its end.",
  });
