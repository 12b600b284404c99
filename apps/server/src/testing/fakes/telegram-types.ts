/** The fake Telegram Bot API's records and its answers' shapes (testing/fakes/telegram.ts). */

export interface TelegramRequest {
  httpMethod: string;
  path: string;
  token: string;
  /** The Bot API method, or "file" for a file download. */
  method: string;
  params: Record<string, any>;
  contentType: string | undefined;
  at: number;
}

export interface TelegramErrorBody {
  error_code: number;
  description: string;
  parameters?: { retry_after?: number; migrate_to_chat_id?: number };
}

/** An injected failure: Telegram's error JSON, or a raw non-JSON answer (a proxy's 502 page). */
export type Injected = TelegramErrorBody | { status: number; raw: string };

export interface Bot {
  token: string;
  id: number;
  username: string;
  webhook: { url: string; secret: string | undefined; allowedUpdates: string[] | undefined } | null;
  queue: any[];
  nextMessageId: Map<string, number>;
}

export interface StoredFile {
  bytes: Buffer;
  path: string;
  uniqueId: string;
  expired: boolean;
}

export const CAPTION_METHODS: Record<string, string> = {
  sendPhoto: "photo",
  sendDocument: "document",
  sendVideo: "video",
  sendVoice: "voice",
  sendAudio: "audio",
};
